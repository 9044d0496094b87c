// Writer::close keeps to its timeout when the flush thread is inside a sink
// write that does not return: close throws FlushError on time saying how
// many metrics were not written, they stay in the spool, and the next
// writer on that spool sends them.
#include <gtest/gtest.h>

#include <future>

#include "canopy/errors.h"
#include "store/writer.h"
#include "unit/store_test_util.h"

namespace canopy::store {
namespace {

using namespace std::chrono_literals;

TEST(StoreWriterClose, CloseReturnsOnTimeWhileTheSinkIsStuckInAWrite) {
  TempDir tmp;
  Uuid run = Uuid::random();
  WriterOptions o;
  o.spool_dir = tmp.path() + "/spool";
  o.durability = Durability::kSpoolEach;
  o.batch_size = 5;
  o.retry_initial = 1ms;
  o.retry_max = 5ms;
  {
    MemorySink stuck;
    stuck.hold();
    auto w = std::make_unique<Writer>(stuck, o);
    for (int i = 0; i < 12; ++i) {
      Metric m;
      m.epoch = i;
      w->store(run, m);
    }
    ASSERT_TRUE(stuck.wait_held());
    auto closing = std::async(std::launch::async, [&] {
      try {
        w->close(200ms);
        return std::string("no error");
      } catch (const FlushError& e) {
        return std::string(e.what());
      }
    });
    // The bound only ends a broken test (close blocked for good); a working
    // close returns after its 200 ms.
    const bool returned = closing.wait_for(60s) == std::future_status::ready;
    stuck.release();  // lets a broken close finish, so the test ends either way
    const std::string error = closing.get();
    EXPECT_TRUE(returned) << "close did not return while the sink was stuck";
    EXPECT_NE(error.find("12 metric(s) were not written"), std::string::npos) << error;
    EXPECT_NE(error.find("spool"), std::string::npos) << error;
    w.reset();  // waits for the stuck write to end before freeing anything
  }
  MemorySink sink;
  Writer next(sink, o);
  next.flush(30s);
  EXPECT_EQ(sink.rows(), 12u) << "the unsent metrics were in the spool";
}

}  // namespace
}  // namespace canopy::store
