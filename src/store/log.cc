#include "store/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace canopy::store {

spdlog::logger& logger() {
  static const std::shared_ptr<spdlog::logger> instance = [] {
    if (auto existing = spdlog::get("canopy")) return existing;  // set up by the program
    return spdlog::stderr_color_mt("canopy");
  }();
  return *instance;
}

}  // namespace canopy::store
