#include "cli/output.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <ostream>
#include <tuple>

#include "cli/time_arg.h"

namespace canopy::cli {
namespace {

using Json = nlohmann::ordered_json;

Json number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return v;
}
template <typename T>
Json opt(const std::optional<T>& v) {
  if (!v) return nullptr;
  if constexpr (std::is_same_v<T, double>) return number(*v);
  else if constexpr (std::is_same_v<T, Timestamp>) return format_time(*v);
  else return *v;
}

// Shortest text that reads back as the same double (%.17g would add noise).
std::string text(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[32];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}
template <typename T>
std::string text(const std::optional<T>& v) {
  if (!v) return "";
  if constexpr (std::is_same_v<T, double>) return text(*v);
  else if constexpr (std::is_same_v<T, Timestamp>) return format_time(*v);
  else return std::to_string(*v);
}

// CSV field quoting (RFC 4180): quote when needed, double inner quotes.
std::string csv(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + '"';
}

void print_table(std::ostream& out, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
  for (const auto& r : rows)
    for (std::size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  auto line = [&](const std::vector<std::string>& r) {
    for (std::size_t c = 0; c < r.size(); ++c) {
      out << r[c];
      if (c + 1 < r.size()) out << std::string(width[c] - r[c].size() + 2, ' ');
    }
    out << '\n';
  };
  line(header);
  for (const auto& r : rows) line(r);
}

// Table or CSV (JSON is written by each caller).
void print_rows(std::ostream& out, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows, Format format) {
  if (format == Format::kTable) {
    print_table(out, header, rows);
    return;
  }
  for (std::size_t c = 0; c < header.size(); ++c) out << (c ? "," : "") << header[c];
  out << '\n';
  for (const auto& r : rows) {
    for (std::size_t c = 0; c < r.size(); ++c) out << (c ? "," : "") << csv(r[c]);
    out << '\n';
  }
}

const std::vector<std::string> kMetricColumns = {
    "timestamp", "step", "epoch", "train_loss", "train_accuracy",
    "val_loss",  "val_accuracy", "learning_rate", "hidden_units"};

// Fixed column widths keep a streamed table aligned without seeing every row.
std::size_t metric_width(std::size_t column) {
  return column == 0 ? 24 : std::max<std::size_t>(kMetricColumns[column].size(), 12);
}

void put_cell(std::ostream& out, const std::string& cell, std::size_t column) {
  out << cell;
  if (column + 1 < kMetricColumns.size()) {
    std::size_t w = metric_width(column);
    out << std::string(cell.size() < w ? w - cell.size() + 2 : 2, ' ');
  }
}

std::vector<std::string> metric_cells(const Metric& m) {
  return {text(m.timestamp),   text(m.step),         text(m.epoch),
          text(m.train_loss),  text(m.train_accuracy), text(m.val_loss),
          text(m.val_accuracy), text(m.learning_rate), text(m.hidden_units)};
}

}  // namespace

std::optional<Format> parse_format(std::string_view name) {
  if (name == "table") return Format::kTable;
  if (name == "csv") return Format::kCsv;
  if (name == "json") return Format::kJson;
  return std::nullopt;
}

Json run_to_json(const Run& r) {
  Json j;
  j["run_id"] = r.run_id.str();
  j["status"] = r.status;
  j["dataset_name"] = r.dataset_name;
  j["start_time"] = opt(r.start_time);
  j["end_time"] = opt(r.end_time);
  j["duration_seconds"] = opt(r.duration_seconds);
  j["final_epoch"] = opt(r.final_epoch);
  j["final_train_loss"] = opt(r.final_train_loss);
  j["final_train_accuracy"] = opt(r.final_train_accuracy);
  j["final_val_loss"] = opt(r.final_val_loss);
  j["final_val_accuracy"] = opt(r.final_val_accuracy);
  j["best_val_accuracy"] = opt(r.best_val_accuracy);
  j["best_epoch"] = opt(r.best_epoch);
  j["total_hidden_units"] = opt(r.total_hidden_units);
  j["total_parameters"] = opt(r.total_parameters);
  j["tags"] = r.tags;
  j["notes"] = r.notes;
  // config_json is the run's own JSON: embed it parsed when it parses.
  Json config = Json::parse(r.config_json, nullptr, /*allow_exceptions=*/false);
  j["config"] = config.is_discarded() ? Json(r.config_json) : config;
  return j;
}

Json metric_to_json(const Metric& m) {
  Json j;
  j["timestamp"] = opt(m.timestamp);
  j["step"] = opt(m.step);
  j["epoch"] = opt(m.epoch);
  j["train_loss"] = opt(m.train_loss);
  j["train_accuracy"] = opt(m.train_accuracy);
  j["val_loss"] = opt(m.val_loss);
  j["val_accuracy"] = opt(m.val_accuracy);
  j["learning_rate"] = opt(m.learning_rate);
  j["hidden_units"] = opt(m.hidden_units);
  return j;
}

void print_runs(std::ostream& out, const std::vector<Run>& runs, Format format) {
  if (format == Format::kJson) {
    Json a = Json::array();
    for (const Run& r : runs) a.push_back(run_to_json(r));
    out << a.dump(2) << '\n';
    return;
  }
  const std::vector<std::string> header = {"run_id",     "status",      "dataset",
                                           "start_time", "duration_s", "final_epoch",
                                           "final_val_accuracy", "hidden_units"};
  std::vector<std::vector<std::string>> rows;
  for (const Run& r : runs)
    rows.push_back({r.run_id.str(), r.status, r.dataset_name, text(r.start_time),
                    text(r.duration_seconds), text(r.final_epoch), text(r.final_val_accuracy),
                    text(r.total_hidden_units)});
  print_rows(out, header, rows, format);
}

void print_run(std::ostream& out, const Run& r, Format format) {
  if (format == Format::kJson) {
    out << run_to_json(r).dump(2) << '\n';
    return;
  }
  Json j = run_to_json(r);
  for (const auto& [key, value] : j.items()) {
    std::string v = value.is_string() ? value.get<std::string>() : value.is_null() ? "" : value.dump();
    if (format == Format::kCsv) out << key << ',' << csv(v) << '\n';
    else out << key << std::string(key.size() < 22 ? 22 - key.size() : 1, ' ') << v << '\n';
  }
}

void print_topology(std::ostream& out, std::vector<NetworkTopology> snapshots, Format format) {
  std::sort(snapshots.begin(), snapshots.end(), [](const auto& a, const auto& b) {
    return std::tie(a.timestamp, a.hidden_units) < std::tie(b.timestamp, b.hidden_units);
  });
  if (format == Format::kJson) {
    Json a = Json::array();
    for (const auto& t : snapshots) {
      Json j;
      j["timestamp"] = format_time(t.timestamp);
      j["epoch"] = t.epoch;
      j["input_size"] = t.input_size;
      j["output_size"] = t.output_size;
      j["hidden_units"] = t.hidden_units;
      j["total_parameters"] = t.total_parameters;
      Json topology = Json::parse(t.topology_json, nullptr, false);
      j["topology"] = topology.is_discarded() ? Json(t.topology_json) : topology;
      a.push_back(std::move(j));
    }
    out << a.dump(2) << '\n';
    return;
  }
  const std::vector<std::string> header = {"timestamp", "epoch", "input_size", "output_size",
                                           "hidden_units", "total_parameters"};
  std::vector<std::vector<std::string>> rows;
  for (const auto& t : snapshots)
    rows.push_back({format_time(t.timestamp), std::to_string(t.epoch), std::to_string(t.input_size),
                    std::to_string(t.output_size), std::to_string(t.hidden_units),
                    std::to_string(t.total_parameters)});
  print_rows(out, header, rows, format);
}

void MetricWriter::begin() {
  first_ = true;
  if (format_ == Format::kJson) {
    out_ << "[";
    return;
  }
  for (std::size_t c = 0; c < kMetricColumns.size(); ++c) {
    if (format_ == Format::kCsv) out_ << (c ? "," : "") << kMetricColumns[c];
    else put_cell(out_, kMetricColumns[c], c);
  }
  out_ << '\n';
}

void MetricWriter::row(const Metric& m) {
  if (format_ == Format::kJson) {
    out_ << (first_ ? "\n  " : ",\n  ") << metric_to_json(m).dump();
  } else {
    auto cells = metric_cells(m);
    for (std::size_t c = 0; c < cells.size(); ++c) {
      if (format_ == Format::kCsv) {
        out_ << (c ? "," : "") << csv(cells[c]);
      } else {
        put_cell(out_, cells[c], c);
      }
    }
    out_ << '\n';
  }
  first_ = false;
}

void MetricWriter::end() {
  if (format_ == Format::kJson) out_ << (first_ ? "]\n" : "\n]\n");
  out_.flush();
}

}  // namespace canopy::cli
