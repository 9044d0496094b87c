// The column tables (canopy/columns.h) are the one place a column is
// named: the SQL both backends run and the JSON forms must follow them.
#include "canopy/columns.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "json/to_json.h"
#include "store/cql_columns.h"
#include "store/sqlite_columns.h"

namespace canopy {
namespace {

template <typename Table>
void expect_unique_names(const Table& table) {
  std::set<std::string_view> seen;
  for (std::string_view n : columns::column_names(table)) EXPECT_TRUE(seen.insert(n).second) << n;
}

TEST(Columns, NamesAreUniqueAndKeysAreMarked) {
  expect_unique_names(columns::kMetricColumns);
  expect_unique_names(columns::kRunColumns);
  expect_unique_names(columns::kTopologyColumns);
  expect_unique_names(columns::kFinalColumns);
  std::vector<std::string_view> keys;
  columns::for_each_column(columns::kMetricColumns, [&](const auto& c, std::size_t) {
    if (c.key) keys.push_back(c.name);
  });
  EXPECT_EQ(keys, (std::vector<std::string_view>{"timestamp", "step"}));
  EXPECT_EQ(columns::column_list(columns::kMetricColumns),
            "timestamp, step, epoch, train_loss, train_accuracy, val_loss, val_accuracy, learning_rate, hidden_units");
}

TEST(Columns, FinalColumnsAreRunColumns) {
  std::set<std::string_view> run;
  for (std::string_view n : columns::column_names(columns::kRunColumns)) run.insert(n);
  for (std::string_view n : columns::column_names(columns::kFinalColumns)) EXPECT_TRUE(run.count(n)) << n;
}

TEST(Columns, CqlDefinitionsAndMarkers) {
  EXPECT_EQ(store::cqlcol::definitions(columns::kTopologyColumns, true),
            "run_id uuid, timestamp timestamp, hidden_units int, epoch int, input_size int, output_size int, "
            "total_parameters bigint, topology_json text");
  const std::string runs = store::cqlcol::definitions(columns::kRunColumns, false);
  EXPECT_EQ(runs.find("run_id"), std::string::npos) << "keys left out";
  EXPECT_NE(runs.find("tags map<text, text>"), std::string::npos);
  EXPECT_EQ(store::cqlcol::markers(columns::kFinalColumns), "?, ?, ?, ?, ?, ?, ?, ?, ?, ?");
}

TEST(Columns, SqliteMergeKeepsKnownValuesOfOptionalColumnsOnly) {
  const std::string merge = store::sqlitecol::merge_clause(columns::kRunColumns);
  EXPECT_EQ(merge.find("run_id ="), std::string::npos) << "the key is never merged";
  EXPECT_NE(merge.find("final_epoch = COALESCE(excluded.final_epoch, final_epoch)"), std::string::npos);
  EXPECT_NE(merge.find("status = excluded.status"), std::string::npos);
  EXPECT_EQ(store::sqlitecol::markers(columns::kTopologyColumns, 3), "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10");
  EXPECT_NE(store::sqlitecol::definitions(columns::kMetricColumns).find("step INTEGER NOT NULL"),
            std::string::npos);
}

TEST(Columns, JsonFormsUseTheColumnNames) {
  canopy::Run r;
  const json::Json j = json::run_to_json(r);
  for (std::string_view n : columns::column_names(columns::kRunColumns)) EXPECT_TRUE(j.contains(n)) << n;
  const json::Json m = json::metric_to_json(Metric{});
  EXPECT_EQ(m.size(), columns::column_count(columns::kMetricColumns));
}

}  // namespace
}  // namespace canopy
