// Errors of the public Canopy Store API. Every failure the API reports is a
// canopy::Error (derived from std::runtime_error) whose what() names what
// failed and its context: which run, which backend/host, which file. The CLI
// prints what(); the Python module maps each class to a Python exception.
//
//   Error
//   ├── InvalidArgument   bad input from the caller (malformed UUID, limit < 1,
//   │                     unknown status filter value, ...). Never retried.
//   ├── NotFound          the operation needs a run that does not exist
//   │                     (complete_run of an unknown run).
//   ├── BackendError      the backend refused or failed a request; carries the
//   │   │                 backend's own message (and CQL error code, if any)
//   │   ├── Unavailable   the backend could not be reached (no host / DB file)
//   │   ├── Timeout       the backend did not answer in time; outcome unknown
//   │   └── SchemaError   keyspace/tables missing or incompatible
//   ├── FlushError        flush_metrics() could not get every metric stored
//   │                     before it acknowledged; they are kept (buffer or
//   │                     spool), never dropped, and retried.
//   └── SpoolError        the local spool could not be written or read.
//       └── SpoolFullError  the spool reached writer.spool_max_bytes (the
//                           backend has been down a long time); retry later.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace canopy {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class InvalidArgument : public Error {
 public:
  using Error::Error;
};

class NotFound : public Error {
 public:
  using Error::Error;
};

class BackendError : public Error {
 public:
  // `code` is the backend's own error code when it has one (CQL error code,
  // SQLite result code), else 0.
  explicit BackendError(const std::string& message, std::int32_t code = 0)
      : Error(message), code_(code) {}
  std::int32_t code() const noexcept { return code_; }

 private:
  std::int32_t code_;
};

class Unavailable : public BackendError {
 public:
  using BackendError::BackendError;
};

class Timeout : public BackendError {
 public:
  using BackendError::BackendError;
};

class SchemaError : public BackendError {
 public:
  using BackendError::BackendError;
};

class FlushError : public Error {
 public:
  using Error::Error;
};

class SpoolError : public Error {
 public:
  using Error::Error;
};

// store_metric had to append to the spool and the spool already holds
// writer.spool_max_bytes: the metric is not stored. Clears once the backend
// takes the spooled metrics and their segments are deleted.
class SpoolFullError : public SpoolError {
 public:
  using SpoolError::SpoolError;
};

// The store was closed: raised by every call made after close(), and by a
// call that was running (a query, a cursor's next page) when close() was
// called from another thread.
class ClosedError : public Error {
 public:
  using Error::Error;
};

}  // namespace canopy
