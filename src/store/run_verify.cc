#include "store/run_verify.h"

#include "canopy/errors.h"
#include "store/step_ranges.h"

namespace canopy::store {

RunVerification verify_run(StoreBackend& backend, const Uuid& run_id, int page_size) {
  RunVerification v;
  v.run_id = run_id;
  StepRanges acknowledged;
  for (const LedgerRow& row : backend.read_ledger(run_id)) {
    ++v.ledger_entries;
    v.acknowledged += row.acknowledged;
    acknowledged.merge(row.steps);
  }
  v.acknowledged_steps = acknowledged.size();
  if (!acknowledged.empty()) {
    v.first_step = acknowledged.first();
    v.last_step = acknowledged.last();
  }

  // One pass over the rows, keyset-paged like MetricCursor.
  StepRanges stored;
  std::optional<MetricKey> before;
  for (;;) {
    std::vector<Metric> page = backend.read_metrics(run_id, std::nullopt, std::nullopt, before, page_size);
    for (const Metric& m : page) {
      ++v.stored;
      if (!stored.add(*m.step)) ++v.duplicates;
    }
    if (static_cast<int>(page.size()) < page_size) break;
    before = MetricKey{*page.back().timestamp, *page.back().step};
  }
  v.stored_steps = stored.size();
  if (v.ledger_entries == 0 && v.stored == 0 && !backend.get_run(run_id)) {
    throw NotFound("verify_run: no run " + run_id.str() + " in " + backend.describe() +
                   " (no run row, no ledger entry, no metric)");
  }
  v.missing = acknowledged.minus(stored);
  for (const StepRange& r : v.missing) v.missing_steps += r.count();
  for (const StepRange& r : stored.minus(acknowledged)) v.unacknowledged_steps += r.count();
  return v;
}

}  // namespace canopy::store
