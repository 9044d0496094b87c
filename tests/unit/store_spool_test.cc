// The spool's framing: order, truncated tails, corruption, reading while
// appending, segments.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <cmath>
#include <fstream>
#include <limits>

#include "store/crc32c.h"
#include "store/metric_record.h"
#include "store/spool.h"
#include "unit/store_test_util.h"

namespace canopy::store {
namespace {

std::vector<std::uint8_t> payload(int i, std::size_t n = 96) {
  std::vector<std::uint8_t> p(n);
  for (std::size_t k = 0; k < n; ++k) p[k] = static_cast<std::uint8_t>(i * 31 + k);
  return p;
}

std::vector<std::vector<std::uint8_t>> read_all(const std::string& dir, std::uint64_t* corrupt = nullptr) {
  SpoolReader r(dir, {1, 0});
  std::vector<std::vector<std::uint8_t>> out;
  std::vector<std::uint8_t> p;
  while (r.next(p, SpoolReader::read_all()) == SpoolReader::Status::kRecord) out.push_back(p);
  if (corrupt) *corrupt = r.corrupt_records();
  return out;
}

TEST(StoreCrc32c, MatchesKnownVectors) {
  // RFC 3720 B.4: 32 bytes of zeros → 0x8a9136aa; "123456789" → 0xe3069283.
  std::uint8_t zeros[32] = {};
  EXPECT_EQ(crc32c(zeros, 32), 0x8a9136aau);
  EXPECT_EQ(crc32c("123456789", 9), 0xe3069283u);
  EXPECT_EQ(crc32c_unmask(crc32c_mask(0x12345678u)), 0x12345678u);
}

TEST(StoreSpool, RecordsComeBackInOrderAcrossBlocksAndSegments) {
  TempDir tmp;
  std::string dir;
  {
    SpoolWriter w(tmp.path(), 64 * 1024);  // 2 blocks per segment: forces rolls
    dir = w.dir();
    for (int i = 0; i < 2000; ++i) ASSERT_TRUE(w.append(payload(i), nullptr)) << w.last_error();
  }
  auto got = read_all(dir);
  ASSERT_EQ(got.size(), 2000u);
  for (int i = 0; i < 2000; ++i) EXPECT_EQ(got[i], payload(i)) << i;
  EXPECT_GT(list_spool_segments(dir).size(), 3u);
}

TEST(StoreSpool, ReaderStopsAtLimitWhileWriterAppends) {
  TempDir tmp;
  SpoolWriter w(tmp.path(), 64 * 1024);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(w.append(payload(i), nullptr));
  SpoolReader r(w.dir(), {1, 0});
  std::vector<std::uint8_t> p;
  int n = 0;
  while (r.next(p, w.end()) == SpoolReader::Status::kRecord) ++n;
  EXPECT_EQ(n, 10);
  for (int i = 10; i < 1000; ++i) ASSERT_TRUE(w.append(payload(i), nullptr));
  while (r.next(p, w.end()) == SpoolReader::Status::kRecord) {
    EXPECT_EQ(p, payload(n));
    ++n;
  }
  EXPECT_EQ(n, 1000);
}

TEST(StoreSpool, TruncatedTailIsEndOfFileNotCorruption) {
  TempDir tmp;
  std::string dir;
  {
    SpoolWriter w(tmp.path());
    dir = w.dir();
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(w.append(payload(i), nullptr));
  }
  std::string seg = spool_segment_path(dir, 1);
  auto size = std::filesystem::file_size(seg);
  for (std::uintmax_t cut : {size - 1, size - 50, size - 100}) {  // mid-payload, mid-payload, mid-header
    std::filesystem::resize_file(seg, cut);
    std::uint64_t corrupt = 99;
    auto got = read_all(dir, &corrupt);
    EXPECT_EQ(got.size(), 99u - (size - cut > 96 + 7 ? 1 : 0)) << "cut at " << cut;
    EXPECT_EQ(corrupt, 0u);
    size = cut;
  }
}

TEST(StoreSpool, ChecksumMismatchSkipsToNextBlockAndIsCounted) {
  TempDir tmp;
  std::string dir;
  {
    SpoolWriter w(tmp.path());
    dir = w.dir();
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(w.append(payload(i), nullptr));  // 103 B each: ~318 per block
  }
  std::string seg = spool_segment_path(dir, 1);
  {
    std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(103 * 5 + 20);  // inside the 6th record's payload, first block
    f.put('\xff');
  }
  std::uint64_t corrupt = 0;
  auto got = read_all(dir, &corrupt);
  EXPECT_EQ(corrupt, 1u);
  ASSERT_GE(got.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(got[i], payload(i));
  // Records of the following blocks are all there, in order.
  std::size_t per_block = kSpoolBlockSize / 103;
  EXPECT_EQ(got.size(), 5 + (1000 - per_block));
  EXPECT_EQ(got[5], payload(static_cast<int>(per_block)));
  EXPECT_EQ(got.back(), payload(999));
}

TEST(StoreSpool, PreallocatedZeroTailOfACrashedWriterReadsAsEnd) {
  TempDir tmp;
  std::string dir;
  {
    SpoolWriter w(tmp.path());
    dir = w.dir();
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(w.append(payload(i), nullptr));
    // Simulate a crash: copy the segment while it is still open (preallocated,
    // zero after the last record).
    std::filesystem::copy_file(spool_segment_path(dir, 1), tmp.path() + "/crashed.log");
  }
  std::filesystem::rename(tmp.path() + "/crashed.log", spool_segment_path(dir, 1));
  EXPECT_EQ(std::filesystem::file_size(spool_segment_path(dir, 1)), kDefaultSegmentBytes);
  std::uint64_t corrupt = 0;
  auto got = read_all(dir, &corrupt);
  EXPECT_EQ(got.size(), 10u);
  EXPECT_EQ(corrupt, 0u);
}

TEST(StoreSpool, SecondWriterOnSameBaseTakesAnotherInstance) {
  TempDir tmp;
  SpoolWriter a(tmp.path());
  SpoolWriter b(tmp.path());
  EXPECT_NE(a.dir(), b.dir());
}

TEST(StoreSpool, ReopenedWriterReportsRecoveredSegmentsAndContinuesAfterThem) {
  TempDir tmp;
  {
    SpoolWriter w(tmp.path(), 64 * 1024);
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(w.append(payload(i), nullptr));
  }
  SpoolWriter w(tmp.path(), 64 * 1024);
  ASSERT_FALSE(w.recovered_segments().empty());
  SpoolPosition where;
  ASSERT_TRUE(w.append(payload(5000), &where));
  EXPECT_GT(where.segment, w.recovered_segments().back());
}

TEST(StoreMetricRecord, RoundTripsEveryFieldIncludingNaNAndInfinity) {
  MetricRecord r;
  r.run_id = Uuid::random();
  r.seq = 42;
  r.metric.timestamp = Timestamp(std::chrono::milliseconds(1'700'000'000'123));
  r.metric.step = -3;
  r.metric.epoch = 7;
  r.metric.train_loss = std::numeric_limits<double>::quiet_NaN();
  r.metric.val_loss = std::numeric_limits<double>::infinity();
  r.metric.learning_rate = -std::numeric_limits<double>::infinity();
  r.metric.hidden_units = 12;
  r.ledger_id = Uuid::random();
  r.ordinal = 77;
  std::uint8_t buf[kMetricRecordSize];
  encode_metric_record(r, buf);
  MetricRecord back;
  ASSERT_TRUE(decode_metric_record({buf, kMetricRecordSize}, back));
  EXPECT_EQ(back.run_id, r.run_id);
  EXPECT_EQ(back.seq, 42u);
  EXPECT_EQ(back.metric.timestamp, r.metric.timestamp);
  EXPECT_EQ(back.metric.step, -3);
  EXPECT_EQ(back.metric.epoch, 7);
  EXPECT_TRUE(std::isnan(*back.metric.train_loss));
  EXPECT_FALSE(back.metric.train_accuracy.has_value());
  EXPECT_EQ(back.metric.val_loss, std::numeric_limits<double>::infinity());
  EXPECT_FALSE(back.metric.val_accuracy.has_value());
  EXPECT_EQ(back.metric.learning_rate, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(back.metric.hidden_units, 12);
  EXPECT_EQ(back.ledger_id, r.ledger_id);
  EXPECT_EQ(back.ordinal, 77u);
  // A version-1 record (96 bytes, written before the ledger) still reads,
  // without ledger fields.
  buf[0] = 1;
  ASSERT_TRUE(decode_metric_record({buf, kMetricRecordV1Size}, back));
  EXPECT_EQ(back.metric.step, -3);
  EXPECT_TRUE(back.ledger_id.is_nil());
  EXPECT_EQ(back.ordinal, 0u);
  EXPECT_FALSE(decode_metric_record({buf, kMetricRecordSize}, back)) << "version 1 with the size of version 2";
  buf[0] = 9;
  EXPECT_FALSE(decode_metric_record({buf, kMetricRecordSize}, back));
}

}  // namespace
}  // namespace canopy::store
