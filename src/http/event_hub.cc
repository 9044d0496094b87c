#include "http/event_hub.h"

#include <algorithm>
#include <cstdio>

#include "canopy/errors.h"
#include "http/oldest_first.h"
#include "json/to_json.h"

namespace canopy::http {
namespace {

std::string frame(const char* event, const json::Json& data, const std::string& id = "") {
  std::string f;
  if (!id.empty()) f += "id: " + id + "\n";
  f += "event: ";
  f += event;
  f += "\ndata: ";
  // One line (dump() without indent escapes every newline); invalid UTF-8 replaced.
  f += data.dump(-1, ' ', false, json::Json::error_handler_t::replace);
  f += "\n\n";
  return f;
}

bool running(const Run& r) { return r.status == kStatusRunning; }

}  // namespace

std::string metric_frame(const Metric& m) {
  std::string f = "id: " + encode_cursor({*m.timestamp, *m.step}) + "\nevent: metric\ndata: ";
  json::append_metric_json(f, m);
  return f + "\n\n";
}
std::string topology_frame(const NetworkTopology& t) { return frame("topology", json::topology_to_json(t)); }
std::string run_frame(const Run& r) { return frame("run", json::run_to_json(r)); }

// --- Subscription ----------------------------------------------------------

bool Subscription::take(std::string& out, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  ready_.wait_for(lock, timeout, [&] { return !frames_.empty() || ended_; });
  while (!frames_.empty()) {
    out += *frames_.front();
    queued_bytes_ -= frames_.front()->size();
    frames_.pop_front();
  }
  return !ended_;
}

void Subscription::cancel() {
  std::lock_guard lock(mutex_);
  cancelled_ = true;
}

bool Subscription::cancelled() const {
  std::lock_guard lock(mutex_);
  return cancelled_;
}

void Subscription::push(const Frame& f) {
  std::lock_guard lock(mutex_);
  if (ended_) return;
  if (queued_bytes_ + f->size() > kMaxQueuedBytes) {
    ended_ = true;  // the client does not keep up; its stream ends
  } else {
    frames_.push_back(f);
    queued_bytes_ += f->size();
  }
  ready_.notify_all();
}

void Subscription::end() {
  std::lock_guard lock(mutex_);
  ended_ = true;
  ready_.notify_all();
}

// --- EventHub --------------------------------------------------------------

EventHub::EventHub(MetricsStore& store, std::chrono::milliseconds poll_interval)
    : store_(store), poll_interval_(poll_interval), poller_([this] { loop(); }) {}

EventHub::~EventHub() { shutdown(); }

EventHub::Subscribed EventHub::subscribe(const Uuid& run_id) {
  Subscribed s;
  auto run = store_.get_run(run_id);
  if (!run) throw NotFound("run " + run_id.str() + " not found");
  s.run = *run;
  auto sub = std::make_shared<Subscription>();
  std::unique_lock lock(mutex_);
  if (stopping_) {
    sub->end();
    s.subscription = sub;
    return s;
  }
  auto it = watches_.find(run_id);
  if (it == watches_.end()) {
    if (!running(*run)) return s;
    // A new watch starts at what the store holds now.
    auto w = std::make_shared<Watch>();
    w->run_id = run_id;
    w->run = *run;
    auto newest = store_.query_metrics(run_id, std::nullopt, std::nullopt, 1);
    if (!newest.empty()) w->last_metric = MetricKey{*newest[0].timestamp, *newest[0].step};
    auto topo = store_.query_topology(run_id, 1);
    if (!topo.empty()) w->last_topology = TopologyKey{topo[0].timestamp, topo[0].hidden_units};
    it = watches_.emplace(run_id, std::move(w)).first;
  }
  Watch& w = *it->second;
  std::lock_guard wlock(w.mutex);
  s.run = w.run;
  s.last_metric = w.last_metric;
  s.last_topology = w.last_topology;
  w.subscribers.push_back(sub);
  s.subscription = sub;
  return s;
}

void EventHub::shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !poller_.joinable()) return;
    stopping_ = true;
    for (auto& [id, w] : watches_) {
      std::lock_guard wlock(w->mutex);
      for (auto& sub : w->subscribers) sub->end();
      w->subscribers.clear();
    }
    watches_.clear();
  }
  wake_.notify_all();
  if (poller_.joinable() && poller_.get_id() != std::this_thread::get_id()) poller_.join();
}

std::size_t EventHub::watched_runs() const {
  std::lock_guard lock(mutex_);
  return watches_.size();
}

void EventHub::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, poll_interval_, [&] { return stopping_; });
    if (stopping_) break;
    std::vector<std::shared_ptr<Watch>> watches;
    for (auto& [id, w] : watches_) watches.push_back(w);
    lock.unlock();
    std::vector<Uuid> over;
    for (auto& w : watches) {
      try {
        if (!poll(*w)) over.push_back(w->run_id);
      } catch (const std::exception& e) {
        // The backend may come back: keep the watch and try at the next poll.
        std::fprintf(stderr, "canopy-store serve: events of run %s: %s\n", w->run_id.str().c_str(), e.what());
      }
    }
    lock.lock();
    for (const Uuid& id : over) {
      auto it = watches_.find(id);
      if (it == watches_.end()) continue;
      std::lock_guard wlock(it->second->mutex);
      // A subscriber may have joined since the poll; such a watch stays.
      if (it->second->subscribers.empty()) watches_.erase(it);
    }
  }
}

bool EventHub::poll(Watch& w) {
  {
    std::lock_guard wlock(w.mutex);
    std::erase_if(w.subscribers, [](const auto& s) { return s->cancelled(); });
    if (w.subscribers.empty()) return false;
  }
  // Read the run first: complete_run flushes the metrics before it records
  // the end, so a finished run's last metrics are in the reads that follow.
  const auto run = store_.get_run(w.run_id);
  std::vector<Frame> frames;
  std::optional<MetricKey> last_metric = w.last_metric;  // only this thread writes it
  scan_oldest_first(store_, w.run_id, w.last_metric, std::nullopt, std::nullopt, [&](const Metric& m) {
    frames.push_back(std::make_shared<const std::string>(metric_frame(m)));
    last_metric = MetricKey{*m.timestamp, *m.step};
  });
  std::optional<TopologyKey> last_topology = w.last_topology;
  auto snapshots = store_.query_topology(w.run_id, 1000);
  for (auto it = snapshots.rbegin(); it != snapshots.rend(); ++it) {
    TopologyKey k{it->timestamp, it->hidden_units};
    if (last_topology && k <= *last_topology) continue;
    frames.push_back(std::make_shared<const std::string>(topology_frame(*it)));
    last_topology = k;
  }
  bool changed = run && (run->status != w.run.status || run->end_time != w.run.end_time);
  if (changed) frames.push_back(std::make_shared<const std::string>(run_frame(*run)));
  const bool over = !run || !running(*run);

  std::lock_guard wlock(w.mutex);
  w.last_metric = last_metric;
  w.last_topology = last_topology;
  if (run) w.run = *run;
  for (auto& sub : w.subscribers)
    for (const Frame& f : frames) sub->push(f);
  if (over) {
    for (auto& sub : w.subscribers) sub->end();
    w.subscribers.clear();
    return false;
  }
  return true;
}

}  // namespace canopy::http
