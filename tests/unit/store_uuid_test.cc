#include <gtest/gtest.h>

#include <set>

#include "canopy/errors.h"
#include "canopy/uuid.h"

namespace canopy {
namespace {

TEST(StoreUuid, ParsesAndFormatsCanonicalText) {
  Uuid u = Uuid::parse("123E4567-e89b-12d3-a456-426614174000");
  EXPECT_EQ(u.str(), "123e4567-e89b-12d3-a456-426614174000");
  EXPECT_EQ(u.bytes()[0], 0x12);
  EXPECT_EQ(u.bytes()[15], 0x00);
  EXPECT_EQ(Uuid::parse(u.str()), u);
}

TEST(StoreUuid, MalformedInputThrowsInvalidArgumentNamingIt) {
  for (const char* bad : {"", "123", "123e4567e89b12d3a456426614174000", "123e4567-e89b-12d3-a456-42661417400g",
                          "123e4567+e89b-12d3-a456-426614174000", "123e4567-e89b-12d3-a456-4266141740000"}) {
    try {
      Uuid::parse(bad);
      FAIL() << "accepted " << bad;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("\"") + bad + "\""), std::string::npos) << e.what();
    }
    EXPECT_FALSE(Uuid::try_parse(bad).has_value());
  }
}

TEST(StoreUuid, RandomIsVersion4AndDistinct) {
  std::set<Uuid> seen;
  for (int i = 0; i < 1000; ++i) {
    Uuid u = Uuid::random();
    EXPECT_EQ(u.bytes()[6] >> 4, 4);
    EXPECT_EQ(u.bytes()[8] & 0xc0, 0x80);
    EXPECT_EQ(u.str()[14], '4');
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(StoreUuid, NilIsDefault) {
  EXPECT_TRUE(Uuid().is_nil());
  EXPECT_EQ(Uuid().str(), "00000000-0000-0000-0000-000000000000");
  EXPECT_FALSE(Uuid::random().is_nil());
}

}  // namespace
}  // namespace canopy
