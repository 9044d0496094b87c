// The read API's pure pieces: route matching, parameters, the paging
// cursor, and that the OpenAPI document describes exactly the routes and
// query parameters the server answers.
#include "http/router.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "canopy/config.h"
#include "http/api.h"
#include "http/api_error.h"
#include "http/event_hub.h"
#include "http/openapi.h"
#include "http/params.h"

namespace canopy::http {
namespace {

TEST(Router, TemplatesBindOneSegmentEach) {
  auto p = match_template("/api/runs/{run_id}/series", "/api/runs/abc/series");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->at("run_id"), "abc");
  EXPECT_FALSE(match_template("/api/runs/{run_id}", "/api/runs/"));
  EXPECT_FALSE(match_template("/api/runs/{run_id}", "/api/runs/a/b"));
  EXPECT_FALSE(match_template("/api/runs", "/api/runs/"));
  EXPECT_TRUE(match_template("/", "/"));
  EXPECT_FALSE(match_template("/", "/x"));
}

TEST(Router, UnknownPathAndWrongMethodDiffer) {
  Router r;
  r.add({"GET", "/api/runs", {}, {}});
  r.add({"POST", "/api/runs", {}, {}});
  r.add({"GET", "/api/runs/{run_id}", {}, {}});
  EXPECT_TRUE(r.match("GET", "/api/runs").route);
  EXPECT_TRUE(r.match("HEAD", "/api/runs/x").route);
  auto m = r.match("DELETE", "/api/runs");
  EXPECT_FALSE(m.route);
  EXPECT_EQ(m.allowed, (std::vector<std::string>{"GET", "HEAD", "POST"}));
  EXPECT_TRUE(r.match("GET", "/api/nothing").allowed.empty());
}

TEST(Params, IntegersTimesAndChoicesNameTheParameter) {
  Params q{{"limit", "0"}, {"points", "12x"}, {"from", "yesterday"}, {"format", "xml"}, {"n", "99999999999"}};
  auto message = [](auto f) {
    try {
      f();
    } catch (const ApiError& e) {
      EXPECT_EQ(e.status(), 400);
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(message([&] { int_param(q, "limit", 1, 1, 10); }), "limit: '0' is out of range 1..10");
  EXPECT_NE(message([&] { int_param(q, "points", 1, 1, 10); }).find("points: '12x' is not an integer"),
            std::string::npos);
  EXPECT_NE(message([&] { int_param(q, "n", 1, 1, 10); }).find("out of range"), std::string::npos);
  EXPECT_NE(message([&] { time_param(q, "from"); }).find("from: 'yesterday' is not a time"), std::string::npos);
  EXPECT_NE(message([&] { choice_param(q, "format", "csv", {"csv", "json"}); }).find("not one of csv, json"),
            std::string::npos);
  EXPECT_EQ(int_param(q, "absent", 7, 1, 10), 7);
  try {
    run_id_value("abc", "run_id");
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.detail(), "Invalid UUID");
  }
}

TEST(Params, CursorRoundTripsAndRefusesGarbage) {
  MetricKey k{Timestamp{std::chrono::milliseconds(1'795'602'030'123)}, 42};
  auto back = decode_cursor(encode_cursor(k));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, k);
  MetricKey negative{Timestamp{std::chrono::milliseconds(5)}, -3};
  EXPECT_EQ(*decode_cursor(encode_cursor(negative)), negative);
  for (const char* bad : {"", "c1.", "c1.zz.1", "c1.10", "c1.10.", "x1.10.2", "c1.10.2.3", "c1.-1.2"})
    EXPECT_FALSE(decode_cursor(bad)) << bad;
}

// The server's routes, built on a throwaway SQLite store.
class Routes : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("http_router_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    ConfigSources sources;
    sources.environment = Environment{};
    sources.overrides = {"backend.embedded.path=" + (dir_ / "metrics.db").string()};
    store_ = open_store(load_config(sources));
    hub_ = std::make_unique<EventHub>(*store_, std::chrono::milliseconds(250));
    api_.reset(new ApiContext{*store_, options_, *hub_, router_});
    add_read_routes(router_, *api_);
    add_export_routes(router_, *api_);
    add_event_routes(router_, *api_);
    add_write_routes(router_, *api_);
    add_meta_routes(router_, *api_);
  }
  void TearDown() override {
    hub_.reset();
    store_->close();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
  std::unique_ptr<MetricsStore> store_;
  ServerOptions options_;
  std::unique_ptr<EventHub> hub_;
  Router router_;
  std::unique_ptr<ApiContext> api_;
};

TEST_F(Routes, OpenApiDescribesEveryApiRouteAndItsParameters) {
  auto doc = nlohmann::json::parse(openapi_document());
  EXPECT_EQ(doc["openapi"], "3.1.0");
  std::set<std::string> served, described;
  for (const Route& r : router_.routes()) {
    if (r.path.rfind("/api/", 0) != 0) continue;
    std::string method = r.method;
    for (char& c : method) c = static_cast<char>(std::tolower(c));
    served.insert(method + " " + r.path);
    ASSERT_TRUE(doc["paths"].contains(r.path)) << r.path;
    ASSERT_TRUE(doc["paths"][r.path].contains(method)) << method << " " << r.path;
    std::set<std::string> query;
    for (const auto& p : doc["paths"][r.path][method].value("parameters", nlohmann::json::array())) {
      auto resolved = p;
      if (p.contains("$ref")) {
        const std::string ref = p["$ref"];  // "#/components/parameters/<name>"
        resolved = doc["components"]["parameters"][ref.substr(ref.rfind('/') + 1)];
      }
      if (resolved["in"] == "query") query.insert(resolved["name"]);
    }
    EXPECT_EQ(query, std::set<std::string>(r.query.begin(), r.query.end())) << method << " " << r.path;
  }
  for (const auto& [path, item] : doc["paths"].items())
    for (const auto& [method, op] : item.items())
      if (method != "parameters") described.insert(method + " " + path);
  EXPECT_EQ(served, described);
}

}  // namespace
}  // namespace canopy::http
