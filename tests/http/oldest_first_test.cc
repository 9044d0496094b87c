// scan_oldest_first: a run's metrics oldest first through the store's
// newest-first cursor, also when they span many windows and one millisecond
// holds many steps; the bounds after/until/from are honoured.
#include "http/oldest_first.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "canopy/config.h"

namespace canopy::http {
namespace {

class OldestFirst : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("http_oldest_first_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    ConfigSources sources;
    sources.environment = Environment{};
    sources.overrides = {"backend.embedded.path=" + (dir_ / "metrics.db").string()};
    store_ = open_store(load_config(sources));
    run_ = store_->create_run(NewRun{});
    // 300 metrics over 60 milliseconds, 5 steps each.
    for (int i = 0; i < 300; ++i) {
      Metric m;
      m.timestamp = Timestamp{std::chrono::milliseconds(1'000'000 + i / 5)};
      m.step = i;
      m.epoch = i;
      store_->store_metric(run_, m);
      keys_.push_back({*m.timestamp, i});
    }
    store_->flush_metrics();
  }
  void TearDown() override {
    store_->close();
    std::filesystem::remove_all(dir_);
  }
  std::vector<MetricKey> scan(std::optional<MetricKey> after, std::optional<Timestamp> from,
                              std::optional<MetricKey> until, int window) {
    std::vector<MetricKey> out;
    scan_oldest_first(*store_, run_, after, from, until,
                      [&](const Metric& m) { out.push_back({*m.timestamp, *m.step}); }, window);
    return out;
  }
  std::filesystem::path dir_;
  std::unique_ptr<MetricsStore> store_;
  Uuid run_;
  std::vector<MetricKey> keys_;
};

TEST_F(OldestFirst, EveryRowOnceInOrderWhateverTheWindow) {
  for (int window : {1, 3, 7, 64, 299, 300, 5000}) EXPECT_EQ(scan({}, {}, {}, window), keys_) << window;
}

TEST_F(OldestFirst, BoundsAreHonoured) {
  const MetricKey after = keys_[102], until = keys_[250];
  const std::vector<MetricKey> expected(keys_.begin() + 103, keys_.begin() + 251);
  for (int window : {4, 5000}) {
    EXPECT_EQ(scan(after, {}, until, window), expected) << window;
    // from: the millisecond of keys_[50] starts at step 50.
    EXPECT_EQ(scan({}, keys_[50].timestamp, {}, window),
              std::vector<MetricKey>(keys_.begin() + 50, keys_.end()))
        << window;
  }
  EXPECT_TRUE(scan(keys_.back(), {}, {}, 7).empty());
}

}  // namespace
}  // namespace canopy::http
