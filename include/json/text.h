// Plain-text forms of metric values, shared by the CLI (tables, CSV) and the
// read API (CSV export): the shortest text that reads back as the same
// double, RFC 4180 quoting, and a metric as CSV cells.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "canopy/types.h"

namespace canopy::json {

// Shortest text that reads back as the same double (%.17g would add
// noise); NaN and ±Inf as nan, inf, -inf.
std::string number_text(double v);
// The same, appended to `out` without allocating (exports write millions).
void append_number(std::string& out, double v);

// An optional field as text: "" when unset, times as format_time.
std::string field_text(const std::optional<double>& v);
std::string field_text(const std::optional<std::int32_t>& v);
std::string field_text(const std::optional<std::int64_t>& v);
std::string field_text(const std::optional<Timestamp>& v);

// RFC 4180: quoted when it holds a comma, quote or line break.
std::string csv_field(std::string_view s);
// `s` with <, >, & and " escaped for HTML or XML text and attributes.
std::string xml_escape(std::string_view s);

// The metric columns in export order (canopy/columns.h's kMetricColumns).
const std::vector<std::string_view>& metric_column_names();

// "timestamp,step,...\n" and one metric as a CSV line (with '\n').
std::string metric_csv_header();
std::string metric_csv_line(const Metric& m);
void append_metric_csv(std::string& out, const Metric& m);

}  // namespace canopy::json
