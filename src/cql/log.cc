#include "cql/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace cql {

spdlog::logger& logger() {
  static const std::shared_ptr<spdlog::logger> instance = [] {
    if (auto existing = spdlog::get("cql")) return existing;  // set up by the program
    return spdlog::stderr_color_mt("cql");
  }();
  return *instance;
}

}  // namespace cql
