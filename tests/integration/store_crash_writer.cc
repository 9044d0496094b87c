// Helper process for the crash tests (store_crash_test.cc).
//
//   store_crash_writer write  <common options> [--count N]
//       stores metrics epoch = 0, 1, 2, ... of run --run (forever, or N) and,
//       after each store_metric returns, writes the epoch (int32, binary) to
//       stdout; the test SIGKILLs it mid-stream.
//   store_crash_writer replay <common options>
//       opens the store (which replays the spool), flushes, closes.
//
// Common options: --run UUID --spool DIR --durability each|buffered and
// either --sqlite PATH or --cassandra HOSTS --keyspace KS.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "canopy/errors.h"
#include "canopy/metrics_store.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: store_crash_writer write|replay options...\n");
    return 2;
  }
  std::string mode = argv[1];
  canopy::Config c;
  std::string run;
  long count = -1;
  c.cassandra.flush_interval = std::chrono::milliseconds(60'000);
  c.cassandra.batch_size = 5'000;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--run") run = v;
    else if (k == "--spool") c.writer.spool_dir = v;
    else if (k == "--durability") c.writer.durability = v == "each" ? canopy::Durability::kSpoolEach : canopy::Durability::kBuffered;
    else if (k == "--sqlite") c.embedded.path = v;
    else if (k == "--cassandra") {
      c.cassandra.enabled = true;
      c.cassandra.contact_points = {v};
      c.cassandra.pool_size = 1;
      c.cassandra.replication_class = "SimpleStrategy";
      c.cassandra.replication = {{"replication_factor", 1}};
    } else if (k == "--keyspace") c.cassandra.keyspace = v;
    else if (k == "--count") count = std::stol(v);
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  try {
    auto store = canopy::open_store(c);
    if (mode == "replay") {
      store->flush_metrics(std::chrono::milliseconds(120'000));
      store->close();
      return 0;
    }
    canopy::Uuid id = canopy::Uuid::parse(run);
    for (std::int32_t i = 0; count < 0 || i < count; ++i) {
      canopy::Metric m;
      m.epoch = i;
      m.train_loss = 1.0 / (i + 1);
      store->store_metric(id, m);
      if (::write(1, &i, sizeof i) != sizeof i) return 3;
    }
    store->close();
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "store_crash_writer: %s\n", e.what());
    return 1;
  }
}
