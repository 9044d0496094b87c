// libFuzzer target: the configuration loader on arbitrary text, once as a
// YAML file and once as `--set key=value` overrides (one per line). The only
// exception load_config may throw is canopy::ConfigError; anything else (a
// yaml-cpp exception, std::out_of_range from a number, a crash) is a bug.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <unistd.h>

#include "canopy/config.h"

namespace {

void Load(const canopy::ConfigSources& sources) {
  try {
    canopy::Config c = canopy::load_config(sources);
    (void)canopy::dump_config(c);  // every accepted config can be shown
  } catch (const canopy::ConfigError&) {
  } catch (const std::exception& e) {
    std::fprintf(stderr, "load_config threw a non-ConfigError: %s\n", e.what());
    std::abort();
  }
}

std::string FilePath() {
  return (std::filesystem::temp_directory_path() / ("canopy-config-fuzz-" + std::to_string(::getpid()) + ".yaml"))
      .string();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  static const std::string path = FilePath();
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(text.data(), static_cast<std::streamsize>(text.size()));
  }
  canopy::ConfigSources from_file;
  from_file.file = path;
  from_file.environment = canopy::Environment{};  // never the fuzzer's own environment
  Load(from_file);

  canopy::ConfigSources from_overrides;
  from_overrides.environment = canopy::Environment{};
  for (size_t start = 0; start <= text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    from_overrides.overrides.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  Load(from_overrides);
  return 0;
}
