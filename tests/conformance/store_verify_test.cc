// verify_run on every backend: the completeness ledger against the rows
// the backend holds. Rows are deleted behind the store's back (plain SQL /
// CQL) to check that exactly the missing step ranges are reported.
#include <gtest/gtest.h>

#include "canopy/errors.h"
#include "canopy/metrics_store.h"
#include "conformance/store_conformance.h"

namespace canopy::conformance {
namespace {

class StoreVerify : public StoreFixture {
 protected:
  // `n` metrics with steps 0..n-1 (assigned by the writer) at kT0 + step ms.
  Uuid run_with(int n) {
    NewRun r;
    r.dataset_name = "verify";
    Uuid run = store_->create_run(r);
    for (int i = 0; i < n; ++i) {
      Metric m;
      m.timestamp = ts(kT0 + i);
      m.epoch = i;
      store_->store_metric(run, m);
    }
    store_->flush_metrics();
    return run;
  }
  // One more metric at kT0 + `ms`, its step set here rather than by the
  // writer (a resumed, repeated or late step), flushed.
  void store_step(const Uuid& run, std::int64_t ms, std::int32_t step) {
    Metric m;
    m.timestamp = ts(kT0 + ms);
    m.step = step;
    store_->store_metric(run, m);
    store_->flush_metrics();
  }
};

TEST_F(StoreVerify, ARunWhoseMetricsAreAllStoredIsComplete) {
  Uuid run = run_with(2500);
  RunVerification v = store_->verify_run(run);
  EXPECT_TRUE(v.complete()) << backend_name();
  EXPECT_EQ(v.acknowledged, 2500u);
  EXPECT_EQ(v.acknowledged_steps, 2500u);
  EXPECT_EQ(v.stored, 2500u);
  EXPECT_EQ(v.stored_steps, 2500u);
  EXPECT_EQ(v.first_step, 0);
  EXPECT_EQ(v.last_step, 2499);
  EXPECT_TRUE(v.missing.empty());
  EXPECT_EQ(v.missing_steps, 0u);
  EXPECT_EQ(v.duplicates, 0u);
  EXPECT_EQ(v.unacknowledged_steps, 0u);
  EXPECT_EQ(v.ledger_entries, 1u);
}

TEST_F(StoreVerify, RowsDeletedBehindTheStoresBackAreReportedAsExactlyTheirStepRanges) {
  Uuid run = run_with(3000);
  delete_metrics_behind_the_store(config_, run, kT0 + 100, kT0 + 199);
  delete_metrics_behind_the_store(config_, run, kT0 + 2990, kT0 + 2999);
  delete_metrics_behind_the_store(config_, run, kT0 + 0, kT0 + 0);
  RunVerification v = store_->verify_run(run);
  EXPECT_FALSE(v.complete()) << backend_name();
  EXPECT_EQ(v.acknowledged, 3000u);
  EXPECT_EQ(v.stored, 3000u - 111u);
  ASSERT_EQ(v.missing.size(), 3u);
  EXPECT_EQ(v.missing[0], (StepRange{0, 0}));
  EXPECT_EQ(v.missing[1], (StepRange{100, 199}));
  EXPECT_EQ(v.missing[2], (StepRange{2990, 2999}));
  EXPECT_EQ(v.missing_steps, 111u);
}

TEST_F(StoreVerify, LedgerSurvivesReopeningAndCountsEachWriterSession) {
  Uuid run = run_with(50);
  store_->close();
  store_ = open_store(config_);
  store_step(run, 10'000, 50);
  RunVerification v = store_->verify_run(run);
  EXPECT_TRUE(v.complete()) << backend_name();
  EXPECT_EQ(v.ledger_entries, 2u);
  EXPECT_EQ(v.acknowledged, 51u);
  EXPECT_EQ(v.last_step, 50);
}

TEST_F(StoreVerify, TheSameStepUnderTwoTimestampsIsADuplicateNotALoss) {
  Uuid run = run_with(10);
  store_step(run, 5'000, 3);
  RunVerification v = store_->verify_run(run);
  EXPECT_TRUE(v.complete()) << backend_name();
  EXPECT_EQ(v.acknowledged, 11u);
  EXPECT_EQ(v.acknowledged_steps, 10u);
  EXPECT_EQ(v.stored, 11u);
  EXPECT_EQ(v.duplicates, 1u);
}

TEST_F(StoreVerify, ACompletedRunStoredToAgainGetsASecondLedgerEntry) {
  Uuid run = run_with(20);
  store_->complete_run(run, {});
  store_step(run, 9'000, 20);
  RunVerification v = store_->verify_run(run);
  EXPECT_TRUE(v.complete()) << backend_name();
  EXPECT_EQ(v.acknowledged, 21u);
  EXPECT_EQ(v.ledger_entries, 2u);
}

TEST_F(StoreVerify, UnknownRunIsNotFoundAndARunWithoutMetricsIsTriviallyComplete) {
  EXPECT_THROW(store_->verify_run(Uuid::random()), NotFound);
  NewRun r;
  r.dataset_name = "empty";
  Uuid run = store_->create_run(r);
  RunVerification v = store_->verify_run(run);
  EXPECT_TRUE(v.complete());
  EXPECT_EQ(v.ledger_entries, 0u);
  EXPECT_EQ(v.stored, 0u);
  EXPECT_FALSE(v.first_step);
}

}  // namespace
}  // namespace canopy::conformance
