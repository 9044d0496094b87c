#include "json/text.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "json/time.h"

namespace canopy::json {

std::string number_text(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[32];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::string field_text(const std::optional<double>& v) { return v ? number_text(*v) : ""; }
std::string field_text(const std::optional<std::int32_t>& v) { return v ? std::to_string(*v) : ""; }
std::string field_text(const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : ""; }
std::string field_text(const std::optional<Timestamp>& v) { return v ? format_time(*v) : ""; }

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + '"';
}

std::vector<std::string> metric_cells(const Metric& m) {
  return {field_text(m.timestamp),    field_text(m.step),         field_text(m.epoch),
          field_text(m.train_loss),   field_text(m.train_accuracy), field_text(m.val_loss),
          field_text(m.val_accuracy), field_text(m.learning_rate), field_text(m.hidden_units)};
}

std::string metric_csv_header() {
  std::string line;
  for (const char* c : kMetricColumns) line += (line.empty() ? "" : ",") + std::string(c);
  return line + '\n';
}

std::string metric_csv_line(const Metric& m) {
  std::string line;
  bool first = true;
  for (const std::string& cell : metric_cells(m)) {
    if (!first) line += ',';
    line += csv_field(cell);
    first = false;
  }
  return line + '\n';
}

}  // namespace canopy::json
