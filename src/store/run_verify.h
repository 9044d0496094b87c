// verify_run's work: the run's completeness ledger against the rows the
// backend holds (docs/store.md#the-completeness-ledger).
#pragma once

#include "canopy/types.h"
#include "store/backend.h"

namespace canopy::store {

// Reads the ledger, then every metric row of the run once, newest first,
// `page_size` rows at a time; memory grows with the gaps between steps,
// not with the rows. Throws NotFound when the backend knows nothing of the
// run (no run row, no ledger entry, no metric).
RunVerification verify_run(StoreBackend& backend, const Uuid& run_id, int page_size = 5000);

}  // namespace canopy::store
