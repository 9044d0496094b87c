// Progress on stderr for work that takes more than a second (export, bench,
// the flush at close that may replay a spool), and only when stderr is a
// terminal: a pipe or a log file gets no progress lines, only results.
// CANOPY_PROGRESS_AFTER_MS changes the one-second delay (tests set it to 0).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace canopy::cli {

class Progress {
 public:
  // `what` names the work ("exporting", "flushing"); `unit` the things
  // counted ("rows"); total 0 means unknown.
  Progress(std::string what, std::string unit, std::uint64_t total = 0);
  ~Progress() { finish(); }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Cheap enough to call per row (a clock read); prints at most five times a second.
  void update(std::uint64_t done);
  void set_total(std::uint64_t total) { total_ = total; }
  // Clears the line, if one was printed.
  void finish();

  bool enabled() const { return enabled_; }

 private:
  using Clock = std::chrono::steady_clock;
  void print(std::uint64_t done, Clock::time_point now);

  std::string what_;
  std::string unit_;
  std::uint64_t total_;
  bool enabled_;
  bool printed_ = false;
  Clock::time_point start_;
  Clock::time_point next_;
};

}  // namespace canopy::cli
