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

  void Post(std::function<void()> task);
  // Joins the thread; tasks not yet started are dropped.
  void Stop();

 private:
  void Loop();

  std::mutex mu_;  // guards tasks_, stop_
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stop_ = false;
  std::thread thread_;  // last: started once the fields above exist
};

}  // namespace cql
