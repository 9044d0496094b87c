// "Did you mean" for unknown configuration keys.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace canopy::config_detail {

// Levenshtein distance: insertions, deletions and substitutions, each 1.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate `word` was most likely meant to be, or nothing when no
// candidate is close. First, candidates whose last dotted segment equals the
// word's (a key put in the wrong section: "cassandra.port" finds
// "backend.cassandra.port"), the nearest of them by edit distance; else the
// nearest candidate within max(2, size of the word's last segment / 3) edits.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string_view>& candidates);

}  // namespace canopy::config_detail
