#include "cql/admin_queue.h"

namespace cql {

AdminQueue::AdminQueue() : thread_([this] { Loop(); }) {}

AdminQueue::~AdminQueue() { Stop(); }

void AdminQueue::Post(std::function<void()> task, std::function<void()> on_drop) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stop_) {
      tasks_.push_back({std::move(task), std::move(on_drop)});
      cv_.notify_one();
      return;
    }
  }
  if (on_drop) on_drop();
}

void AdminQueue::Stop() {
  std::deque<Task> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    dropped.swap(tasks_);
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (auto& t : dropped)
    if (t.on_drop) t.on_drop();
}

void AdminQueue::Loop() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !tasks_.empty(); });
      if (stop_) return;
      task = std::move(tasks_.front().run);
      tasks_.pop_front();
    }
    task();
  }
}

}  // namespace cql
