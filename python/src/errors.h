// How C++ exceptions reach Python. The classes live in the pure-Python module
// canopy_store.errors (so they can also derive from ValueError/LookupError);
// the translator registered here raises the one matching the C++ class,
// with what() as the message and the extra attributes (BackendError.code,
// ConfigError.key). Exceptions that are not canopy's keep pybind11's
// default mapping.
#pragma once

#include "canopy/errors.h"

namespace canopy::python {

// Thrown by the bindings when a method is called on a closed store; raised
// in Python as canopy_store.ClosedError.
class StoreClosed : public ClosedError {
 public:
  using ClosedError::ClosedError;
};

void register_error_translator();

}  // namespace canopy::python
