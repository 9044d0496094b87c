#include "cli/output.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <tuple>

#include "canopy/columns.h"
#include "json/text.h"
#include "json/time.h"
#include "json/to_json.h"

namespace canopy::cli {
namespace {

using json::Json;
using json::csv_field;
using json::field_text;
using json::format_time;

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
    for (std::size_t c = 0; c < r.size(); ++c) out << (c ? "," : "") << csv_field(r[c]);
    out << '\n';
  }
}

// Fixed column widths keep a streamed table aligned without seeing every row.
std::size_t metric_width(std::size_t column) {
  return column == 0 ? 24 : std::max<std::size_t>(json::metric_column_names()[column].size(), 12);
}

void put_cell(std::ostream& out, const std::string& cell, std::size_t column) {
  out << cell;
  if (column + 1 < json::metric_column_names().size()) {
    std::size_t w = metric_width(column);
    out << std::string(cell.size() < w ? w - cell.size() + 2 : 2, ' ');
  }
}

// A cell of a table: doubles rounded, everything else as in CSV.
template <class T>
std::string table_cell(const T& v) {
  return field_text(v);
}
std::string table_cell(const std::optional<double>& v) { return v ? table_number(*v) : ""; }

}  // namespace

std::string table_number(double v) {
  if (!std::isfinite(v)) return json::number_text(v);
  const double a = std::fabs(v);
  char buf[48];
  if (a != 0 && (a < 1e-3 || a >= 1e7)) {
    std::snprintf(buf, sizeof buf, "%.3e", v);
    return buf;
  }
  const int decimals = a >= 1000 ? 0 : a >= 100 ? 1 : a >= 10 ? 2 : a >= 1 ? 3 : 4;
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

std::optional<Format> parse_format(std::string_view name) {
  if (name == "table") return Format::kTable;
  if (name == "csv") return Format::kCsv;
  if (name == "json") return Format::kJson;
  return std::nullopt;
}

void print_runs(std::ostream& out, const std::vector<Run>& runs, Format format) {
  if (format == Format::kJson) {
    Json a = Json::array();
    for (const Run& r : runs) a.push_back(json::run_to_json(r));
    out << a.dump(2) << '\n';
    return;
  }
  const std::vector<std::string> header = {"run_id",     "status",      "dataset",
                                           "start_time", "duration_s", "final_epoch",
                                           "final_val_accuracy", "hidden_units"};
  std::vector<std::vector<std::string>> rows;
  for (const Run& r : runs)
    rows.push_back({r.run_id.str(), r.status, r.dataset_name, field_text(r.start_time),
                    format == Format::kTable ? table_cell(r.duration_seconds) : field_text(r.duration_seconds),
                    field_text(r.final_epoch),
                    format == Format::kTable ? table_cell(r.final_val_accuracy) : field_text(r.final_val_accuracy),
                    field_text(r.total_hidden_units)});
  print_rows(out, header, rows, format);
}

void print_run(std::ostream& out, const Run& r, Format format) {
  if (format == Format::kJson) {
    out << json::run_to_json(r).dump(2) << '\n';
    return;
  }
  Json j = json::run_to_json(r);
  for (const auto& [key, value] : j.items()) {
    if (key == "config_json") continue;  // shown parsed as `config`
    std::string v = value.is_string() ? value.get<std::string>()
                    : value.is_null() ? ""
                    : value.is_number_float() && format == Format::kTable ? table_number(value.get<double>())
                    : value.dump();
    if (format == Format::kCsv) out << key << ',' << csv_field(v) << '\n';
    else out << key << std::string(key.size() < 22 ? 22 - key.size() : 1, ' ') << v << '\n';
  }
}

void print_topology(std::ostream& out, std::vector<NetworkTopology> snapshots, Format format) {
  std::sort(snapshots.begin(), snapshots.end(), [](const auto& a, const auto& b) {
    return std::tie(a.timestamp, a.hidden_units) < std::tie(b.timestamp, b.hidden_units);
  });
  if (format == Format::kJson) {
    Json a = Json::array();
    for (const auto& t : snapshots) a.push_back(json::topology_to_json(t));
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
  if (format_ == Format::kCsv) {
    out_ << json::metric_csv_header();
    return;
  }
  for (std::size_t c = 0; c < json::metric_column_names().size(); ++c)
    put_cell(out_, std::string(json::metric_column_names()[c]), c);
  out_ << '\n';
}

void MetricWriter::row(const Metric& m) {
  if (format_ == Format::kJson) {
    std::string line = first_ ? "\n  " : ",\n  ";
    json::append_metric_json(line, m);
    out_ << line;
  } else if (format_ == Format::kCsv) {
    out_ << json::metric_csv_line(m);
  } else {
    columns::for_each_column(columns::kMetricColumns,
                             [&](const auto& c, std::size_t i) { put_cell(out_, table_cell(m.*(c.member)), i); });
    out_ << '\n';
  }
  first_ = false;
}

void MetricWriter::end() {
  if (format_ == Format::kJson) out_ << (first_ ? "]\n" : "\n]\n");
  out_.flush();
}

}  // namespace canopy::cli
