#include "config/key_table.h"

#include <algorithm>
#include <cctype>

#include "config/suggest.h"
#include "config/value_parse.h"

namespace canopy::config_detail {

// ---- Value ----------------------------------------------------------------

Value::Value(const Key& key, std::string subject, std::string origin, YAML::Node node)
    : key_(key), subject_(std::move(subject)), origin_(std::move(origin)), node_(std::move(node)) {}

Value::Value(const Key& key, std::string subject, std::string origin, std::string text)
    : key_(key), subject_(std::move(subject)), origin_(std::move(origin)), text_(std::move(text)) {}

void Value::reject(std::string_view reason) const {
  std::string message = origin_ + ": invalid value " + shown();
  if (!reason.empty()) message += " (" + std::string(reason) + ")";
  throw ConfigError(subject_, message + "; allowed: " + std::string(key_.allowed));
}

std::string Value::shown() const {
  if (node_ && node_->IsMap()) return "(a map)";
  if (node_ && node_->IsSequence()) return "(a sequence)";
  if (node_ && node_->IsNull()) return "(empty)";
  if (key_.secret) return "(secret, not shown)";
  std::string text = node_ ? node_->Scalar() : text_;
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return "\"" + text + "\"";
}

std::string Value::scalar() const {
  if (!node_) return text_;
  if (!node_->IsScalar()) reject();
  return node_->Scalar();
}

std::string Value::as_string() const {
  if (node_ && node_->IsNull()) return "";
  return scalar();
}

bool Value::as_bool() const {
  if (auto value = parse_bool(trim(scalar()))) return *value;
  reject();
}

std::int64_t Value::as_int(std::int64_t min, std::int64_t max) const {
  auto value = parse_int(trim(scalar()));
  if (!value || *value < min || *value > max) reject();
  return *value;
}

std::chrono::milliseconds Value::as_duration() const {
  auto value = parse_duration(trim(scalar()));
  if (!value || value->count() < 1 || *value > std::chrono::hours(24)) reject();
  return *value;
}

std::chrono::milliseconds Value::as_duration_or_zero() const {
  auto value = parse_duration(trim(scalar()));
  if (value && value->count() == 0) return *value;
  return as_duration();
}

std::string Value::as_consistency() const {
  if (auto level = parse_consistency(trim(scalar()))) return *level;
  reject();
}

std::vector<std::string> Value::as_list() const {
  YAML::Node list;
  if (node_) {
    list = *node_;
  } else if (trim(text_).starts_with("[")) {
    try {
      list = YAML::Load(text_);
    } catch (const YAML::Exception& e) {
      reject("YAML: " + e.msg);
    }
  } else {
    return split(text_, ',');
  }
  if (list.IsScalar()) return split(list.Scalar(), ',');
  if (!list.IsSequence()) reject();
  std::vector<std::string> items;
  for (const YAML::Node& item : list) {
    if (!item.IsScalar()) reject("a list item is not a plain value");
    items.push_back(item.Scalar());
  }
  return items;
}

YAML::Node Value::as_map() const {
  YAML::Node map;
  if (node_) {
    map = *node_;
  } else {
    try {
      map = YAML::Load(text_);
    } catch (const YAML::Exception& e) {
      reject("YAML: " + e.msg);
    }
  }
  if (!map.IsMap()) reject();
  return map;
}

// ---- the checks of individual keys ----------------------------------------

namespace {

constexpr std::int64_t kIntMax = 2'147'483'647;
constexpr std::int64_t kMaxTtl = 630'720'000;  // Cassandra's limit: 20 years

constexpr std::string_view kDuration =
    "a duration 1ms..24h: a number of seconds, or a number with unit ms, s, m or h "
    "(\"500ms\", \"10s\", \"2m\")";
constexpr std::string_view kDurationOrZero =
    "0 (off) or a duration 1ms..24h: a number of seconds, or a number with unit ms, s, m or h "
    "(\"500ms\", \"30s\", \"2m\")";
constexpr std::string_view kLevels =
    "ANY, ONE, TWO, THREE, QUORUM, ALL, LOCAL_QUORUM, EACH_QUORUM, SERIAL, LOCAL_SERIAL, "
    "LOCAL_ONE (any case)";

void set_local_datacenter(Config& c, const Value& v) {
  std::string dc{trim(v.as_string())};
  if (dc.find_first_of(" \t,'\"") != std::string::npos) v.reject("a datacenter name has no spaces, commas or quotes");
  c.cassandra.local_datacenter = std::move(dc);
}

void set_contact_points(Config& c, const Value& v) {
  std::vector<std::string> points = v.as_list();
  if (points.empty()) v.reject("empty list");
  for (const std::string& point : points) {
    if (point.empty()) v.reject("empty contact point");
    if (point.find_first_of(" \t") != std::string::npos)
      v.reject("contact point \"" + point + "\" contains a space");
  }
  c.cassandra.contact_points = std::move(points);
}

void set_keyspace(Config& c, const Value& v) {
  // Unquoted CQL identifiers only: the name goes into CREATE KEYSPACE as is.
  std::string name(trim(v.as_string()));
  const bool valid = !name.empty() && name.size() <= 48 &&
                     std::isalpha(static_cast<unsigned char>(name[0])) &&
                     std::all_of(name.begin(), name.end(), [](char ch) {
                       return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_';
                     });
  if (!valid) v.reject();
  // Cassandra folds unquoted names to lower case, but its system_schema
  // tables (read to check TTLs and replication) compare exactly: one
  // spelling everywhere, lower case.
  if (std::any_of(name.begin(), name.end(), [](char ch) { return std::isupper(static_cast<unsigned char>(ch)); })) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](char ch) { return static_cast<char>(std::tolower(static_cast<unsigned char>(ch))); });
    v.reject("upper-case letters: Cassandra folds keyspace names to lower case; write \"" + lower + "\"");
  }
  c.cassandra.keyspace = std::move(name);
}

