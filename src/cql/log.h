// The CQL client's log: the spdlog logger "cql", writing to stderr.
// spdlog's default logger writes to stdout, where a warning would corrupt
// the output of the program using the client (a CLI's JSON, say). A program
// that wants the lines elsewhere replaces the logger's sinks
// (spdlog::get("cql")).
#pragma once

#include <spdlog/spdlog.h>

namespace cql {

spdlog::logger& logger();

}  // namespace cql
