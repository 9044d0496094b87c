// The page's table as canopy-store serve sees it (src/http/web_assets.h).
#include "http/web_assets.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

using canopy::http::find_web_asset;
using canopy::http::web_assets;

TEST(WebAssets, PageFirstPathsUniqueBodiesNonEmpty) {
  const auto assets = web_assets();
  ASSERT_GE(assets.size(), 2u);
  EXPECT_EQ(assets[0].path, "/");
  std::set<std::string> paths;
  for (const auto& a : assets) {
    EXPECT_TRUE(paths.insert(std::string(a.path)).second) << a.path;
    EXPECT_EQ(a.path.substr(0, 1), "/");
    EXPECT_FALSE(a.content_type.empty()) << a.path;
    EXPECT_FALSE(a.body.empty()) << a.path;
  }
  ASSERT_NE(find_web_asset("/index.html"), nullptr);
  EXPECT_EQ(find_web_asset("/index.html")->body, find_web_asset("/")->body);
  EXPECT_EQ(find_web_asset("/nope"), nullptr);
}

#if CANOPY_WEB_BUILT
// Every file of the table is linked by the page (the stylesheet and the
// script by the HTML, the event-stream worker by the script), with its
// type; no URL off this server (no CDN).
TEST(WebAssets, PageLinksItsBundleOnly) {
  const std::string html(find_web_asset("/")->body);
  EXPECT_NE(html.find("<!doctype html>"), std::string::npos);
  std::string scripts;
  for (const auto& a : web_assets()) {
    if (a.path.ends_with(".js") && html.find(std::string(a.path)) != std::string::npos) scripts += a.body;
  }
  int linked = 0;
  for (const auto& a : web_assets()) {
    if (a.path.starts_with("/assets/")) {
      EXPECT_TRUE(html.find(std::string(a.path)) != std::string::npos ||
                  scripts.find(std::string(a.path)) != std::string::npos)
          << a.path << " is linked by nothing";
      ++linked;
      if (a.path.ends_with(".js")) {
        EXPECT_EQ(a.content_type, "text/javascript; charset=utf-8");
      } else {
        EXPECT_EQ(a.content_type, "text/css; charset=utf-8");
      }
    }
  }
  EXPECT_EQ(linked, 3);  // app.js, app.css, live.js
  EXPECT_EQ(html.find("https://"), std::string::npos);
  for (const auto& a : web_assets()) {
    const std::string body(a.body);
    EXPECT_EQ(body.find("//cdn."), std::string::npos) << a.path;
    EXPECT_EQ(body.find("src=\"http"), std::string::npos) << a.path;
  }
}
#endif
