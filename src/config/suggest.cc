#include "config/suggest.h"

#include <algorithm>
#include <cstdint>
#include <numeric>

namespace canopy::config_detail {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // One row of the dynamic-programming table at a time.
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

namespace {

std::string_view last_segment(std::string_view key) {
  const auto dot = key.rfind('.');
  return dot == std::string_view::npos ? key : key.substr(dot + 1);
}

}  // namespace

std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string_view>& candidates) {
  // A key with the same last segment elsewhere is the strongest hint: the
  // key was put in the wrong section. Among several, the nearest wins.
  std::optional<std::string_view> best;
  std::size_t best_distance = SIZE_MAX;
  for (std::string_view candidate : candidates) {
    if (last_segment(candidate) != last_segment(word)) continue;
    const std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  if (best) return std::string(*best);

  // Otherwise a typo: allow about one edit per three letters of the last
  // segment, so "prot" finds "port" but "metrics" does not find "port".
  best_distance = std::max<std::size_t>(2, last_segment(word).size() / 3) + 1;
  for (std::string_view candidate : candidates) {
    const std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  if (best) return std::string(*best);
  return std::nullopt;
}

}  // namespace canopy::config_detail
