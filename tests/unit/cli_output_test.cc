#include "cli/output.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

namespace canopy::cli {
namespace {

Metric sample() {
  Metric m;
  m.timestamp = Timestamp{std::chrono::milliseconds(1'795'602'030'123)};
  m.step = 7;
  m.epoch = 3;
  m.train_loss = 0.1;
  m.val_loss = std::numeric_limits<double>::quiet_NaN();
  m.val_accuracy = std::numeric_limits<double>::infinity();
  return m;
}

std::string write(Format f, const std::vector<Metric>& rows) {
  std::ostringstream out;
  MetricWriter w(out, f);
  w.begin();
  for (const auto& m : rows) w.row(m);
  w.end();
  return out.str();
}

TEST(Output, ParseFormat) {
  EXPECT_EQ(parse_format("csv"), Format::kCsv);
  EXPECT_EQ(parse_format("json"), Format::kJson);
  EXPECT_EQ(parse_format("table"), Format::kTable);
  EXPECT_FALSE(parse_format("xml"));
}

TEST(Output, CsvHasHeaderAndShortestRoundTripNumbers) {
  std::string csv = write(Format::kCsv, {sample()});
  EXPECT_EQ(csv,
            "timestamp,step,epoch,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate,"
            "hidden_units\n2026-11-25T10:20:30.123Z,7,3,0.1,,nan,inf,,\n");
}

TEST(Output, JsonIsValidAndKeepsNonFiniteAsStrings) {
  auto parsed = nlohmann::json::parse(write(Format::kJson, {sample(), sample()}));
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[0]["step"], 7);
  EXPECT_EQ(parsed[0]["val_loss"], "NaN");
  EXPECT_EQ(parsed[0]["val_accuracy"], "Infinity");
  EXPECT_TRUE(parsed[0]["train_accuracy"].is_null());
  EXPECT_DOUBLE_EQ(parsed[0]["train_loss"].get<double>(), 0.1);
}

TEST(Output, EmptyJsonExportIsAnEmptyArray) {
  EXPECT_EQ(nlohmann::json::parse(write(Format::kJson, {})).size(), 0u);
}

TEST(Output, CsvQuotesFieldsWithCommas) {
  canopy::Run r;
  r.status = "done";
  r.dataset_name = "a,\"b\"";
  std::ostringstream out;
  print_runs(out, std::vector<canopy::Run>{r}, Format::kCsv);
  EXPECT_NE(out.str().find("\"a,\"\"b\"\"\""), std::string::npos);
}

TEST(Output, TableNumbersAreRoundedForReading) {
  EXPECT_EQ(table_number(0.8958333333333334), "0.8958");
  EXPECT_EQ(table_number(0.5), "0.5");
  EXPECT_EQ(table_number(12.3456), "12.35");
  EXPECT_EQ(table_number(123.456), "123.5");
  EXPECT_EQ(table_number(1234.56), "1235");
  EXPECT_EQ(table_number(3.0), "3");
  EXPECT_EQ(table_number(0.0), "0");
  EXPECT_EQ(table_number(-0.00001), "-1.000e-05");
  EXPECT_EQ(table_number(0.00012345), "1.234e-04");
  EXPECT_EQ(table_number(12'345'678.0), "1.235e+07");
  EXPECT_EQ(table_number(-0.00004), "-4.000e-05");
  EXPECT_EQ(table_number(-0.00000), "0");
  EXPECT_EQ(table_number(std::numeric_limits<double>::quiet_NaN()), "nan");
  EXPECT_EQ(table_number(-std::numeric_limits<double>::infinity()), "-inf");
}

// Tables round; CSV and JSON keep every digit.
TEST(Output, RunsTableRoundsButCsvKeepsFullPrecision) {
  canopy::Run r;
  r.status = "completed";
  r.final_val_accuracy = 0.8958333333333334;
  r.duration_seconds = 12.345678;
  std::ostringstream table, csv;
  print_runs(table, std::vector<canopy::Run>{r}, Format::kTable);
  print_runs(csv, std::vector<canopy::Run>{r}, Format::kCsv);
  EXPECT_NE(table.str().find(" 0.8958 "), std::string::npos) << table.str();
  EXPECT_NE(table.str().find(" 12.35 "), std::string::npos) << table.str();
  EXPECT_EQ(table.str().find("0.89583333"), std::string::npos) << table.str();
  EXPECT_NE(csv.str().find("0.8958333333333334"), std::string::npos) << csv.str();
  EXPECT_NE(csv.str().find("12.345678"), std::string::npos) << csv.str();
}

TEST(Output, MetricTableRoundsButCsvKeepsFullPrecision) {
  Metric m = sample();
  m.train_loss = 0.123456789;
  EXPECT_NE(write(Format::kTable, {m}).find("0.1235 "), std::string::npos);
  EXPECT_EQ(write(Format::kTable, {m}).find("0.123456789"), std::string::npos);
  EXPECT_NE(write(Format::kCsv, {m}).find("0.123456789"), std::string::npos);
}

}  // namespace
}  // namespace canopy::cli
