// Times as text, shared by the CLI (--from, --to) and the read API (from=,
// to=, and every time in an answer): ISO-8601 instants and relative forms.
// Pure functions, unit-tested in tests/unit/json_time_test.cc.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "canopy/types.h"

namespace canopy::json {

// Accepted forms (UTC unless an offset is given):
//   2026-11-25                      midnight UTC of that day
//   2026-11-25T10:20[:30[.123]]     with 'T' or a space; optional Z or ±hh:mm
//   now, -90s, -30m, -1h, -2d, -1w  relative to `now` (also +, and several
//                                   units such as -1h30m)
//   @1732530000000                  milliseconds since the Unix epoch
// Returns the instant, or nullopt with `error` saying what is wrong.
std::optional<Timestamp> parse_time_arg(std::string_view text, Timestamp now, std::string* error);

// ISO-8601 UTC with milliseconds: 2026-11-25T10:20:30.123Z.
std::string format_time(Timestamp t);
// The same, appended to `out` without allocating.
void append_time(std::string& out, Timestamp t);

}  // namespace canopy::json
