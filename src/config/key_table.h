// The table of configuration keys: for each dotted YAML key, what values are
// allowed and how a value is checked and stored in canopy::Config. The YAML
// file, the environment and the overrides all go through it, so a key is
// validated the same way whatever its source.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "canopy/config.h"

namespace canopy::config_detail {

struct Key;

// One value on its way into the Config: a YAML node from the file, or the
// text of an environment variable or override. Its accessors convert and
// check it, and throw ConfigError naming the origin, the value (unless the
// key is secret) and the key's allowed values.
class Value {
 public:
  // `subject` is what ConfigError::key() reports (the dotted key, or the
  // environment variable); `origin` starts every message, e.g.
  // "canopy.yaml:3:5: backend.cassandra.port".
  Value(const Key& key, std::string subject, std::string origin, YAML::Node node);
  Value(const Key& key, std::string subject, std::string origin, std::string text);

  // Verbatim (a password may begin or end with spaces); null in YAML reads as
  // "". The typed accessors below ignore surrounding spaces.
  std::string as_string() const;
  bool as_bool() const;
  std::int64_t as_int(std::int64_t min, std::int64_t max) const;
  std::chrono::milliseconds as_duration() const;  // 1ms..24h
  std::chrono::milliseconds as_duration_or_zero() const;  // 0 or 1ms..24h
  std::string as_consistency() const;
  // A YAML sequence, or a comma-separated string (or a YAML flow sequence
  // "[a, b]" from the environment or an override).
  std::vector<std::string> as_list() const;
  // A YAML map (from the environment or an override: a YAML flow map).
  YAML::Node as_map() const;

  // Throws "<origin>: invalid value <value> (<reason>); allowed: <allowed>".
  // <value> is the quoted text, or "(a map)", "(a sequence)", "(empty)", and
  // "(secret, not shown)" for secret keys.
  [[noreturn]] void reject(std::string_view reason = {}) const;

 private:
  std::string scalar() const;  // the text of a scalar; rejects maps and sequences
  std::string shown() const;   // the value as quoted in messages

  const Key& key_;
  std::string subject_;
  std::string origin_;
  std::optional<YAML::Node> node_;
  std::string text_;
};

struct Key {
  std::string_view name;     // dotted YAML path, e.g. "backend.cassandra.port"
  std::string_view allowed;  // for messages: "an integer 1..65535"
  bool secret;               // never shown in messages
  void (*apply)(Config& config, const Value& value);
};

// Every key, in the order of docs/config.md.
const std::vector<Key>& keys();

// The key named `name`, or nullptr.
const Key* find_key(std::string_view name);

// True when `name` is a section holding keys ("backend", "backend.cassandra").
bool is_section(std::string_view name);

// `name` up to its first character that cannot be part of a key, then
// "... (rest not shown)": a mistyped key such as "password:hunter2" (a
// missing space in YAML) must not put the password into a message.
std::string shown_key(std::string_view name);

// "unknown key <shown_key(name)>" plus "; did you mean <k>?" when one is close.
std::string unknown_key_message(std::string_view name);

// An environment variable and the key it sets.
struct EnvironmentVariable {
  std::string_view name;
  std::string_view key;
};
const std::vector<EnvironmentVariable>& environment_variables();

}  // namespace canopy::config_detail
