// A store opened from a Config built by hand (empty embedded path) puts its
// database and spool where load_config would: default_embedded_path is the
// one place that computes the default. The process environment is changed
// here, so this test has a binary of its own.
#include <stdlib.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "canopy/config.h"
#include "canopy/metrics_store.h"
#include "unit/store_test_util.h"

namespace canopy::store {
namespace {

namespace fs = std::filesystem;

// Opens and closes a store with every path left to its default, with the
// current folder set to `cwd` (where a relative XDG_DATA_HOME would land).
void open_default_store(const std::string& cwd) {
  const fs::path before = fs::current_path();
  fs::current_path(cwd);
  open_store(Config{})->close();
  fs::current_path(before);
}

TEST(StoreDefaultPath, RelativeXdgDataHomeIsIgnoredForHomeLocalShare) {
  TempDir home, cwd;
  ::setenv("HOME", home.path().c_str(), 1);
  ::setenv("XDG_DATA_HOME", "relative-xdg", 1);
  const std::string expected = home.path() + "/.local/share/canopy-store/metrics.db";
  ASSERT_EQ(default_embedded_path(process_environment()), expected);
  open_default_store(cwd.path());
  EXPECT_TRUE(fs::exists(expected));
  EXPECT_TRUE(fs::is_directory(expected + "-spool"));
  EXPECT_FALSE(fs::exists(cwd.path() + "/relative-xdg")) << "the relative XDG_DATA_HOME was used";
}

TEST(StoreDefaultPath, AbsoluteXdgDataHomeIsFollowed) {
  TempDir home, xdg, cwd;
  ::setenv("HOME", home.path().c_str(), 1);
  ::setenv("XDG_DATA_HOME", xdg.path().c_str(), 1);
  open_default_store(cwd.path());
  EXPECT_TRUE(fs::exists(xdg.path() + "/canopy-store/metrics.db"));
  EXPECT_FALSE(fs::exists(home.path() + "/.local"));
}

}  // namespace
}  // namespace canopy::store
