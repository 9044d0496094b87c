// JSON forms of the public types, shared by the CLI and the read API.
//
// Field names are those of the Python dicts (docs/python.md). Times are
// ISO-8601 UTC with milliseconds; an unset field is null; NaN and ±Inf are
// the strings "NaN", "Infinity", "-Infinity" (JSON has no such numbers).
// Objects keep the order of the fields as listed in docs/http.md.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "canopy/series.h"
#include "canopy/types.h"

namespace canopy::json {

using Json = nlohmann::ordered_json;

// A double as JSON: a number, or "NaN"/"Infinity"/"-Infinity".
Json number(double v);
Json time_or_null(const std::optional<Timestamp>& t);

// run_id ... notes as the Python dict (config_json is the text), plus
// `config`: config_json parsed, or the text itself when it is not JSON.
Json run_to_json(const Run& run);
Json metric_to_json(const Metric& metric);
// The same object as metric_to_json(metric).dump(), written straight into
// `out` (numbers in number_text's shortest form): for exports and event
// streams, which write millions.
void append_metric_json(std::string& out, const Metric& metric);
// run_id, timestamp, epoch, input_size, output_size, hidden_units,
// total_parameters, and `topology`: topology_json parsed (or the text).
Json topology_to_json(const NetworkTopology& topology);
Json counters_to_json(const WriterCounters& counters);
// {run_id, complete, acknowledged, acknowledged_steps, first_step, last_step,
//  stored, stored_steps, missing: [[first, last], ...], missing_steps,
//  duplicates, unacknowledged_steps, ledger_entries}
Json verification_to_json(const RunVerification& v);
// {run_id, field, values, exact, level, points: [{timestamp, step, epoch, value}]}
Json series_to_json(const Series& series);
// {run_id, metrics, first_timestamp, last_timestamp, fields: {<field>: {...}}}
Json summary_to_json(const RunSummary& summary);
// {field, runs, epochs, values, series, summaries}
Json comparison_to_json(const Comparison& comparison);

}  // namespace canopy::json
