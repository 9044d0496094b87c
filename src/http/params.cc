#include "http/params.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "http/api_error.h"
#include "json/time.h"

namespace canopy::http {

std::optional<std::string> param(const Params& params, const std::string& name) {
  auto [begin, end] = params.equal_range(name);
  if (begin == end) return std::nullopt;
  const std::string& v = std::prev(end)->second;
  if (v.empty()) return std::nullopt;
  return v;
}

std::vector<std::string> params_all(const Params& params, const std::string& name) {
  std::vector<std::string> out;
  auto [begin, end] = params.equal_range(name);
  for (auto it = begin; it != end; ++it)
    if (!it->second.empty()) out.push_back(it->second);
  return out;
}

int int_param(const Params& params, const std::string& name, int fallback, int min, int max) {
  auto text = param(params, name);
  if (!text) return fallback;
  int value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  const std::string range = std::to_string(min) + ".." + std::to_string(max);
  if (ec == std::errc::result_out_of_range)
    throw bad_parameter(name, *text, "is out of range " + range);
  if (ec != std::errc() || end != text->data() + text->size())
    throw bad_parameter(name, *text, "is not an integer (expected " + range + ")");
  if (value < min || value > max) throw bad_parameter(name, *text, "is out of range " + range);
  return value;
}

std::optional<Timestamp> time_param(const Params& params, const std::string& name) {
  auto text = param(params, name);
  if (!text) return std::nullopt;
  std::string error;
  auto t = json::parse_time_arg(*text, now_ms(), &error);
  if (!t)
    throw bad_parameter(name, *text,
                        "is not a time: " + error + " (examples: 2026-11-25T10:00:00Z, -1h, now, @1764066030000)");
  return t;
}

std::string choice_param(const Params& params, const std::string& name, const std::string& fallback,
                         const std::vector<std::string>& allowed) {
  auto text = param(params, name);
  if (!text) return fallback;
  if (std::find(allowed.begin(), allowed.end(), *text) != allowed.end()) return *text;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  throw bad_parameter(name, *text, "is not one of " + list);
}

Uuid run_id_value(const std::string& text, const std::string& parameter) {
  if (auto id = Uuid::try_parse(text)) return *id;
  throw ApiError(400, "bad_parameter",
                 parameter + ": '" + text + "' is not a run id (expected a UUID such as "
                 "123e4567-e89b-12d3-a456-426614174000)",
                 parameter, "Invalid UUID");
}

void check_known(const Params& params, const std::vector<std::string>& known) {
  for (const auto& [name, value] : params) {
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    throw ApiError(400, "unknown_parameter",
                   name + ": unknown parameter" + (list.empty() ? " (this path takes none)" : " (takes " + list + ")"),
                   name);
  }
}

// The token is "<epoch ms>.<step>" in hex digits with a version prefix: opaque
// to clients (they pass it back), cheap to check.
std::string encode_cursor(const MetricKey& key) {
  char buf[64];
  const auto ms = static_cast<long long>(key.timestamp.time_since_epoch().count());
  std::snprintf(buf, sizeof buf, "c1.%llx.%x", static_cast<unsigned long long>(ms),
                static_cast<unsigned>(key.step));
  return buf;
}

std::optional<MetricKey> decode_cursor(const std::string& token) {
  if (token.size() < 6 || token.size() > 40 || token.compare(0, 3, "c1.") != 0) return std::nullopt;
  const char* p = token.data() + 3;
  const char* end = token.data() + token.size();
  unsigned long long ms = 0;
  unsigned step = 0;
  auto r1 = std::from_chars(p, end, ms, 16);
  if (r1.ec != std::errc() || r1.ptr == p || r1.ptr == end || *r1.ptr != '.') return std::nullopt;
  auto r2 = std::from_chars(r1.ptr + 1, end, step, 16);
  if (r2.ec != std::errc() || r2.ptr != end || r2.ptr == r1.ptr + 1) return std::nullopt;
  return MetricKey{Timestamp{std::chrono::milliseconds(static_cast<long long>(ms))},
                   static_cast<std::int32_t>(step)};
}

}  // namespace canopy::http
