// load_config: defaults < YAML file < environment < overrides, every value
// through the key table, then the checks that involve several keys.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>

#include "canopy/config.h"
#include "config/key_table.h"
#include "config/value_parse.h"

namespace canopy {

namespace {

using config_detail::find_key;
using config_detail::is_section;
using config_detail::Key;
using config_detail::shown_key;
using config_detail::trim;
using config_detail::unknown_key_message;
using config_detail::Value;

std::string read_file(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) throw ConfigError("", "cannot read config file " + path + ": " + std::strerror(errno));
  std::string text;
  char buffer[16384];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, file.get())) text.append(buffer, n);
  // A directory opens but fails on read with EISDIR.
  if (std::ferror(file.get())) {
    throw ConfigError("", "cannot read config file " + path + ": " + std::strerror(errno));
  }
  return text;
}

// An empty path: a Config built in code (validate_config), no file position.
std::string position(const std::string& path, const YAML::Mark& mark) {
  if (path.empty()) return "Config";
  return path + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

// The names directly under `section`, for messages: "enabled, contact_points, ...".
std::string children_of(const std::string& section) {
  std::vector<std::string> names;
  const std::string prefix = section + ".";
  for (const Key& key : config_detail::keys()) {
    if (!key.name.starts_with(prefix)) continue;
    std::string child(key.name.substr(prefix.size()));
    child = child.substr(0, child.find('.'));
    if (std::find(names.begin(), names.end(), child) == names.end()) names.push_back(child);
  }
  std::string list;
  for (const std::string& name : names) list += (list.empty() ? "" : ", ") + name;
  return list;
}

void apply_map(Config& config, const YAML::Node& map, const std::string& section,
               const std::string& path) {
  std::set<std::string> seen;
  for (const auto& entry : map) {
    const std::string where = position(path, entry.first.Mark());
    if (!entry.first.IsScalar()) {
      throw ConfigError(section, where + ": a key in " +
                                     (section.empty() ? "the top level" : section) +
                                     " is not a plain name");
    }
    const std::string name =
        section.empty() ? entry.first.Scalar() : section + "." + entry.first.Scalar();
    if (!seen.insert(name).second) throw ConfigError(name, where + ": duplicate key " + name);

    if (const Key* key = find_key(name)) {
      key->apply(config, Value(*key, name, where + ": " + name, entry.second));
    } else if (is_section(name)) {
      if (entry.second.IsMap()) {
        apply_map(config, entry.second, name, path);
      } else if (!entry.second.IsNull()) {
        throw ConfigError(
            name, where + ": " + name + " must be a map; allowed keys: " + children_of(name));
      }
    } else {
      throw ConfigError(shown_key(name), where + ": " + unknown_key_message(name));
    }
  }
}

void apply_file(Config& config, const std::string& path) {
  const std::string text = read_file(path);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError("", position(path, e.mark) + ": YAML syntax error: " + e.msg);
  }
  if (root.IsNull()) return;  // an empty file changes nothing
  if (!root.IsMap()) {
    throw ConfigError("",
                      path + ": the top level must be a map; allowed keys: backend, ttl, writer");
  }
  apply_map(config, root, "", path);
}

void apply_environment(Config& config, const Environment& env) {
  for (const auto& variable : config_detail::environment_variables()) {
    const auto it = env.find(std::string(variable.name));
    if (it == env.end() || trim(it->second).empty()) continue;  // empty = unset
    const Key& key = *find_key(variable.key);
    key.apply(config, Value(key, std::string(variable.name),
                            "environment variable " + std::string(variable.name) + " (" +
                                std::string(variable.key) + ")",
                            it->second));
  }
}

void apply_override(Config& config, const std::string& text, std::size_t index) {
  const auto equals = text.find('=');
  if (equals == std::string::npos) {
    // Echo the text only when it is a bare key name: "password:hunter2" must
    // not reach a log.
    const std::string name(trim(text));
    const bool is_name = find_key(name) != nullptr || is_section(name);
    throw ConfigError(
        is_name ? name : "",
        (is_name ? "override " + name : "override #" + std::to_string(index + 1) + " (not shown)") +
            ": expected key=value, e.g. backend.cassandra.port=9043");
  }
  const std::string name(trim(std::string_view(text).substr(0, equals)));
  const Key* key = find_key(name);
  if (key == nullptr) {
    if (is_section(name)) {
      throw ConfigError(name, "override " + name + ": " + name +
                                  " is a section; set one of its keys: " + children_of(name));
    }
    throw ConfigError(shown_key(name),
                      "override " + shown_key(name) + ": " + unknown_key_message(name));
  }
  key->apply(config, Value(*key, name, "override " + name, text.substr(equals + 1)));
}

