// The completeness ledger (docs/store.md#the-completeness-ledger): per run
// and writer session, how many metrics store_metric acknowledged and which
// steps they had. The writer keeps it in memory and persists it to the
// backend's run_ledger table *before* the metrics it covers are sent — a
// ledger written with the metrics would be lost together with them and
// prove nothing.
//
// One entry per (run, ledger id). A writer draws a random ledger id the
// first time it sees a run (again after complete_run released the run), so
// an entry has exactly one author. Each acknowledged metric gets the
// entry's next ordinal (1, 2, ...) and the ordinal and ledger id travel in
// its spool record: a process replaying a crashed writer's spool re-derives
// the entry (acknowledged = the highest ordinal, steps = the union) and
// merges it with the stored one. Merging is max/union, so a replay that
// repeats records never counts them twice.
#pragma once

#include <cstdint>

#include "canopy/types.h"
#include "canopy/uuid.h"
#include "store/step_ranges.h"

namespace canopy::store {

struct LedgerRow {
  Uuid run_id;
  Uuid ledger_id;
  std::uint64_t acknowledged = 0;  // the highest ordinal acknowledged
  StepRanges steps;
  // True when this row may know only part of the entry (re-derived from a
  // replayed spool): the backend merges it with the stored row (max of
  // acknowledged, union of steps) instead of replacing it.
  bool merge = false;
};

// Merges `b` into `a` (same run and ledger id).
inline void merge_ledger(LedgerRow& a, const LedgerRow& b) {
  if (b.acknowledged > a.acknowledged) a.acknowledged = b.acknowledged;
  a.steps.merge(b.steps);
}

}  // namespace canopy::store
