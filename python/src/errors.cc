#include "errors.h"

#include <pybind11/pybind11.h>

#include "canopy/config.h"

namespace canopy::python {
namespace {

namespace py = pybind11;

// Sets the Python error to canopy_store.errors.<name>(message) with the given
// attribute, if any.
void raise(const char* name, const char* message, const char* attribute = nullptr,
           py::object value = py::none()) {
  try {
    py::object cls = py::module_::import("canopy_store.errors").attr(name);
    py::object error = cls(message);
    if (attribute != nullptr) error.attr(attribute) = value;
    PyErr_SetObject(cls.ptr(), error.ptr());
  } catch (py::error_already_set& e) {
    // canopy_store.errors is missing or broken: say so, keeping the message.
    e.restore();
    py::raise_from(PyExc_RuntimeError, (std::string("canopy_store.errors unusable while raising ") +
                                        name + ": " + message).c_str());
  }
}

}  // namespace

void register_error_translator() {
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ConfigError& e) {
      raise("ConfigError", e.what(), "key", py::str(e.key()));
    } catch (const ClosedError& e) {
      raise("ClosedError", e.what());
    } catch (const InvalidArgument& e) {
      raise("InvalidArgument", e.what());
    } catch (const NotFound& e) {
      raise("NotFound", e.what());
    } catch (const Unavailable& e) {
      raise("Unavailable", e.what(), "code", py::int_(e.code()));
    } catch (const Timeout& e) {
      raise("Timeout", e.what(), "code", py::int_(e.code()));
    } catch (const SchemaError& e) {
      raise("SchemaError", e.what(), "code", py::int_(e.code()));
    } catch (const BackendError& e) {
      raise("BackendError", e.what(), "code", py::int_(e.code()));
    } catch (const FlushError& e) {
      raise("FlushError", e.what());
    } catch (const SpoolFullError& e) {
      raise("SpoolFullError", e.what());
    } catch (const SpoolError& e) {
      raise("SpoolError", e.what());
    } catch (const Error& e) {
      raise("Error", e.what());
    }
  });
}

}  // namespace canopy::python
