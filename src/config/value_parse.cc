#include "config/value_parse.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

namespace canopy::config_detail {

namespace {

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

std::optional<bool> parse_bool(std::string_view text) {
  const std::string word = upper(text);
  if (word == "TRUE" || word == "YES" || word == "1") return true;
  if (word == "FALSE" || word == "NO" || word == "0") return false;
  return std::nullopt;
}

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  // Split "<number><unit>"; the number is digits with at most one '.'.
  std::size_t split_at = 0;
  while (split_at < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[split_at])) || text[split_at] == '.')) {
    ++split_at;
  }
  const std::string_view number = text.substr(0, split_at);
  const std::string_view unit = text.substr(split_at);
  if (number.empty() || number.front() == '.' || number.back() == '.') return std::nullopt;

  double unit_ms = 0;
  if (unit.empty() || unit == "s") {
    unit_ms = 1000;
  } else if (unit == "ms") {
    unit_ms = 1;
  } else if (unit == "m") {
    unit_ms = 60'000;
  } else if (unit == "h") {
    unit_ms = 3'600'000;
  } else {
    return std::nullopt;
  }

  double value = 0;
  auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || ptr != number.data() + number.size()) return std::nullopt;
  const double ms = value * unit_ms;
  if (!(ms < 9e15)) return std::nullopt;  // keeps the int64 conversion exact
  const double whole = std::round(ms);
  if (std::fabs(ms - whole) > 1e-6) return std::nullopt;  // "0.0005s" is not whole ms
  return std::chrono::milliseconds(static_cast<std::int64_t>(whole));
}

std::string format_duration(std::chrono::milliseconds duration) {
  const std::int64_t ms = duration.count();
  if (ms != 0 && ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms != 0 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

const std::vector<std::string_view>& consistency_levels() {
  static const std::vector<std::string_view> levels{
      "ANY",          "ONE",         "TWO",    "THREE",        "QUORUM",   "ALL",
      "LOCAL_QUORUM", "EACH_QUORUM", "SERIAL", "LOCAL_SERIAL", "LOCAL_ONE"};
  return levels;
}

std::optional<std::string> parse_consistency(std::string_view text) {
  const std::string name = upper(text);
  for (std::string_view level : consistency_levels()) {
    if (name == level) return name;
  }
  return std::nullopt;
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (true) {
    const auto end = text.find(separator, start);
    items.emplace_back(trim(text.substr(start, end == std::string_view::npos ? end : end - start)));
    if (end == std::string_view::npos) return items;
    start = end + 1;
  }
}

}  // namespace canopy::config_detail
