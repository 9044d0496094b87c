// The store's log: the spdlog logger "canopy", writing to stderr (spdlog's
// default logger writes to stdout, where a warning would corrupt a
// command's JSON or CSV). A program that wants the lines elsewhere replaces
// the logger's sinks (spdlog::get("canopy")).
#pragma once

#include <spdlog/spdlog.h>

namespace canopy::store {

spdlog::logger& logger();

}  // namespace canopy::store
