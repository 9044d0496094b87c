"""The exceptions of canopy_store, one per class of canopy/errors.h.

Every failure the store reports is a :class:`Error` whose message is the C++
message: it names what failed and its context (which run, which host, which
file, which configuration key)::

    Error
    ├── ConfigError       invalid configuration (also a ValueError); .key
    ├── InvalidArgument   bad input: malformed UUID, unknown metric field,
    │                     naive datetime, limit < 1 ... (also a ValueError)
    ├── NotFound          the operation needs a run that does not exist
    │                     (complete_run of an unknown run; also a LookupError)
    ├── BackendError      the backend refused or failed a request; .code is
    │   │                 its own error code (CQL or SQLite), else 0
    │   ├── Unavailable   the backend could not be reached
    │   ├── Timeout       the backend did not answer in time; outcome unknown
    │   └── SchemaError   keyspace/tables missing or incompatible
    ├── FlushError        flush_metrics() could not get every metric
    │                     acknowledged in time; they are kept and retried
    ├── SpoolError        the local spool could not be written or read
    │   └── SpoolFullError  the spool reached writer.spool_max_bytes
    └── ClosedError       a method was called on a closed store

This module is imported by the C++ extension to raise these classes; it must
not import the extension itself.
"""


class Error(Exception):
    """Base class of every error canopy_store raises."""


class ConfigError(Error, ValueError):
    """An invalid configuration value, file or key.

    ``key`` is the dotted key, environment variable or override the error is
    about; empty for errors about a file as a whole.
    """

    key: str = ""


class InvalidArgument(Error, ValueError):
    """Bad input from the caller; never retried."""


class NotFound(Error, LookupError):
    """The operation needs a run that does not exist."""


class BackendError(Error):
    """The backend refused or failed a request.

    ``code`` is the backend's own error code (CQL error code, SQLite result
    code) when it has one, else 0.
    """

    code: int = 0


class Unavailable(BackendError):
    """The backend could not be reached (no host answered, no database file)."""


class Timeout(BackendError):
    """The backend did not answer in time; the outcome is unknown."""


class SchemaError(BackendError):
    """The keyspace or tables are missing or incompatible."""


class FlushError(Error):
    """Not every metric stored before flush_metrics() was acknowledged in time.

    Nothing is lost: the metrics stay buffered or spooled and are retried.
    """


class SpoolError(Error):
    """The local spool could not be written or read."""


class SpoolFullError(SpoolError):
    """The spool holds writer.spool_max_bytes while the backend is down: the
    metric was not stored. Retry once the backend takes metrics again."""


class ClosedError(Error):
    """A method was called on a store after close()."""


__all__ = [
    "Error",
    "ConfigError",
    "InvalidArgument",
    "NotFound",
    "BackendError",
    "Unavailable",
    "Timeout",
    "SchemaError",
    "FlushError",
    "SpoolError",
    "SpoolFullError",
    "ClosedError",
]
