// Helpers for the config tests: write YAML to a temporary file and load it
// with an injected environment, so no test depends on the caller's shell.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "canopy/config.h"

namespace canopy::config_test {

// An environment with only HOME set, so default paths are predictable.
inline Environment test_env(Environment extra = {}) {
  extra.emplace("HOME", "/home/tester");
  return extra;
}

// Writes `yaml` to a fresh file under the test temp dir and returns its path.
inline std::string write_yaml(const std::string& yaml) {
  static std::atomic<int> counter{0};
  const std::filesystem::path path =
      std::filesystem::path(testing::TempDir()) /
      ("config_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + ".yaml");
  std::ofstream(path) << yaml;
  return path.string();
}

inline Config load_yaml(const std::string& yaml, Environment env = {},
                        std::vector<std::string> overrides = {}) {
  return load_config({write_yaml(yaml), test_env(std::move(env)), std::move(overrides)});
}

inline Config load_env(Environment env, std::vector<std::string> overrides = {}) {
  return load_config({std::nullopt, test_env(std::move(env)), std::move(overrides)});
}

inline Config load_overrides(std::vector<std::string> overrides) {
  return load_config({std::nullopt, test_env(), std::move(overrides)});
}

// The ConfigError that loading raises; fails the test when nothing is thrown.
inline ConfigError error_of(const ConfigSources& sources) {
  try {
    load_config(sources);
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "load_config accepted the input";
  return ConfigError("", "(no error)");
}

inline ConfigError yaml_error(const std::string& yaml) {
  return error_of({write_yaml(yaml), test_env(), {}});
}

inline ConfigError env_error(Environment env) {
  return error_of({std::nullopt, test_env(std::move(env)), {}});
}

inline ConfigError override_error(std::string override_text) {
  return error_of({std::nullopt, test_env(), {std::move(override_text)}});
}

}  // namespace canopy::config_test
