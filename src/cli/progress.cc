#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace canopy::cli {
namespace {

std::chrono::milliseconds delay_before_first_line() {
  if (const char* v = std::getenv("CANOPY_PROGRESS_AFTER_MS")) {
    char* end = nullptr;
    long ms = std::strtol(v, &end, 10);
    if (end != v && *end == '\0' && ms >= 0) return std::chrono::milliseconds(ms);
  }
  return std::chrono::milliseconds(1000);
}

}  // namespace

Progress::Progress(std::string what, std::string unit, std::uint64_t total)
    : what_(std::move(what)),
      unit_(std::move(unit)),
      total_(total),
      enabled_(::isatty(STDERR_FILENO) == 1),
      start_(Clock::now()),
      next_(start_ + delay_before_first_line()) {}

void Progress::update(std::uint64_t done) {
  if (!enabled_) return;
  auto now = Clock::now();
  if (now < next_) return;
  print(done, now);
  next_ = now + std::chrono::milliseconds(200);
}

void Progress::print(std::uint64_t done, Clock::time_point now) {
  double secs = std::chrono::duration<double>(now - start_).count();
  double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
  char line[160];
  if (total_ > 0) {
    std::snprintf(line, sizeof line, "%s: %llu of %llu %s (%.0f%%), %.0f %s/s, %.0f s", what_.c_str(),
                  static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_),
                  unit_.c_str(), 100.0 * static_cast<double>(done) / static_cast<double>(total_), rate,
                  unit_.c_str(), secs);
  } else {
    std::snprintf(line, sizeof line, "%s: %llu %s, %.0f %s/s, %.0f s", what_.c_str(),
                  static_cast<unsigned long long>(done), unit_.c_str(), rate, unit_.c_str(), secs);
  }
  // \r and erase-to-end-of-line: the next update overwrites this one.
  std::fprintf(stderr, "\r%s\033[K", line);
  std::fflush(stderr);
  printed_ = true;
}

void Progress::finish() {
  if (!printed_) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  printed_ = false;
}

}  // namespace canopy::cli
