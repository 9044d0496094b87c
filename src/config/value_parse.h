// Parsers for the scalar forms a configuration value can take, shared by the
// YAML file, the environment and the command-line overrides. Pure functions:
// each returns nothing when the text is not of the form; range checks belong
// to the caller, which knows the key.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace canopy::config_detail {

// `text` without leading and trailing spaces and tabs.
std::string_view trim(std::string_view text);

// true/false/yes/no/1/0, case-insensitive.
std::optional<bool> parse_bool(std::string_view text);

// A decimal integer with optional leading '-'; nothing else (no '+', no
// fraction, no exponent, no hex), and it must fit in int64.
std::optional<std::int64_t> parse_int(std::string_view text);

// A non-negative duration: a plain number is seconds ("10", "0.5"); a number
// followed by a unit is that unit ("500ms", "10s", "2m", "1h"). The result
// must be a whole number of milliseconds below about 290 million years.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// The shortest exact spelling parse_duration reads back: "2m", "10s", "500ms".
std::string format_duration(std::chrono::milliseconds duration);

// The canonical (upper-case) name of a CQL consistency level, matched
// case-insensitively: ANY ONE TWO THREE QUORUM ALL LOCAL_QUORUM EACH_QUORUM
// SERIAL LOCAL_SERIAL LOCAL_ONE.
std::optional<std::string> parse_consistency(std::string_view text);

// Every level parse_consistency accepts, in protocol order.
const std::vector<std::string_view>& consistency_levels();

// `text` split at `separator`, each item trimmed; empty items are kept so the
// caller can reject them. An empty `text` gives one empty item.
std::vector<std::string> split(std::string_view text, char separator);

}  // namespace canopy::config_detail
