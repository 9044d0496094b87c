// The event hub behind GET /api/runs/{run_id}/events.
//
// Runs are recorded by other processes (the demo, a training script), so the
// hub polls the store: one poller thread visits every watched run once per
// poll interval, however many clients watch it, and fans what is new out to
// the run's subscriptions as ready-made Server-Sent Events frames:
//   - `event: metric` for each metric whose (timestamp, step) is greater
//     than the last one sent (oldest first; `id:` is its paging cursor);
//   - `event: topology` for each new network snapshot;
//   - `event: run` when the run's status or end_time changes. A run that is
//     no longer "running" gets its final run event and its subscriptions end.
// A metric that becomes visible with a key below one already sent (two
// processes writing one run with skewed clocks) is not sent.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "canopy/metrics_store.h"
#include "http/params.h"

namespace canopy::http {

using Frame = std::shared_ptr<const std::string>;

std::string metric_frame(const Metric& m);
std::string topology_frame(const NetworkTopology& t);
std::string run_frame(const Run& r);

// One client's queue of frames.
class Subscription {
 public:
  // Waits up to `timeout` for frames; appends them to `out`. Returns false
  // once the subscription has ended and every frame was taken.
  bool take(std::string& out, std::chrono::milliseconds timeout);
  // The client left: the hub drops the subscription at its next poll.
  void cancel();
  bool cancelled() const;

 private:
  friend class EventHub;
  void push(const Frame& frame);
  void end();

  static constexpr std::size_t kMaxQueuedBytes = 64u << 20;  // a client this far behind is dropped
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Frame> frames_;
  std::size_t queued_bytes_ = 0;
  bool ended_ = false;
  bool cancelled_ = false;
};

using TopologyKey = std::tuple<Timestamp, std::int32_t>;  // (timestamp, hidden_units)

class EventHub {
 public:
  EventHub(MetricsStore& store, std::chrono::milliseconds poll_interval);
  ~EventHub();  // shutdown()

  struct Subscribed {
    std::shared_ptr<Subscription> subscription;  // null when the run is not running
    Run run;                                     // as read when subscribing
    std::optional<MetricKey> last_metric;        // live frames come after this key
    std::optional<TopologyKey> last_topology;
  };
  // Watches `run_id` (a run that exists: NotFound otherwise). When the run
  // is no longer running there is nothing to watch: subscription is null.
  Subscribed subscribe(const Uuid& run_id);
  // Ends every subscription and stops the poller; later subscribe() calls
  // get ended subscriptions.
  void shutdown();
  std::size_t watched_runs() const;

 private:
  struct Watch {
    Uuid run_id;
    std::mutex mutex;  // guards everything below
    Run run;
    std::optional<MetricKey> last_metric;
    std::optional<TopologyKey> last_topology;
    std::vector<std::shared_ptr<Subscription>> subscribers;
  };
  void loop();
  // Reads what is new for `watch` and publishes it; false when the watch is over.
  bool poll(Watch& watch);

  MetricsStore& store_;
  const std::chrono::milliseconds poll_interval_;
  mutable std::mutex mutex_;  // guards watches_ and stopping_; taken before a Watch's
  std::condition_variable wake_;
  std::map<Uuid, std::shared_ptr<Watch>> watches_;
  bool stopping_ = false;
  std::thread poller_;
};

}  // namespace canopy::http
