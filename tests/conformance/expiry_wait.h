// TTL expiry is wall-clock behaviour, but no test may pass or fail on how
// fast the machine is. These helpers read data back before its TTL runs out
// (retrying with a longer TTL when the machine was too slow to be owed the
// data) and then wait for it to go, bounded only to end a broken test.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace canopy::conformance {

using ExpiryClock = std::chrono::steady_clock;

// Calls `attempt(ttl_seconds, written)` with TTLs of 2, 4, ... 32 s until it
// returns true: it stored data with that TTL (setting `written` just before
// the first store) and read all of it back. A false is a failure only when it
// came before ttl - 1 s had passed since `written` (Cassandra counts TTLs in
// whole seconds, so a row may expire up to 1 s early); later, the data was no
// longer owed and the next, longer TTL is tried. Returns the TTL that worked,
// or 0 after recording the failure.
template <typename Attempt>
int read_back_before_expiry(Attempt attempt) {
  for (int ttl = 2; ttl <= 32; ttl *= 2) {
    ExpiryClock::time_point written = ExpiryClock::now();
    if (attempt(ttl, written)) return ttl;
    const auto elapsed = ExpiryClock::now() - written;
    if (elapsed < std::chrono::seconds(ttl - 1)) {
      ADD_FAILURE() << "data with a TTL of " << ttl << " s was not readable "
                    << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()
                    << " ms after it was stored";
      return 0;
    }
  }
  ADD_FAILURE() << "no read began within 31 s of its write, even with a TTL of 32 s";
  return 0;
}

// Polls `gone` until it holds. `bound` only ends a broken test (data that
// never expires); it is not what the test measures.
template <typename Pred>
bool eventually_expired(Pred gone, std::chrono::seconds bound) {
  const auto deadline = ExpiryClock::now() + bound;
  while (ExpiryClock::now() < deadline) {
    if (gone()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return gone();
}

}  // namespace canopy::conformance