void set_write_consistency(Config& c, const Value& v) {
  std::string level = v.as_consistency();
  if (level == "SERIAL" || level == "LOCAL_SERIAL") {
    v.reject(
        "serial levels apply only to lightweight transactions; Cassandra rejects them for "
        "plain writes");
  }
  c.cassandra.consistency.write = std::move(level);
}

void set_read_consistency(Config& c, const Value& v) {
  std::string level = v.as_consistency();
  if (level == "ANY") v.reject("Cassandra accepts ANY only for writes");
  c.cassandra.consistency.read = std::move(level);
}

void set_replication(Config& c, const Value& v) {
  const YAML::Node map = v.as_map();
  std::string strategy = "NetworkTopologyStrategy";
  std::map<std::string, int> factors;
  for (const auto& entry : map) {
    if (!entry.first.IsScalar()) v.reject("a key is not a plain name");
    const std::string name = entry.first.Scalar();
    const std::string value = entry.second.IsScalar() ? entry.second.Scalar() : "";
    if (name == "class") {
      strategy = value;
      constexpr std::string_view kPrefix = "org.apache.cassandra.locator.";
      if (strategy.starts_with(kPrefix)) strategy.erase(0, kPrefix.size());
      if (strategy != "NetworkTopologyStrategy" && strategy != "SimpleStrategy") {
        v.reject("unknown class \"" + value + "\"");
      }
      continue;
    }
    const bool valid_name = !name.empty() && std::all_of(name.begin(), name.end(), [](char ch) {
      return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' || ch == '.';
    });
    if (!valid_name) v.reject("invalid datacenter name \"" + name + "\"");
    auto replicas = parse_int(value);
    if (!replicas || *replicas < 1 || *replicas > 1000) {
      v.reject("invalid replication factor \"" + value + "\" for " + name);
    }
    factors[name] = static_cast<int>(*replicas);
  }
  if (strategy == "SimpleStrategy" &&
      (factors.size() != 1 || !factors.contains("replication_factor"))) {
    v.reject("SimpleStrategy needs exactly one entry, replication_factor");
  }
  if (strategy == "NetworkTopologyStrategy") {
    if (factors.empty()) v.reject("NetworkTopologyStrategy needs at least one datacenter");
    if (factors.contains("replication_factor")) {
      v.reject("NetworkTopologyStrategy takes datacenter names, not replication_factor");
    }
  }
  c.cassandra.replication_class = std::move(strategy);
  c.cassandra.replication = std::move(factors);
}