// "~/x" → "$HOME/x", so paths can be written the way shells do.
std::string expand_home(const std::string& path, const Environment& env) {
  if (path != "~" && !path.starts_with("~/")) return path;
  const auto home = env.find("HOME");
  if (home == env.end() || home->second.empty()) return path;
  return home->second + path.substr(1);
}

// The rules that involve more than one key; run once every source is applied.
void check_combination(const Config& config) {
  const AuthConfig& auth = config.cassandra.auth_provider;
  if (auth.enabled && auth.username.empty()) {
    throw ConfigError("backend.cassandra.auth_provider.username",
                      "backend.cassandra.auth_provider.enabled is true but "
                      "backend.cassandra.auth_provider.username is empty; set the username in the "
                      "file, with CASSANDRA_USERNAME or an override, or disable auth");
  }
  const SslConfig& ssl = config.cassandra.ssl;
  if (ssl.cert_file.empty() != ssl.key_file.empty()) {
    const bool has_cert = !ssl.cert_file.empty();
    throw ConfigError(
        has_cert ? "backend.cassandra.ssl.key_file" : "backend.cassandra.ssl.cert_file",
        std::string("backend.cassandra.ssl.") + (has_cert ? "cert_file" : "key_file") + " is set but " +
            "backend.cassandra.ssl." + (has_cert ? "key_file" : "cert_file") +
            " is empty; a client certificate needs both (mutual TLS), or set neither");
  }
  const CassandraConfig& cassandra = config.cassandra;
  if (cassandra.request_deadline.count() != 0 && cassandra.request_deadline < cassandra.request_timeout) {
    throw ConfigError("backend.cassandra.request_deadline",
                      "backend.cassandra.request_deadline (" +
                          config_detail::format_duration(cassandra.request_deadline) +
                          ") is shorter than backend.cassandra.request_timeout (" +
                          config_detail::format_duration(cassandra.request_timeout) +
                          "), so no attempt could use its timeout; allowed: 0 (no total deadline) or "
                          "request_deadline >= request_timeout");
  }
  const WriterConfig& writer = config.writer;
  if (writer.retry_initial > writer.retry_max) {
    throw ConfigError("writer.retry_initial",
                      "writer.retry_initial (" +
                          config_detail::format_duration(writer.retry_initial) +
                          ") is longer than writer.retry_max (" +
                          config_detail::format_duration(writer.retry_max) +
                          "); allowed: retry_initial <= retry_max");
  }
  if (static_cast<std::size_t>(config.cassandra.batch_size) > writer.buffer_capacity) {
    throw ConfigError(
        "backend.cassandra.batch_size",
        "backend.cassandra.batch_size (" + std::to_string(config.cassandra.batch_size) +
            ") is larger than writer.buffer_capacity (" + std::to_string(writer.buffer_capacity) +
            "); allowed: batch_size <= buffer_capacity");
  }
}

}  // namespace

void validate_config(const Config& config) {
  // Every field through the loader's own key table, from the YAML shape
  // dump_config writes (the password shows as "****": any string is valid).
  YAML::Node root;
  try {
    root = YAML::Load(dump_config(config));
  } catch (const YAML::Exception& e) {
    throw ConfigError("", "Config: cannot be checked: " + e.msg);
  }
  Config checked;
  apply_map(checked, root, "", "");
  check_combination(config);
}

Config load_config(const ConfigSources& sources) {
  const Environment env = sources.environment ? *sources.environment : process_environment();
  Config config;
  if (sources.file) apply_file(config, *sources.file);
  apply_environment(config, env);
  for (std::size_t i = 0; i < sources.overrides.size(); ++i)
    apply_override(config, sources.overrides[i], i);
  check_combination(config);

  for (std::string* path : {&config.cassandra.ssl.ca_file, &config.cassandra.ssl.cert_file,
                            &config.cassandra.ssl.key_file}) {
    *path = expand_home(*path, env);
  }
  config.embedded.path = expand_home(config.embedded.path, env);
  if (config.embedded.path.empty()) config.embedded.path = default_embedded_path(env);
  config.writer.spool_dir = expand_home(config.writer.spool_dir, env);
  if (config.writer.spool_dir.empty())
    config.writer.spool_dir = default_spool_dir(config);
  return config;
}

}  // namespace canopy
