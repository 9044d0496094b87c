// sqlite_direct: the embedded backend's peer in bench/compare. Writes the
// rows store_ingest --backend sqlite writes, into the embedded backend's
// training_metrics table shape (src/store/sqlite_backend.cc), through
// SQLite's C API at its best: one prepared plain INSERT, WAL,
// synchronous=NORMAL (the store's default), --tx-rows rows per transaction.
//
//   build/bench/sqlite_direct [--count 300000] [--runs 8] [--tx-rows 10000] [--db FILE]
//
// Prints one JSON line: rows, seconds, cpu_seconds (user + sys), and the
// row count read back (a peer that wrote fewer rows is reported as failed).
#include <sqlite3.h>
#include <sys/resource.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace {

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

void check(sqlite3* db, int rc, const char* what) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return;
  std::fprintf(stderr, "sqlite_direct: %s: %s\n", what, sqlite3_errmsg(db));
  std::exit(1);
}

// The embedded backend's table (sqlite_backend.cc's kSchema, metric part).
constexpr const char* kSchema = R"sql(
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE training_metrics (
  run_id BLOB NOT NULL, timestamp INTEGER, step INTEGER, epoch INTEGER, train_loss REAL, train_accuracy REAL,
  val_loss REAL, val_accuracy REAL, learning_rate REAL, hidden_units INTEGER, expires_at INTEGER,
  PRIMARY KEY (run_id, timestamp, step)
) WITHOUT ROWID;
)sql";

}  // namespace

int main(int argc, char** argv) {
  long count = 300'000, runs = 8, tx_rows = 10'000;
  std::string path = "/tmp/canopy-sqlite-direct.db";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--count") count = std::stol(v);
    else if (k == "--runs") runs = std::max(1L, std::stol(v));
    else if (k == "--tx-rows") tx_rows = std::max(1L, std::stol(v));
    else if (k == "--db") path = v;
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  sqlite3* db = nullptr;
  check(db, sqlite3_open(path.c_str(), &db), "open");
  check(db, sqlite3_exec(db, kSchema, nullptr, nullptr, nullptr), "schema");
  sqlite3_stmt* ins = nullptr;
  check(db,
        sqlite3_prepare_v3(db,
                           "INSERT INTO training_metrics (run_id, timestamp, step, epoch, train_loss, train_accuracy, "
                           "val_loss, val_accuracy, learning_rate, hidden_units, expires_at) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                           -1, SQLITE_PREPARE_PERSISTENT, &ins, nullptr),
        "prepare");
  std::mt19937_64 rng(std::random_device{}());
  std::vector<std::array<unsigned char, 16>> ids(static_cast<size_t>(runs));
  for (auto& id : ids)
    for (auto& b : id) b = static_cast<unsigned char>(rng());
  const long long t0 = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch()).count();
  const long long expires = t0 + 2'592'000'000LL;  // the store's default metrics TTL, 30 days

  const double cpu0 = cpu_seconds();
  const auto w0 = std::chrono::steady_clock::now();
  for (long i = 0; i < count; ++i) {
    if (i % tx_rows == 0) check(db, sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), "begin");
    const long step = i / runs;  // runs round-robin, like store_ingest
    sqlite3_bind_blob(ins, 1, ids[static_cast<size_t>(i % runs)].data(), 16, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 2, t0 + step);
    sqlite3_bind_int(ins, 3, static_cast<int>(step));
    sqlite3_bind_int(ins, 4, static_cast<int>(i));
    sqlite3_bind_double(ins, 5, 1.0 / static_cast<double>(i + 1));
    sqlite3_bind_double(ins, 6, 0.5);
    sqlite3_bind_double(ins, 7, 0.7);
    sqlite3_bind_double(ins, 8, 0.6);
    sqlite3_bind_double(ins, 9, 0.01);
    sqlite3_bind_int(ins, 10, 4);
    sqlite3_bind_int64(ins, 11, expires);
    check(db, sqlite3_step(ins), "insert");
    sqlite3_reset(ins);
    if ((i + 1) % tx_rows == 0 || i + 1 == count) check(db, sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), "commit");
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
  const double cpu = cpu_seconds() - cpu0;
  sqlite3_finalize(ins);
  sqlite3_stmt* n = nullptr;
  check(db, sqlite3_prepare_v2(db, "SELECT count(*) FROM training_metrics", -1, &n, nullptr), "count");
  check(db, sqlite3_step(n), "count");
  const long long stored = sqlite3_column_int64(n, 0);
  sqlite3_finalize(n);
  sqlite3_close(db);
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  std::printf("{\"peer\": \"sqlite C API\", \"rows\": %ld, \"seconds\": %.3f, \"cpu_seconds\": %.3f, "
              "\"stored\": %lld, \"rows_per_s\": %.0f, \"peak_rss_kib\": %ld}\n",
              count, secs, cpu, stored, count / secs, u.ru_maxrss);
  return stored == count ? 0 : 1;
}
