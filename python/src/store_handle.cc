#include "store_handle.h"

#include <pybind11/pybind11.h>

#include "errors.h"

namespace canopy::python {

StoreHandle::StoreHandle(std::unique_ptr<MetricsStore> store)
    : store_(std::move(store)), description_(store_->describe()) {}

StoreHandle::~StoreHandle() {
  // Python deallocates with the GIL held; the flush may wait on the backend.
  // The store's destructor must not throw (it flushes and spools what it
  // cannot send), so nothing escapes here.
  if (PyGILState_Check()) {
    pybind11::gil_scoped_release release;
    store_.reset();
  } else {
    store_.reset();
  }
}

MetricsStore& StoreHandle::get() const {
  if (closed_.load()) throw StoreClosed(description_ + ": the store is closed");
  return *store_;
}

void StoreHandle::close() {
  if (closed_.exchange(true)) return;
  store_->close();
}

}  // namespace canopy::python
