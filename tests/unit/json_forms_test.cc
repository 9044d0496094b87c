// The JSON forms of the public types (src/json): what the CLI prints and the
// read API answers, and reading them back.
#include "json/from_json.h"
#include "json/text.h"
#include "json/to_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>

#include "canopy/errors.h"

namespace canopy::json {
namespace {

TEST(JsonForms, XmlEscapeCoversMarkupAndQuotes) {
  EXPECT_EQ(json::xml_escape("a<b>&\"c\""), "a&lt;b&gt;&amp;&quot;c&quot;");
  EXPECT_EQ(json::xml_escape("plain"), "plain");
}

TEST(JsonForms, RunEmbedsConfigWhenItIsJson) {
  canopy::Run r;
  r.status = "completed";
  r.config_json = R"({"lr":0.1})";
  EXPECT_EQ(run_to_json(r)["config"]["lr"], 0.1);
  EXPECT_EQ(run_to_json(r)["config_json"], R"({"lr":0.1})");
  r.config_json = "not json";
  EXPECT_EQ(run_to_json(r)["config"], "not json");
}

TEST(JsonForms, MetricRoundTripsWithNonFiniteValues) {
  Metric m;
  m.timestamp = Timestamp{std::chrono::milliseconds(1'795'602'030'123)};
  m.step = 7;
  m.epoch = 3;
  m.train_loss = 0.1;
  m.val_loss = std::numeric_limits<double>::infinity();
  Json j = metric_to_json(m);
  EXPECT_EQ(j["timestamp"], "2026-11-25T10:20:30.123Z");
  EXPECT_EQ(j["val_loss"], "Infinity");
  EXPECT_TRUE(j["val_accuracy"].is_null());
  EXPECT_EQ(metric_from_json(nlohmann::json::parse(j.dump())), m);
  std::string fast;
  append_metric_json(fast, m);
  EXPECT_EQ(nlohmann::ordered_json::parse(fast), j);  // the same object, key order included
  fast.clear();
  append_metric_json(fast, Metric{});
  EXPECT_EQ(nlohmann::ordered_json::parse(fast), metric_to_json(Metric{}));
}

TEST(JsonForms, MetricFromJsonNamesTheBadField) {
  auto error = [](const char* text) {
    try {
      metric_from_json(nlohmann::json::parse(text), "body[2]");
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(error(R"({"epoch": 1.5})").find("body[2].epoch"), std::string::npos);
  EXPECT_NE(error(R"({"epoch": 3000000000})").find("body[2].epoch"), std::string::npos);
  EXPECT_NE(error(R"({"train_loss": "high"})").find("body[2].train_loss"), std::string::npos);
  EXPECT_NE(error(R"({"timestamp": "yesterday"})").find("body[2].timestamp"), std::string::npos);
  EXPECT_NE(error(R"({"loss": 1})").find("unknown field \"loss\""), std::string::npos);
  EXPECT_NE(error(R"([1])").find("expected an object"), std::string::npos);
  EXPECT_TRUE(std::isnan(*metric_from_json(nlohmann::json::parse(R"({"val_loss": "NaN"})")).val_loss));
}

TEST(JsonForms, NewRunTakesConfigAsObjectOrText) {
  NewRun r = new_run_from_json(nlohmann::json::parse(
      R"({"dataset_name": "xor", "config": {"lr": 0.5}, "tags": {"who": "ada"}, "notes": "n"})"));
  EXPECT_EQ(r.dataset_name, "xor");
  EXPECT_EQ(nlohmann::json::parse(r.config_json)["lr"], 0.5);
  EXPECT_EQ(r.tags.at("who"), "ada");
  EXPECT_EQ(new_run_from_json(nlohmann::json::parse(R"({"config_json": "{}"})")).config_json, "{}");
  EXPECT_THROW(new_run_from_json(nlohmann::json::parse(R"({"config": {}, "config_json": "{}"})")),
               InvalidArgument);
  EXPECT_THROW(new_run_from_json(nlohmann::json::parse(R"({"run_id": "abc"})")), InvalidArgument);
  EXPECT_THROW(new_run_from_json(nlohmann::json::parse(R"({"tags": {"a": 1}})")), InvalidArgument);
}

TEST(JsonForms, FinalMetricsWithStatus) {
  std::string status;
  FinalMetrics f = final_metrics_from_json(
      nlohmann::json::parse(R"({"status": "failed", "final_epoch": 9, "best_val_accuracy": 0.9})"), status);
  EXPECT_EQ(status, "failed");
  EXPECT_EQ(f.final_epoch, 9);
  final_metrics_from_json(nlohmann::json::object(), status);
  EXPECT_EQ(status, "completed");
}

TEST(JsonForms, SeriesAndSummaryShapes) {
  Series s;
  s.field = "val_accuracy";
  s.values = 2;
  s.points.push_back({Timestamp{std::chrono::milliseconds(0)}, 0, 1, 0.5});
  s.points.push_back({Timestamp{std::chrono::milliseconds(1)}, 1, std::nullopt,
                      std::numeric_limits<double>::quiet_NaN()});
  Json j = series_to_json(s);
  EXPECT_EQ(j["points"][0]["epoch"], 1);
  EXPECT_TRUE(j["points"][1]["epoch"].is_null());
  EXPECT_EQ(j["points"][1]["value"], "NaN");

  RunSummary sum;
  sum.metrics = 3;
  FieldSummary f;
  f.field = "train_loss";
  f.count = 3;
  f.min = 0.1;
  f.best = 0.1;
  f.best_epoch = 4;
  sum.fields.push_back(f);
  Json js = summary_to_json(sum);
  EXPECT_EQ(js["fields"]["train_loss"]["best_epoch"], 4);
  EXPECT_TRUE(js["first_timestamp"].is_null());
}

TEST(JsonForms, CsvLineQuotesAndKeepsPrecision) {
  Metric m;
  m.timestamp = Timestamp{std::chrono::milliseconds(0)};
  m.step = 0;
  m.train_loss = 0.1;
  m.val_loss = -std::numeric_limits<double>::infinity();
  EXPECT_EQ(metric_csv_line(m), "1970-01-01T00:00:00.000Z,0,,0.1,,-inf,,,\n");
  EXPECT_EQ(csv_field("a,\"b\""), "\"a,\"\"b\"\"\"");
  EXPECT_EQ(number_text(1.0 / 3), "0.3333333333333333");  // shortest that reads back
}

// number_text is printf's %g at the smallest precision >= 6 that reads back.
std::string printf_shortest(double v) {
  char buf[32];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

TEST(JsonForms, NumberTextIsPrintfsShortestG) {
  std::mt19937_64 random(7);
  std::vector<double> values = {0.0, -0.0, 1.0, 0.1, 1e-5, 1e-4, 0.0001234, 123456.0, 1234567.0, 100000.0,
                                1e16, 1e21, 5e-324, 1.7976931348623157e308, -2.5, 0.35, 1.0 / 3};
  for (int i = 0; i < 200'000; ++i) {
    std::uint64_t bits = random();
    double v;
    std::memcpy(&v, &bits, sizeof v);
    if (std::isfinite(v)) values.push_back(v);
    values.push_back(std::ldexp(static_cast<double>(random() % 100'000'000), static_cast<int>(random() % 80) - 60));
    values.push_back(static_cast<double>(random() % 1'000'000) / 1000.0);
  }
  for (double v : values) ASSERT_EQ(number_text(v), printf_shortest(v)) << v;
}

}  // namespace
}  // namespace canopy::json
