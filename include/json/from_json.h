// The public types read back from their JSON forms (what to_json.h writes,
// and what producers send to the read API's write endpoints).
//
// Every function throws canopy::InvalidArgument naming the offending field
// as `<what>.<field>` and its value: unknown fields, wrong types, integers
// out of range and unreadable times are refused, never guessed. Doubles take
// a number or "NaN"/"Infinity"/"-Infinity"; times take the text forms of
// json/time.h (ISO-8601, "@<epoch ms>", relative to now); null = unset.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "canopy/types.h"

namespace canopy::json {

Metric metric_from_json(const nlohmann::json& j, const std::string& what = "metric");

// {dataset_name, config (any JSON, stored as its text) or config_json (text),
//  tags ({str: str}), notes, run_id, start_time}; all optional.
NewRun new_run_from_json(const nlohmann::json& j, const std::string& what = "run");

// {status, end_time, final_epoch, ..., total_parameters}; all optional.
// `status` (default "completed") is returned through `status`.
FinalMetrics final_metrics_from_json(const nlohmann::json& j, std::string& status,
                                     const std::string& what = "complete");

}  // namespace canopy::json
