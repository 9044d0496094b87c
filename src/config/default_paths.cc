// Where the embedded database and the spool live unless configured, and the
// process environment they are derived from.
#include <pwd.h>
#include <unistd.h>

#include <filesystem>

#include "canopy/config.h"

extern char** environ;

namespace canopy {

Environment process_environment() {
  Environment env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const auto equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    env.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  return env;
}

std::string default_embedded_path(const Environment& env) {
  // XDG Base Directory spec: a relative XDG_DATA_HOME is invalid and ignored.
  if (auto xdg = env.find("XDG_DATA_HOME"); xdg != env.end() && xdg->second.starts_with("/")) {
    return xdg->second + "/canopy-store/metrics.db";
  }
  std::string home;
  if (auto it = env.find("HOME"); it != env.end() && !it->second.empty()) {
    home = it->second;
  } else if (const passwd* user = getpwuid(getuid()); user != nullptr && user->pw_dir != nullptr) {
    home = user->pw_dir;
  }
  if (home.empty()) {
    throw ConfigError("backend.embedded.path",
                      "backend.embedded.path: no default: neither XDG_DATA_HOME nor HOME is set "
                      "and the user has no home directory; set backend.embedded.path or "
                      "CANOPY_EMBEDDED_PATH");
  }
  return home + "/.local/share/canopy-store/metrics.db";
}

std::string default_spool_dir(const Config& config) {
  if (config.cassandra.enabled) {
    const std::filesystem::path folder = std::filesystem::path(config.embedded.path).parent_path();
    return (folder / ("spool-cassandra-" + config.cassandra.keyspace)).string();
  }
  return config.embedded.path + "-spool";
}

}  // namespace canopy
