// AdminQueue: the session's admin thread. It runs blocking maintenance
// (topology refresh, control-connection reconnection, schema agreement) one
// task at a time, so the io thread never waits for an answer.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace cql {

class AdminQueue {
 public:
  AdminQueue();
  ~AdminQueue();  // Stop()
  AdminQueue(const AdminQueue&) = delete;
  AdminQueue& operator=(const AdminQueue&) = delete;

  // Runs task on the admin thread. A task that will never run (posted after
  // Stop, or still queued when Stop is called) gets on_drop instead, on the
  // caller's thread: a request waiting on it must still be answered.
  void Post(std::function<void()> task, std::function<void()> on_drop = {});
  // Joins the thread; tasks not yet started are dropped (their on_drop runs).
  void Stop();

 private:
  struct Task {
    std::function<void()> run;
    std::function<void()> on_drop;
  };
  void Loop();

  std::mutex mu_;  // guards tasks_, stop_
  std::condition_variable cv_;
  std::deque<Task> tasks_;
  bool stop_ = false;
  std::thread thread_;  // last: started once the fields above exist
};

}  // namespace cql
