// The columns of the store's tables, in one place: each column's name, the
// member of the value type (types.h) that holds it, and whether it is part
// of the row's key. Both backends' DDL, SELECT lists, binds and row
// decoding, the JSON forms, the Python conversions and the CLI's columns
// are generated from these tables, so a new column is added here (and in
// the struct) and nowhere else. Column order is the stored order.
//
// A table is a std::tuple of Column<Row, T>: for_each_column() visits it at
// compile time, so the generated code is as fast as the hand-written one.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "canopy/types.h"

namespace canopy::columns {

template <typename Row, typename T>
struct Column {
  using row_type = Row;
  using value_type = T;
  std::string_view name;
  T Row::*member;
  bool key = false;  // part of the primary key: never merged on upsert
};

template <typename Row, typename T>
constexpr Column<Row, T> column(std::string_view name, T Row::*member, bool key = false) {
  return {name, member, key};
}

// training_metrics; its partition key run_id is not a member of Metric.
inline constexpr auto kMetricColumns = std::make_tuple(
    column("timestamp", &Metric::timestamp, true), column("step", &Metric::step, true),
    column("epoch", &Metric::epoch), column("train_loss", &Metric::train_loss),
    column("train_accuracy", &Metric::train_accuracy), column("val_loss", &Metric::val_loss),
    column("val_accuracy", &Metric::val_accuracy), column("learning_rate", &Metric::learning_rate),
    column("hidden_units", &Metric::hidden_units));

// training_runs (and Cassandra's runs_by_time, which adds its month).
inline constexpr auto kRunColumns = std::make_tuple(
    column("run_id", &Run::run_id, true), column("start_time", &Run::start_time),
    column("end_time", &Run::end_time), column("duration_seconds", &Run::duration_seconds),
    column("status", &Run::status), column("dataset_name", &Run::dataset_name),
    column("config_json", &Run::config_json), column("final_epoch", &Run::final_epoch),
    column("final_train_loss", &Run::final_train_loss), column("final_train_accuracy", &Run::final_train_accuracy),
    column("final_val_loss", &Run::final_val_loss), column("final_val_accuracy", &Run::final_val_accuracy),
    column("best_val_accuracy", &Run::best_val_accuracy), column("best_epoch", &Run::best_epoch),
    column("total_hidden_units", &Run::total_hidden_units), column("total_parameters", &Run::total_parameters),
    column("tags", &Run::tags), column("notes", &Run::notes));

// network_topology.
inline constexpr auto kTopologyColumns = std::make_tuple(
    column("run_id", &NetworkTopology::run_id, true), column("timestamp", &NetworkTopology::timestamp, true),
    column("hidden_units", &NetworkTopology::hidden_units, true), column("epoch", &NetworkTopology::epoch),
    column("input_size", &NetworkTopology::input_size), column("output_size", &NetworkTopology::output_size),
    column("total_parameters", &NetworkTopology::total_parameters),
    column("topology_json", &NetworkTopology::topology_json));

// What complete_run takes: the run columns a caller may give at the end.
inline constexpr auto kFinalColumns = std::make_tuple(
    column("end_time", &FinalMetrics::end_time), column("final_epoch", &FinalMetrics::final_epoch),
    column("final_train_loss", &FinalMetrics::final_train_loss),
    column("final_train_accuracy", &FinalMetrics::final_train_accuracy),
    column("final_val_loss", &FinalMetrics::final_val_loss),
    column("final_val_accuracy", &FinalMetrics::final_val_accuracy),
    column("best_val_accuracy", &FinalMetrics::best_val_accuracy),
    column("best_epoch", &FinalMetrics::best_epoch),
    column("total_hidden_units", &FinalMetrics::total_hidden_units),
    column("total_parameters", &FinalMetrics::total_parameters));

// Calls f(column, index) for each column of `table`, in order.
template <typename Table, typename F>
constexpr void for_each_column(const Table& table, F&& f) {
  std::apply([&](const auto&... c) {
    std::size_t i = 0;
    (f(c, i++), ...);
  }, table);
}

template <typename Table>
constexpr std::size_t column_count(const Table&) {
  return std::tuple_size_v<Table>;
}

// The column names, in order.
template <typename Table>
std::vector<std::string_view> column_names(const Table& table) {
  std::vector<std::string_view> out;
  for_each_column(table, [&](const auto& c, std::size_t) { out.push_back(c.name); });
  return out;
}

// "a, b, c": the names joined, e.g. for a SELECT list.
template <typename Table>
std::string column_list(const Table& table, std::string_view separator = ", ") {
  std::string out;
  for_each_column(table, [&](const auto& c, std::size_t i) {
    if (i > 0) out += separator;
    out += c.name;
  });
  return out;
}

}  // namespace canopy::columns