void set_overflow(Config& c, const Value& v) {
  const std::string text = v.as_string();  // word views into it: keep it alive
  const std::string_view word = trim(text);
  for (auto policy : {OverflowPolicy::kSpool, OverflowPolicy::kBlock, OverflowPolicy::kDrop}) {
    if (word == to_string(policy)) {
      c.writer.overflow = policy;
      return;
    }
  }
  v.reject();
}

void set_durability(Config& c, const Value& v) {
  const std::string text = v.as_string();  // word views into it: keep it alive
  const std::string_view word = trim(text);
  for (auto durability : {Durability::kBuffered, Durability::kSpoolEach}) {
    if (word == to_string(durability)) {
      c.writer.durability = durability;
      return;
    }
  }
  v.reject();
}

}  // namespace

// ---- the table ------------------------------------------------------------

const std::vector<Key>& keys() {
  static const std::vector<Key> table{
      {"backend.cassandra.enabled", "true, false, yes, no, 1, 0", false,
       [](Config& c, const Value& v) { c.cassandra.enabled = v.as_bool(); }},
      {"backend.cassandra.contact_points",
       "a non-empty list of host names or addresses (a YAML list, or comma-separated)", false,
       set_contact_points},
      {"backend.cassandra.port", "an integer 1..65535", false,
       [](Config& c, const Value& v) { c.cassandra.port = static_cast<int>(v.as_int(1, 65535)); }},
      {"backend.cassandra.keyspace",
       "a CQL name: a lower-case letter, then lower-case letters, digits or _, at most 48 characters", false,
       set_keyspace},
      {"backend.cassandra.auth_provider.enabled", "true, false, yes, no, 1, 0", false,
       [](Config& c, const Value& v) { c.cassandra.auth_provider.enabled = v.as_bool(); }},
      {"backend.cassandra.auth_provider.username", "a string", false,
       [](Config& c, const Value& v) { c.cassandra.auth_provider.username = v.as_string(); }},
      {"backend.cassandra.auth_provider.password", "a string", true,
       [](Config& c, const Value& v) { c.cassandra.auth_provider.password = v.as_string(); }},
      {"backend.cassandra.ssl.enabled", "true, false, yes, no, 1, 0", false,
       [](Config& c, const Value& v) { c.cassandra.ssl.enabled = v.as_bool(); }},
      {"backend.cassandra.ssl.ca_file", "a PEM file path (empty: the system's CAs)", false,
       [](Config& c, const Value& v) { c.cassandra.ssl.ca_file = v.as_string(); }},
      {"backend.cassandra.ssl.cert_file", "a PEM file path (empty: no client certificate)", false,
       [](Config& c, const Value& v) { c.cassandra.ssl.cert_file = v.as_string(); }},
      {"backend.cassandra.ssl.key_file", "a PEM file path (empty: no client certificate)", false,
       [](Config& c, const Value& v) { c.cassandra.ssl.key_file = v.as_string(); }},
      {"backend.cassandra.ssl.verify_hostname", "true, false, yes, no, 1, 0", false,
       [](Config& c, const Value& v) { c.cassandra.ssl.verify_hostname = v.as_bool(); }},
      {"backend.cassandra.pool_size", "an integer >= 1 (connections per host)", false,
       [](Config& c, const Value& v) {
         c.cassandra.pool_size = static_cast<int>(v.as_int(1, kIntMax));
       }},
      {"backend.cassandra.connect_timeout", kDuration, false,
       [](Config& c, const Value& v) { c.cassandra.connect_timeout = v.as_duration(); }},
      {"backend.cassandra.request_timeout", kDuration, false,
       [](Config& c, const Value& v) { c.cassandra.request_timeout = v.as_duration(); }},
      {"backend.cassandra.request_deadline", kDurationOrZero, false,
       [](Config& c, const Value& v) { c.cassandra.request_deadline = v.as_duration_or_zero(); }},
      {"backend.cassandra.schema_agreement_timeout", kDuration, false,
       [](Config& c, const Value& v) { c.cassandra.schema_agreement_timeout = v.as_duration(); }},
      {"backend.cassandra.local_datacenter",
       "a datacenter name (as the nodes report it in system.local), or empty: the first contact "
       "point's",
       false, set_local_datacenter},
      {"backend.cassandra.batch_size", "an integer >= 1 (metrics per batch)", false,
       [](Config& c, const Value& v) {
         c.cassandra.batch_size = static_cast<int>(v.as_int(1, kIntMax));
       }},
      {"backend.cassandra.max_in_flight", "an integer 1..4096 (batches of one write in flight at once)", false,
       [](Config& c, const Value& v) {
         c.cassandra.max_in_flight = static_cast<int>(v.as_int(1, 4096));
       }},
      {"backend.cassandra.flush_interval", kDuration, false,
       [](Config& c, const Value& v) { c.cassandra.flush_interval = v.as_duration(); }},
      {"backend.cassandra.consistency.write", kLevels, false, set_write_consistency},
      {"backend.cassandra.consistency.read", kLevels, false, set_read_consistency},
      {"backend.cassandra.replication",
       "a map {class: NetworkTopologyStrategy, <datacenter>: <replicas 1..1000>, ...} or "
       "{class: SimpleStrategy, replication_factor: <replicas 1..1000>}",
       false, set_replication},
      {"backend.embedded.path", "a file path (empty: the default path)", false,
       [](Config& c, const Value& v) { c.embedded.path = v.as_string(); }},
      {"ttl.metrics", "seconds 0..630720000 (0 = never expire)", false,
       [](Config& c, const Value& v) { c.ttl.metrics_seconds = v.as_int(0, kMaxTtl); }},
      {"ttl.runs", "seconds 0..630720000 (0 = never expire)", false,
       [](Config& c, const Value& v) { c.ttl.runs_seconds = v.as_int(0, kMaxTtl); }},
      {"writer.buffer_capacity", "an integer >= 1 (metrics held in memory)", false,
       [](Config& c, const Value& v) {
         c.writer.buffer_capacity = static_cast<std::size_t>(v.as_int(1, kIntMax));
       }},
      {"writer.overflow", "spool, block, drop", false, set_overflow},
      {"writer.durability", "buffered, spool_each", false, set_durability},
      {"writer.spool_dir", "a directory path (empty: next to the embedded database)", false,
       [](Config& c, const Value& v) { c.writer.spool_dir = v.as_string(); }},
      {"writer.spool_max_bytes", "bytes: 0 (unlimited) or at least 4194304 (one 4 MiB spool segment)", false,
       [](Config& c, const Value& v) {
         const std::int64_t n = v.as_int(0, INT64_MAX);
         if (n > 0 && n < 4 * 1024 * 1024) v.reject("less than one spool segment");
         c.writer.spool_max_bytes = static_cast<std::uint64_t>(n);
       }},
      {"writer.rollups", "true or false (keep roll-ups for series and summaries)", false,
       [](Config& c, const Value& v) { c.writer.rollups = v.as_bool(); }},
      {"writer.retry_initial", kDuration, false,
       [](Config& c, const Value& v) { c.writer.retry_initial = v.as_duration(); }},
      {"writer.retry_max", kDuration, false,
       [](Config& c, const Value& v) { c.writer.retry_max = v.as_duration(); }},
  };
  return table;
}

