#include "json/text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "canopy/columns.h"
#include "json/time.h"

namespace canopy::json {

// What printf("%.*g", p, v) gives for the smallest p >= 6 that reads back
// as v, built from the shortest round-trip digits of std::to_chars: one
// conversion instead of up to twelve printf/strtod pairs (exports write
// millions of these).
void append_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "nan";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "inf" : "-inf";
    return;
  }
  if (v != 0 && std::fabs(v) < std::numeric_limits<double>::min()) {
    // Subnormal: too few bits for the shortcut below; printf's own loop.
    char buf[32];
    for (int precision = 6; precision <= 17; ++precision) {
      std::snprintf(buf, sizeof buf, "%.*g", precision, v);
      if (std::strtod(buf, nullptr) == v) break;
    }
    out += buf;
    return;
  }
  char sci[40];
  const auto r = std::to_chars(sci, sci + sizeof sci, v, std::chars_format::scientific);
  std::string_view s(sci, static_cast<std::size_t>(r.ptr - sci));  // [-]d[.ddd]e±XX
  if (s.front() == '-') {
    out += '-';
    s.remove_prefix(1);
  }
  const std::size_t e = s.find('e');
  // The significant digits, without the point, in a small buffer.
  char digits[24];
  std::size_t n = 0;
  digits[n++] = s[0];
  for (std::size_t k = 2; k < e; ++k) digits[n++] = s[k];
  int exponent = 0;
  std::from_chars(s.data() + e + 2, s.data() + s.size(), exponent);
  if (s[e + 1] == '-') exponent = -exponent;
  const std::string_view d(digits, n);
  const auto count = static_cast<int>(n);
  if (exponent < -4 || exponent >= std::max(6, count)) {
    out.append(s);  // %g's scientific form
  } else if (exponent < 0) {
    out.append("0.").append(static_cast<std::size_t>(-exponent - 1), '0').append(d);
  } else if (count <= exponent + 1) {
    out.append(d).append(static_cast<std::size_t>(exponent + 1 - count), '0');
  } else {
    const auto point = static_cast<std::size_t>(exponent + 1);
    out.append(d.substr(0, point)).append(".").append(d.substr(point));
  }
}

std::string number_text(double v) {
  std::string out;
  append_number(out, v);
  return out;
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

const std::vector<std::string_view>& metric_column_names() {
  static const std::vector<std::string_view> names = columns::column_names(columns::kMetricColumns);
  return names;
}


std::string metric_csv_header() {
  std::string line;
  for (std::string_view c : metric_column_names()) line += (line.empty() ? "" : ",") + std::string(c);
  return line + '\n';
}

namespace {
template <typename T>
void append_int(std::string& out, T v) {
  char buf[24];
  out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}
void append_cell(std::string& out, const std::optional<double>& v) {
  if (v) append_number(out, *v);
}
void append_cell(std::string& out, const std::optional<std::int32_t>& v) {
  if (v) append_int(out, *v);
}
void append_cell(std::string& out, const std::optional<Timestamp>& v) {
  if (v) append_time(out, *v);
}
}  // namespace

// The cells are numbers and times: none needs CSV quoting.
void append_metric_csv(std::string& out, const Metric& m) {
  columns::for_each_column(columns::kMetricColumns, [&](const auto& c, std::size_t i) {
    if (i > 0) out += ',';
    append_cell(out, m.*(c.member));
  });
  out += '\n';
}

std::string metric_csv_line(const Metric& m) {
  std::string line;
  append_metric_csv(line, m);
  return line;
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
