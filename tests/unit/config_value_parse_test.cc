// The scalar parsers and the did-you-mean matcher behind configuration keys.
#include <gtest/gtest.h>

#include "config/suggest.h"
#include "config/value_parse.h"

namespace canopy::config_detail {
namespace {

using std::chrono::milliseconds;

TEST(ConfigParseBool, AcceptsTheSixSpellingsInAnyCase) {
  for (const char* yes : {"true", "TRUE", "True", "yes", "YES", "1"})
    EXPECT_EQ(parse_bool(yes), true) << yes;
  for (const char* no : {"false", "False", "no", "No", "0"}) EXPECT_EQ(parse_bool(no), false) << no;
}

TEST(ConfigParseBool, RejectsEverythingElse) {
  for (const char* bad : {"", "on", "off", "y", "n", "2", "truee", " true"}) {
    EXPECT_FALSE(parse_bool(bad).has_value()) << bad;
  }
}

TEST(ConfigParseInt, ReadsDecimalIntegers) {
  EXPECT_EQ(parse_int("0"), 0);
  EXPECT_EQ(parse_int("9042"), 9042);
  EXPECT_EQ(parse_int("-5"), -5);
  EXPECT_EQ(parse_int("9223372036854775807"), INT64_MAX);
}

TEST(ConfigParseInt, RejectsFractionsSignsHexAndOverflow) {
  for (const char* bad : {"", "+1", "1.5", "1e3", "0x10", "12a", "abc", "9223372036854775808"}) {
    EXPECT_FALSE(parse_int(bad).has_value()) << bad;
  }
}

TEST(ConfigParseDuration, PlainNumbersAreSeconds) {
  EXPECT_EQ(parse_duration("10"), milliseconds(10'000));
  EXPECT_EQ(parse_duration("0.5"), milliseconds(500));
  EXPECT_EQ(parse_duration("0"), milliseconds(0));
}

TEST(ConfigParseDuration, ReadsUnits) {
  EXPECT_EQ(parse_duration("500ms"), milliseconds(500));
  EXPECT_EQ(parse_duration("10s"), milliseconds(10'000));
  EXPECT_EQ(parse_duration("2m"), milliseconds(120'000));
  EXPECT_EQ(parse_duration("1h"), milliseconds(3'600'000));
  EXPECT_EQ(parse_duration("1.5s"), milliseconds(1'500));
}

TEST(ConfigParseDuration, RejectsUnknownUnitsNegativesAndSubMilliseconds) {
  for (const char* bad : {"", "s", "-1", "-1s", "10 s", "10sec", "1d", "1e3", ".5", "5.", "1.2.3",
                          "0.5ms", "0.0001"}) {
    EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
  }
}

TEST(ConfigFormatDuration, UsesTheLargestExactUnitAndReadsBack) {
  EXPECT_EQ(format_duration(milliseconds(500)), "500ms");
  EXPECT_EQ(format_duration(milliseconds(10'000)), "10s");
  EXPECT_EQ(format_duration(milliseconds(120'000)), "2m");
  EXPECT_EQ(format_duration(milliseconds(7'200'000)), "2h");
  EXPECT_EQ(format_duration(milliseconds(1'500)), "1500ms");
  for (long ms : {1L, 999L, 1'000L, 61'000L, 86'400'000L}) {
    EXPECT_EQ(parse_duration(format_duration(milliseconds(ms))), milliseconds(ms)) << ms;
  }
}

TEST(ConfigParseConsistency, AcceptsEveryCqlLevelCaseInsensitively) {
  for (const char* level : {"ANY", "ONE", "TWO", "THREE", "QUORUM", "ALL", "LOCAL_QUORUM",
                            "EACH_QUORUM", "SERIAL", "LOCAL_SERIAL", "LOCAL_ONE"}) {
    EXPECT_EQ(parse_consistency(level), std::string(level));
  }
  EXPECT_EQ(parse_consistency("local_quorum"), "LOCAL_QUORUM");
  EXPECT_EQ(parse_consistency("Quorum"), "QUORUM");
  EXPECT_EQ(consistency_levels().size(), 11u);
}

TEST(ConfigParseConsistency, RejectsUnknownLevels) {
  for (const char* bad : {"", "QUOROM", "FOUR", "LOCAL QUORUM", "MAJORITY"}) {
    EXPECT_FALSE(parse_consistency(bad).has_value()) << bad;
  }
}

TEST(ConfigSplit, TrimsItemsAndKeepsEmptyOnes) {
  EXPECT_EQ(split("a, b ,c", ','), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(split("a,,b", ','), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(split("", ','), (std::vector<std::string>{""}));
}

TEST(ConfigEditDistance, CountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("port", "port"), 0u);
  EXPECT_EQ(edit_distance("prot", "port"), 2u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
}

TEST(ConfigClosestMatch, SuggestsTheNearestKey) {
  const std::vector<std::string_view> keys{"backend.cassandra.port", "backend.cassandra.pool_size",
                                           "ttl.metrics", "ttl.runs"};
  EXPECT_EQ(closest_match("backend.cassandra.prot", keys), "backend.cassandra.port");
  EXPECT_EQ(closest_match("backend.cassandra.poolsize", keys), "backend.cassandra.pool_size");
  EXPECT_EQ(closest_match("ttl.metric", keys), "ttl.metrics");
}

TEST(ConfigClosestMatch, FindsAKeyPutInTheWrongSection) {
  const std::vector<std::string_view> keys{"backend.cassandra.port", "ttl.metrics"};
  EXPECT_EQ(closest_match("cassandra.port", keys), "backend.cassandra.port");
}

TEST(ConfigClosestMatch, SaysNothingWhenNothingIsClose) {
  const std::vector<std::string_view> keys{"backend.cassandra.port", "ttl.metrics"};
  EXPECT_FALSE(closest_match("completely.different", keys).has_value());
}

}  // namespace
}  // namespace canopy::config_detail
