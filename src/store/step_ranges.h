// StepRanges: a set of metric steps kept as disjoint inclusive ranges, so a
// run's acknowledged (or stored) steps take memory in proportion to the
// gaps between them, not to the number of metrics. Used by the completeness
// ledger (ledger.h) and by verify_run's scan of a run's rows.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "canopy/types.h"

namespace canopy::store {

class StepRanges {
 public:
  // Adds one step; false when it was already in the set.
  bool add(std::int64_t step);
  void add_range(std::int64_t first, std::int64_t last);
  void merge(const StepRanges& other);
  bool contains(std::int64_t step) const;
  // Number of steps in the set.
  std::uint64_t size() const;
  bool empty() const { return ranges_.empty(); }
  std::size_t range_count() const { return ranges_.size(); }
  std::int64_t first() const { return ranges_.begin()->first; }
  std::int64_t last() const { return ranges_.rbegin()->second; }
  // The ranges ascending.
  std::vector<StepRange> ranges() const;
  // Steps of this set that `other` lacks, as ranges ascending.
  std::vector<StepRange> minus(const StepRanges& other) const;

  // Binary form stored in the ledger tables: per range two little-endian
  // int64 (first, last), ascending. decode() returns false for a malformed blob.
  std::string encode() const;
  static bool decode(std::string_view blob, StepRanges& out);

  friend bool operator==(const StepRanges&, const StepRanges&) = default;

 private:
  std::map<std::int64_t, std::int64_t> ranges_;  // first → last, disjoint, not adjacent
};

}  // namespace canopy::store