const Key* find_key(std::string_view name) {
  for (const Key& key : keys()) {
    if (key.name == name) return &key;
  }
  return nullptr;
}

bool is_section(std::string_view name) {
  if (name.empty()) return true;
  for (const Key& key : keys()) {
    if (key.name.size() > name.size() && key.name.starts_with(name) &&
        key.name[name.size()] == '.') {
      return true;
    }
  }
  return false;
}

namespace {

// `name` up to its first character that cannot be part of a key.
std::string_view visible_part(std::string_view name) {
  const auto end = std::find_if(name.begin(), name.end(), [](char ch) {
    return !(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' || ch == '.');
  });
  return name.substr(0, static_cast<std::size_t>(end - name.begin()));
}

}  // namespace

std::string shown_key(std::string_view name) {
  const std::string_view visible = visible_part(name);
  if (visible.size() == name.size()) return std::string(name);
  return std::string(visible) + "... (rest not shown)";
}

std::string unknown_key_message(std::string_view name) {
  std::vector<std::string_view> names;
  for (const Key& key : keys()) names.push_back(key.name);
  std::string message = "unknown key " + shown_key(name);
  if (auto match = closest_match(visible_part(name), names)) {
    message += "; did you mean " + *match + "?";
  }
  return message;
}

const std::vector<EnvironmentVariable>& environment_variables() {
  static const std::vector<EnvironmentVariable> table{
      {"CASCOR_CASSANDRA_ENABLED", "backend.cassandra.enabled"},
      {"CASCOR_CASSANDRA_CONTACT_POINTS", "backend.cassandra.contact_points"},
      {"CASCOR_CASSANDRA_PORT", "backend.cassandra.port"},
      {"CASCOR_CASSANDRA_KEYSPACE", "backend.cassandra.keyspace"},
      {"CASCOR_CASSANDRA_LOCAL_DATACENTER", "backend.cassandra.local_datacenter"},
      {"CASSANDRA_USERNAME", "backend.cassandra.auth_provider.username"},
      {"CASSANDRA_PASSWORD", "backend.cassandra.auth_provider.password"},
      {"CASCOR_CASSANDRA_SSL_ENABLED", "backend.cassandra.ssl.enabled"},
      {"CASCOR_CASSANDRA_SSL_CA_FILE", "backend.cassandra.ssl.ca_file"},
      {"CASCOR_CASSANDRA_SSL_CERT_FILE", "backend.cassandra.ssl.cert_file"},
      {"CASCOR_CASSANDRA_SSL_KEY_FILE", "backend.cassandra.ssl.key_file"},
      {"CASCOR_CASSANDRA_SSL_VERIFY_HOSTNAME", "backend.cassandra.ssl.verify_hostname"},
      {"CASCOR_CASSANDRA_BATCH_SIZE", "backend.cassandra.batch_size"},
      {"CASCOR_CASSANDRA_FLUSH_INTERVAL", "backend.cassandra.flush_interval"},
      {"CANOPY_EMBEDDED_PATH", "backend.embedded.path"},
  };
  return table;
}

}  // namespace canopy::config_detail

namespace canopy {

std::string_view to_string(OverflowPolicy policy) {
  switch (policy) {
    case OverflowPolicy::kSpool:
      return "spool";
    case OverflowPolicy::kBlock:
      return "block";
    case OverflowPolicy::kDrop:
      return "drop";
  }
  return "?";
}

std::string_view to_string(Durability durability) {
  switch (durability) {
    case Durability::kBuffered:
      return "buffered";
    case Durability::kSpoolEach:
      return "spool_each";
  }
  return "?";
}

}  // namespace canopy
