// The embedded database's key order. training_metrics is keyed ascending
// (run_id, timestamp, step): a trainer appends at the end of its run's key
// range, and SQLite packs pages that fill in key order, where the
// descending key of before left them half empty (211 against 123 bytes per
// metric, bench/store_ingest). Reads are newest first either way: SQLite
// walks the key backwards. Databases made with the descending key keep it
// and must read and write exactly as before.
#include <sqlite3.h>

#include <gtest/gtest.h>

#include <string>

#include "store/sqlite_backend.h"
#include "store/store_impl.h"
#include "unit/store_test_util.h"

namespace canopy::store {
namespace {

// The CREATE statement SQLite keeps for `table`.
std::string table_sql(const std::string& path, const std::string& table) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1", -1, &s, nullptr);
  sqlite3_bind_text(s, 1, table.c_str(), -1, SQLITE_TRANSIENT);
  std::string sql;
  if (sqlite3_step(s) == SQLITE_ROW) sql = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
  sqlite3_close(db);
  return sql;
}

// Records 3 runs of 400 metrics, interleaved as concurrent trainers write,
// and checks each run reads back complete and newest first.
void record_and_read(const TempDir& tmp, const std::string& path) {
  SqliteOptions so;
  so.path = path;
  MetricsStoreImpl impl(std::make_unique<SqliteBackend>(so), writer_options(tmp));
  MetricsStore& store = impl;
  std::vector<Uuid> runs;
  for (int r = 0; r < 3; ++r) runs.push_back(store.create_run(NewRun{}));
  for (int i = 0; i < 400; ++i) {
    for (const Uuid& run : runs) store.store_metric(run, epoch_metric(i));
  }
  store.flush_metrics();
  for (const Uuid& run : runs) {
    const std::vector<Metric> got = store.query_metrics(run, std::nullopt, std::nullopt, 1000);
    ASSERT_EQ(got.size(), 400u);
    for (std::size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i].epoch, 399 - static_cast<int>(i)) << "row " << i << " is not newest first";
    }
    EXPECT_EQ(store.summary(run).metrics, 400u);
    EXPECT_TRUE(store.verify_run(run).complete());
  }
  store.close();
}

TEST(StoreSqliteLayout, NewDatabaseKeysMetricsAscendingAndReadsNewestFirst) {
  TempDir tmp;
  const std::string path = tmp.path() + "/metrics.db";
  record_and_read(tmp, path);
  const std::string sql = table_sql(path, "training_metrics");
  EXPECT_NE(sql.find("PRIMARY KEY (run_id, timestamp, step)"), std::string::npos) << sql;
  EXPECT_EQ(sql.find("DESC"), std::string::npos) << sql;
}

TEST(StoreSqliteLayout, DatabaseWithTheDescendingKeyStillWorks) {
  TempDir tmp;
  const std::string path = tmp.path() + "/metrics.db";
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    // training_metrics as the first schema created it.
    const char* old_table = R"sql(
      CREATE TABLE training_metrics (
        run_id BLOB NOT NULL, timestamp INTEGER NOT NULL, step INTEGER NOT NULL, epoch INTEGER,
        train_loss REAL, train_accuracy REAL, val_loss REAL, val_accuracy REAL, learning_rate REAL,
        hidden_units INTEGER, expires_at INTEGER,
        PRIMARY KEY (run_id, timestamp DESC, step DESC)
      ) WITHOUT ROWID;)sql";
    ASSERT_EQ(sqlite3_exec(db, old_table, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  record_and_read(tmp, path);
  EXPECT_NE(table_sql(path, "training_metrics").find("timestamp DESC"), std::string::npos)
      << "an existing table is kept as it is";
}

}  // namespace
}  // namespace canopy::store
