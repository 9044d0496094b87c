// StoreHandle: what a Python canopy_store._core.Store object holds — one open
// canopy::MetricsStore and whether the Python side closed it.
//
// After close(), get() throws StoreClosed naming the store, so every method
// of a closed store raises canopy_store.ClosedError (the C++ store itself
// only promises that for store_metric). The MetricsStore object stays alive
// until the handle is destroyed, so a method running in another thread while
// close() is called never touches freed memory; it sees the store's own
// closed-state errors instead.
//
// The destructor closes the store if the program did not (flushing, as
// MetricsStore's destructor does) with the GIL released, so a Python thread
// is not frozen while a garbage-collected store flushes.
//
// Thread safety: get(), close() and closed() may be called concurrently.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "canopy/metrics_store.h"

namespace canopy::python {

class StoreHandle {
 public:
  explicit StoreHandle(std::unique_ptr<MetricsStore> store);
  ~StoreHandle();
  StoreHandle(const StoreHandle&) = delete;
  StoreHandle& operator=(const StoreHandle&) = delete;

  // The open store; throws StoreClosed after close().
  MetricsStore& get() const;
  // Closes the store (MetricsStore::close(): flushes, may throw FlushError).
  // Later calls do nothing. Call with the GIL released.
  void close();
  bool closed() const noexcept { return closed_.load(); }
  // The store's describe(), kept from opening so it is known after close.
  const std::string& description() const noexcept { return description_; }

 private:
  std::unique_ptr<MetricsStore> store_;
  std::string description_;
  std::atomic<bool> closed_{false};
};

}  // namespace canopy::python
