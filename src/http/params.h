// Reading the read API's query and path parameters. Each reader throws
// ApiError 400 naming the parameter and the value it refused, so handlers
// never see malformed input.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "canopy/types.h"
#include "canopy/uuid.h"

namespace canopy::http {

using Params = std::multimap<std::string, std::string>;

// The last value of `name`, or nullopt when absent or empty.
std::optional<std::string> param(const Params& params, const std::string& name);
// Every value of `name`, in order (for ?run=A&run=B).
std::vector<std::string> params_all(const Params& params, const std::string& name);

// An integer in [min, max]; absent → fallback.
int int_param(const Params& params, const std::string& name, int fallback, int min, int max);
// A time in the forms of json/time.h (ISO-8601, -1h, now, @<epoch ms>).
std::optional<Timestamp> time_param(const Params& params, const std::string& name);
// One of `allowed`; absent → fallback.
std::string choice_param(const Params& params, const std::string& name, const std::string& fallback,
                         const std::vector<std::string>& allowed);
// A run id; malformed → 400 with detail "Invalid UUID".
Uuid run_id_value(const std::string& text, const std::string& parameter);

// Refuses parameters a route does not take (a typo such as `limt` would
// otherwise be ignored silently).
void check_known(const Params& params, const std::vector<std::string>& known);

// The metrics paging cursor: an opaque token for the (timestamp, step) of
// the last row of a page.
struct MetricKey {
  Timestamp timestamp{};
  std::int32_t step = 0;
  friend auto operator<=>(const MetricKey&, const MetricKey&) = default;
};
std::string encode_cursor(const MetricKey& key);
std::optional<MetricKey> decode_cursor(const std::string& token);

}  // namespace canopy::http
