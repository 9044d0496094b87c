#include "json/time.h"

#include <gtest/gtest.h>

#include <cstdio>

#include <random>

namespace canopy::json {
namespace {

using std::chrono::milliseconds;

// 2026-11-25T10:20:30.000Z
const Timestamp kNow{milliseconds(1'795'602'030'000)};

Timestamp parse_ok(std::string_view text) {
  std::string error;
  auto t = parse_time_arg(text, kNow, &error);
  EXPECT_TRUE(t.has_value()) << text << ": " << error;
  return t.value_or(Timestamp{});
}

std::string parse_error(std::string_view text) {
  std::string error;
  auto t = parse_time_arg(text, kNow, &error);
  EXPECT_FALSE(t.has_value()) << text << " parsed as " << format_time(*t);
  return error;
}

TEST(TimeArg, DateAloneIsMidnightUtc) {
  EXPECT_EQ(format_time(parse_ok("2026-11-25")), "2026-11-25T00:00:00.000Z");
}

TEST(TimeArg, FullInstantWithFractionAndZ) {
  EXPECT_EQ(format_time(parse_ok("2026-11-25T10:20:30.123Z")), "2026-11-25T10:20:30.123Z");
  EXPECT_EQ(parse_ok("2026-11-25T10:20:30Z"), kNow);
  EXPECT_EQ(parse_ok("2026-11-25 10:20:30"), kNow);
}

TEST(TimeArg, FractionIsTruncatedToMilliseconds) {
  EXPECT_EQ(format_time(parse_ok("2026-11-25T10:20:30.5Z")), "2026-11-25T10:20:30.500Z");
  EXPECT_EQ(format_time(parse_ok("2026-11-25T10:20:30.123456789Z")), "2026-11-25T10:20:30.123Z");
}

TEST(TimeArg, OffsetIsAppliedToGetUtc) {
  EXPECT_EQ(parse_ok("2026-11-25T12:20:30+02:00"), kNow);
  EXPECT_EQ(parse_ok("2026-11-25T05:20:30-05:00"), kNow);
}

TEST(TimeArg, RelativeForms) {
  using namespace std::chrono;
  EXPECT_EQ(parse_ok("now"), kNow);
  EXPECT_EQ(parse_ok("-1h"), kNow - hours(1));
  EXPECT_EQ(parse_ok("-30m"), kNow - minutes(30));
  EXPECT_EQ(parse_ok("-90s"), kNow - seconds(90));
  EXPECT_EQ(parse_ok("-2d"), kNow - days(2));
  EXPECT_EQ(parse_ok("-1w"), kNow - weeks(1));
  EXPECT_EQ(parse_ok("-1h30m"), kNow - minutes(90));
  EXPECT_EQ(parse_ok("+5m"), kNow + minutes(5));
}

TEST(TimeArg, EpochMilliseconds) {
  EXPECT_EQ(parse_ok("@1795602030000"), kNow);
}

TEST(TimeArg, ErrorsSayWhatIsWrong) {
  EXPECT_NE(parse_error("").find("empty"), std::string::npos);
  EXPECT_NE(parse_error("yesterday").find("YYYY-MM-DD"), std::string::npos);
  EXPECT_NE(parse_error("2026-02-30").find("no such date"), std::string::npos);
  EXPECT_NE(parse_error("2026-11-25T25:00").find("out of range"), std::string::npos);
  EXPECT_NE(parse_error("-1y").find("unknown unit 'y'"), std::string::npos);
  EXPECT_NE(parse_error("-h").find("number"), std::string::npos);
  EXPECT_NE(parse_error("-").find("after the sign"), std::string::npos);
  EXPECT_NE(parse_error("2026-11-25T10:20+2").find("offset"), std::string::npos);
  EXPECT_NE(parse_error("@12x").find("milliseconds"), std::string::npos);
  parse_error("2026-11-25T10:20:30Zjunk");
}

TEST(TimeArg, FormatBeforeEpoch) {
  EXPECT_EQ(format_time(Timestamp{milliseconds(-1)}), "1969-12-31T23:59:59.999Z");
}

// append_time writes digits by hand: it must agree with printf for any
// instant, and read back as the same instant.
TEST(TimeArg, FormatAgreesWithPrintfAndReadsBack) {
  std::mt19937_64 random(11);
  std::vector<std::int64_t> ms = {0, -1, 1, 253'402'300'799'999 /* 9999-12-31 */, -62'167'219'200'000 /* 0000-01-01 */};
  for (int i = 0; i < 100'000; ++i) ms.push_back(static_cast<std::int64_t>(random() % 8'000'000'000'000ull) - 1'000'000'000'000);
  for (std::int64_t v : ms) {
    const Timestamp t{milliseconds(v)};
    const auto day = std::chrono::floor<std::chrono::days>(t);
    const std::chrono::year_month_day ymd{day};
    const std::chrono::hh_mm_ss<milliseconds> tod{t - day};
    char want[48];
    std::snprintf(want, sizeof want, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int(ymd.year()), unsigned(ymd.month()),
                  unsigned(ymd.day()), int(tod.hours().count()), int(tod.minutes().count()),
                  int(tod.seconds().count()), int(tod.subseconds().count()));
    ASSERT_EQ(format_time(t), want) << v;
    if (v >= 0) {
      ASSERT_EQ(parse_ok(want), t) << want;
    }
  }
}

}  // namespace
}  // namespace canopy::json
