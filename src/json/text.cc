#include "json/text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "json/time.h"

namespace canopy::json {

// What printf("%.*g", p, v) gives for the smallest p >= 6 that reads back
// as v, built from the shortest round-trip digits of std::to_chars: one
// conversion instead of up to twelve printf/strtod pairs (exports write
// millions of these).
std::string number_text(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v != 0 && std::fabs(v) < std::numeric_limits<double>::min()) {
    // Subnormal: too few bits for the shortcut below; printf's own loop.
    char buf[32];
    for (int precision = 6; precision <= 17; ++precision) {
      std::snprintf(buf, sizeof buf, "%.*g", precision, v);
      if (std::strtod(buf, nullptr) == v) break;
    }
    return buf;
  }
  char sci[40];
  const auto r = std::to_chars(sci, sci + sizeof sci, v, std::chars_format::scientific);
  std::string_view s(sci, static_cast<std::size_t>(r.ptr - sci));  // [-]d[.ddd]e±XX
  std::string out;
  if (s.front() == '-') {
    out += '-';
    s.remove_prefix(1);
  }
  const std::size_t e = s.find('e');
  std::string digits(1, s[0]);
  if (e > 1) digits.append(s.substr(2, e - 2));
  int exponent = 0;
  std::from_chars(s.data() + e + 2, s.data() + s.size(), exponent);
  if (s[e + 1] == '-') exponent = -exponent;
  const int n = static_cast<int>(digits.size());
  if (exponent < -4 || exponent >= std::max(6, n)) return out.append(s);  // %g's scientific form
  if (exponent < 0) return out.append("0.").append(static_cast<std::size_t>(-exponent - 1), '0').append(digits);
  if (n <= exponent + 1) return out.append(digits).append(static_cast<std::size_t>(exponent + 1 - n), '0');
  return out.append(digits, 0, exponent + 1).append(".").append(digits, exponent + 1);
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

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace canopy::json
