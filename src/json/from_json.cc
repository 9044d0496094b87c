#include "json/from_json.h"

#include <cmath>
#include <functional>
#include <limits>
#include <map>

#include "canopy/columns.h"
#include "canopy/errors.h"
#include "json/time.h"

namespace canopy::json {
namespace {

using nlohmann::json;

[[noreturn]] void refuse(const std::string& subject, const std::string& expected, const json& value) {
  throw InvalidArgument(subject + ": expected " + expected + ", got " + value.dump());
}

std::optional<double> read_double(const json& v, const std::string& subject) {
  if (v.is_null()) return std::nullopt;
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (s == "Infinity") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  }
  refuse(subject, "a number (or \"NaN\", \"Infinity\", \"-Infinity\")", v);
}

template <typename Int>
std::optional<Int> read_int(const json& v, const std::string& subject) {
  if (v.is_null()) return std::nullopt;
  if (v.is_number_integer()) {
    // Unsigned above INT64_MAX reads as negative through get<int64_t>.
    if (v.is_number_unsigned() && v.get<std::uint64_t>() > std::uint64_t(std::numeric_limits<Int>::max()))
      refuse(subject, "an integer in range", v);
    const std::int64_t n = v.get<std::int64_t>();
    if (n < std::numeric_limits<Int>::min() || n > std::numeric_limits<Int>::max())
      refuse(subject, "an integer in range", v);
    return static_cast<Int>(n);
  }
  refuse(subject, "an integer", v);
}

std::optional<Timestamp> read_time(const json& v, const std::string& subject) {
  if (v.is_null()) return std::nullopt;
  if (!v.is_string()) refuse(subject, "a time as text (ISO-8601 or @<epoch ms>)", v);
  std::string error;
  auto t = parse_time_arg(v.get_ref<const std::string&>(), now_ms(), &error);
  if (!t) throw InvalidArgument(subject + ": " + v.dump() + " is not a time: " + error);
  return t;
}

std::string read_string(const json& v, const std::string& subject) {
  if (v.is_null()) return "";
  if (!v.is_string()) refuse(subject, "a string", v);
  return v.get<std::string>();
}

// Applies one reader per field name; unknown names are refused with the list.
using Reader = std::function<void(const json&, const std::string&)>;
void read_object(const json& j, const std::string& what, const std::vector<std::pair<const char*, Reader>>& readers) {
  if (!j.is_object()) refuse(what, "an object", j);
  for (const auto& [name, value] : j.items()) {
    const Reader* reader = nullptr;
    for (const auto& [n, r] : readers)
      if (name == n) reader = &r;
    if (!reader) {
      std::string allowed;
      for (const auto& [n, r] : readers) allowed += (allowed.empty() ? "" : ", ") + std::string(n);
      throw InvalidArgument(what + ": unknown field \"" + name + "\"; allowed: " + allowed);
    }
    (*reader)(value, what + "." + name);
  }
}

template <typename T>
Reader into(std::optional<double> T::*member, T& out) {
  return [&out, member](const json& v, const std::string& s) { out.*member = read_double(v, s); };
}
template <typename T, typename Int>
Reader into_int(std::optional<Int> T::*member, T& out) {
  return [&out, member](const json& v, const std::string& s) { out.*member = read_int<Int>(v, s); };
}
template <typename T>
Reader into_time(std::optional<Timestamp> T::*member, T& out) {
  return [&out, member](const json& v, const std::string& s) { out.*member = read_time(v, s); };
}

// A reader for any optional member of a column table.
template <typename T, typename V>
Reader into_column(std::optional<V> T::*member, T& out) {
  if constexpr (std::is_same_v<V, double>) {
    return into(member, out);
  } else if constexpr (std::is_same_v<V, Timestamp>) {
    return into_time(member, out);
  } else {
    return into_int(member, out);
  }
}

// One reader per column of `table` (all optional), into `out`.
template <typename Table, typename T>
std::vector<std::pair<const char*, Reader>> column_readers(const Table& table, T& out) {
  std::vector<std::pair<const char*, Reader>> readers;
  columns::for_each_column(table, [&](const auto& c, std::size_t) {
    readers.emplace_back(c.name.data(), into_column(c.member, out));  // names are NUL-terminated literals
  });
  return readers;
}

}  // namespace

Metric metric_from_json(const json& j, const std::string& what) {
  Metric m;
  read_object(j, what, column_readers(columns::kMetricColumns, m));
  return m;
}

NewRun new_run_from_json(const json& j, const std::string& what) {
  NewRun r;
  bool have_config = false;
  auto config_once = [&](const std::string& s) {
    if (have_config) throw InvalidArgument(s + ": give config or config_json, not both");
    have_config = true;
  };
  read_object(
      j, what,
      {{"run_id",
        [&](const json& v, const std::string& s) {
          if (v.is_null()) return;
          if (!v.is_string()) refuse(s, "a UUID as text", v);
          auto id = Uuid::try_parse(v.get_ref<const std::string&>());
          if (!id) throw InvalidArgument(s + ": " + v.dump() + " is not a UUID");
          r.run_id = *id;
        }},
       {"dataset_name", [&](const json& v, const std::string& s) { r.dataset_name = read_string(v, s); }},
       {"config",
        [&](const json& v, const std::string& s) {
          config_once(s);
          r.config_json = v.is_null() ? "" : v.dump();
        }},
       {"config_json",
        [&](const json& v, const std::string& s) {
          config_once(s);
          r.config_json = read_string(v, s);
        }},
       {"tags",
        [&](const json& v, const std::string& s) {
          if (v.is_null()) return;
          if (!v.is_object()) refuse(s, "an object of strings", v);
          for (const auto& [k, tv] : v.items()) r.tags[k] = read_string(tv, s + "." + k);
        }},
       {"notes", [&](const json& v, const std::string& s) { r.notes = read_string(v, s); }},
       {"start_time", into_time(&NewRun::start_time, r)}});
  return r;
}

FinalMetrics final_metrics_from_json(const json& j, std::string& status, const std::string& what) {
  using F = FinalMetrics;
  F f;
  status = kStatusCompleted;
  auto readers = column_readers(columns::kFinalColumns, f);
  readers.insert(readers.begin(), {"status", [&](const json& v, const std::string& s) {
                                     if (v.is_null()) return;
                                     status = read_string(v, s);
                                     if (status.empty()) throw InvalidArgument(s + ": empty status");
                                   }});
  read_object(j, what, readers);
  return f;
}

}  // namespace canopy::json
