#include "json/to_json.h"

#include <charconv>
#include <cmath>
#include <type_traits>

#include "canopy/columns.h"
#include "json/text.h"
#include "json/time.h"

namespace canopy::json {
namespace {

template <typename T>
Json opt(const std::optional<T>& v) {
  if (!v) return nullptr;
  if constexpr (std::is_same_v<T, double>) return number(*v);
  else if constexpr (std::is_same_v<T, Timestamp>) return format_time(*v);
  else return *v;
}

// Text that is itself JSON (a run's config, a topology) embedded parsed.
Json embedded(const std::string& text) {
  Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  return parsed.is_discarded() ? Json(text) : parsed;
}

}  // namespace

Json number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return v;
}

Json time_or_null(const std::optional<Timestamp>& t) { return opt(t); }

namespace {
Json value(const Uuid& v) { return v.str(); }
Json value(const std::string& v) { return v; }
Json value(const std::map<std::string, std::string>& v) { return v; }
template <typename T>
Json value(const std::optional<T>& v) {
  return opt(v);
}
// Every column of `table` of `row`, by its name.
template <typename Table, typename Row>
Json columns_to_json(const Table& table, const Row& row) {
  Json j = Json::object();
  columns::for_each_column(table, [&](const auto& c, std::size_t) { j[std::string(c.name)] = value(row.*(c.member)); });
  return j;
}
}  // namespace

Json run_to_json(const Run& r) {
  Json j = columns_to_json(columns::kRunColumns, r);
  j["config"] = embedded(r.config_json);
  return j;
}

Json metric_to_json(const Metric& m) { return columns_to_json(columns::kMetricColumns, m); }

namespace {

void append_field(std::string& out, const char* name, bool first) {
  out += first ? "{\"" : ",\"";
  out += name;
  out += "\":";
}
void append_value(std::string& out, const std::optional<double>& v) {
  if (!v) out += "null";
  else if (std::isnan(*v)) out += "\"NaN\"";
  else if (std::isinf(*v)) out += *v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  else append_number(out, *v);
}
void append_value(std::string& out, const std::optional<std::int32_t>& v) {
  if (!v) {
    out += "null";
    return;
  }
  char buf[16];
  out.append(buf, std::to_chars(buf, buf + sizeof buf, *v).ptr);
}
void append_value(std::string& out, const std::optional<Timestamp>& v) {
  if (!v) {
    out += "null";
    return;
  }
  out += '"';
  append_time(out, *v);
  out += '"';
}

}  // namespace

void append_metric_json(std::string& out, const Metric& m) {
  columns::for_each_column(columns::kMetricColumns, [&](const auto& c, std::size_t i) {
    append_field(out, c.name.data(), i == 0);
    append_value(out, m.*(c.member));
  });
  out += '}';
}

Json topology_to_json(const NetworkTopology& t) {
  Json j;
  j["run_id"] = t.run_id.str();
  j["timestamp"] = format_time(t.timestamp);
  j["epoch"] = t.epoch;
  j["input_size"] = t.input_size;
  j["output_size"] = t.output_size;
  j["hidden_units"] = t.hidden_units;
  j["total_parameters"] = t.total_parameters;
  j["topology"] = embedded(t.topology_json);
  return j;
}

Json counters_to_json(const WriterCounters& c) {
  Json j;
  j["stored"] = c.stored;
  j["written"] = c.written;
  j["retried"] = c.retried;
  j["spooled"] = c.spooled;
  j["replayed"] = c.replayed;
  j["dropped"] = c.dropped;
  j["spool_failures"] = c.spool_failures;
  j["spool_full"] = c.spool_full;
  return j;
}

Json verification_to_json(const RunVerification& v) {
  Json j;
  j["run_id"] = v.run_id.str();
  j["complete"] = v.complete();
  j["acknowledged"] = v.acknowledged;
  j["acknowledged_steps"] = v.acknowledged_steps;
  j["first_step"] = opt(v.first_step);
  j["last_step"] = opt(v.last_step);
  j["stored"] = v.stored;
  j["stored_steps"] = v.stored_steps;
  Json missing = Json::array();
  for (const StepRange& r : v.missing) missing.push_back(Json::array({r.first, r.last}));
  j["missing"] = std::move(missing);
  j["missing_steps"] = v.missing_steps;
  j["duplicates"] = v.duplicates;
  j["unacknowledged_steps"] = v.unacknowledged_steps;
  j["ledger_entries"] = v.ledger_entries;
  return j;
}

Json series_to_json(const Series& s) {
  Json points = Json::array();
  for (const SeriesPoint& p : s.points) {
    Json j;
    j["timestamp"] = format_time(p.timestamp);
    j["step"] = p.step;
    j["epoch"] = opt(p.epoch);
    j["value"] = number(p.value);
    points.push_back(std::move(j));
  }
  Json j;
  j["run_id"] = s.run_id.str();
  j["field"] = s.field;
  j["values"] = s.values;
  j["exact"] = s.exact;
  j["level"] = s.level;
  j["points"] = std::move(points);
  return j;
}

Json summary_to_json(const RunSummary& s) {
  Json fields = Json::object();
  for (const FieldSummary& f : s.fields) {
    Json j;
    j["count"] = f.count;
    j["min"] = opt(f.min);
    j["max"] = opt(f.max);
    j["mean"] = opt(f.mean);
    j["last"] = opt(f.last);
    j["min_epoch"] = opt(f.min_epoch);
    j["max_epoch"] = opt(f.max_epoch);
    j["last_epoch"] = opt(f.last_epoch);
    j["best"] = opt(f.best);
    j["best_epoch"] = opt(f.best_epoch);
    fields[f.field] = std::move(j);
  }
  Json j;
  j["run_id"] = s.run_id.str();
  j["metrics"] = s.metrics;
  j["first_timestamp"] = opt(s.first_timestamp);
  j["last_timestamp"] = opt(s.last_timestamp);
  j["fields"] = std::move(fields);
  return j;
}

Json comparison_to_json(const Comparison& c) {
  Json runs = Json::array(), values = Json::array(), series = Json::array(), summaries = Json::array();
  for (const Series& s : c.series) {
    runs.push_back(s.run_id.str());
    series.push_back(series_to_json(s));
  }
  for (const auto& row : c.values) {
    Json r = Json::array();
    for (const auto& v : row) r.push_back(opt(v));
    values.push_back(std::move(r));
  }
  for (const RunSummary& s : c.summaries) summaries.push_back(summary_to_json(s));
  Json j;
  j["field"] = c.field;
  j["runs"] = std::move(runs);
  j["epochs"] = c.epochs;
  j["values"] = std::move(values);
  j["series"] = std::move(series);
  j["summaries"] = std::move(summaries);
  return j;
}

}  // namespace canopy::json
