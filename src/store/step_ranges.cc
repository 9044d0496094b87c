#include "store/step_ranges.h"

#include <algorithm>
#include <cstring>
#include <iterator>

namespace canopy::store {

bool StepRanges::contains(std::int64_t step) const {
  auto it = ranges_.upper_bound(step);
  if (it == ranges_.begin()) return false;
  --it;
  return step <= it->second;
}

bool StepRanges::add(std::int64_t step) {
  // Called for every acknowledged metric: the common cases (the step just
  // after a range, or just before one) change a range in place, without
  // allocating.
  auto next = ranges_.upper_bound(step);
  const bool has_prev = next != ranges_.begin();
  auto prev = has_prev ? std::prev(next) : ranges_.end();
  if (has_prev && step <= prev->second) return false;
  const bool joins_prev = has_prev && prev->second == step - 1;
  const bool joins_next = next != ranges_.end() && next->first == step + 1;
  if (joins_prev && !joins_next) {
    prev->second = step;
  } else if (joins_next && !joins_prev) {
    auto node = ranges_.extract(next);
    node.key() = step;
    ranges_.insert(std::move(node));
  } else {
    add_range(step, step);
  }
  return true;
}

void StepRanges::add_range(std::int64_t first, std::int64_t last) {
  if (last < first) return;
  // Merge with every range that overlaps or touches [first, last].
  auto it = ranges_.upper_bound(first);
  if (it != ranges_.begin()) {
    auto prev = std::prev(it);
    if (prev->second >= first - 1) it = prev;
  }
  while (it != ranges_.end() && it->first <= last + 1) {
    first = std::min(first, it->first);
    last = std::max(last, it->second);
    it = ranges_.erase(it);
  }
  ranges_.emplace(first, last);
}

void StepRanges::merge(const StepRanges& other) {
  for (const auto& [f, l] : other.ranges_) add_range(f, l);
}

std::uint64_t StepRanges::size() const {
  std::uint64_t n = 0;
  for (const auto& [f, l] : ranges_) n += static_cast<std::uint64_t>(l - f) + 1;
  return n;
}

std::vector<StepRange> StepRanges::ranges() const {
  std::vector<StepRange> out;
  out.reserve(ranges_.size());
  for (const auto& [f, l] : ranges_) out.push_back({f, l});
  return out;
}

std::vector<StepRange> StepRanges::minus(const StepRanges& other) const {
  std::vector<StepRange> out;
  for (auto [f, l] : ranges_) {
    std::int64_t at = f;
    // Ranges of `other` that may overlap [f, l], ascending.
    auto it = other.ranges_.upper_bound(f);
    if (it != other.ranges_.begin()) --it;
    for (; it != other.ranges_.end() && it->first <= l && at <= l; ++it) {
      if (it->second < at) continue;
      if (it->first > at) out.push_back({at, it->first - 1});
      at = it->second + 1;
    }
    if (at <= l) out.push_back({at, l});
  }
  return out;
}

std::string StepRanges::encode() const {
  std::string out(ranges_.size() * 16, '\0');
  char* p = out.data();
  for (const auto& [f, l] : ranges_) {
    std::memcpy(p, &f, 8);
    std::memcpy(p + 8, &l, 8);
    p += 16;
  }
  return out;
}

bool StepRanges::decode(std::string_view blob, StepRanges& out) {
  if (blob.size() % 16 != 0) return false;
  out.ranges_.clear();
  for (std::size_t i = 0; i < blob.size(); i += 16) {
    std::int64_t f, l;
    std::memcpy(&f, blob.data() + i, 8);
    std::memcpy(&l, blob.data() + i + 8, 8);
    if (l < f) return false;
    out.add_range(f, l);
  }
  return true;
}

}  // namespace canopy::store
