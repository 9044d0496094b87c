"""canopy_store: Python bindings of Canopy Store, the training-metrics store
behind Juniper Canopy (C++ core, embedded SQLite or Apache Cassandra).

    import canopy_store

    with canopy_store.open({"backend.embedded.path": "metrics.db"}) as store:
        run = store.create_run(dataset_name="two_spirals", config={"lr": 0.1})
        for epoch in range(1, 11):
            store.store_metric(run, {"epoch": epoch, "train_loss": 1 / epoch})
        store.complete_run(run)
        print(store.get_run(run)["final_train_loss"])

See docs/python.md for the whole API.
"""

from __future__ import annotations

from typing import Any, Optional
from collections.abc import Mapping

from . import _config, errors
from .errors import (BackendError, ClosedError, ConfigError, Error, FlushError, InvalidArgument,
                     NotFound, SchemaError, SpoolError, SpoolFullError, Timeout,
                     Unavailable)
from .store import CassandraManager, MetricsStore

__version__ = "0.1.0"


def open(config: Any = None, *, overrides: Optional[Mapping] = None,
         environment: Optional[Mapping] = None) -> MetricsStore:
    """Opens the store the configuration names: Cassandra when
    ``backend.cassandra.enabled`` is true (creating keyspace and tables if
    missing), otherwise the embedded SQLite database at
    ``backend.embedded.path`` (created if missing). Replays metrics an
    earlier process left in the spool.

    ``config``: None (defaults + environment), a path to a YAML file, or a
    dict of settings with dotted keys and/or nested dicts, e.g.
    ``{"backend": {"embedded": {"path": "m.db"}}, "writer.retry_max": 2}``.
    ``overrides``: a dict of settings applied on top of the file or dict.
    ``environment``: the environment variables to read (None: the process
    environment; {} ignores it). Precedence: defaults < file < environment
    < dict settings < overrides (a dict acts like command-line flags).
    """
    return MetricsStore(config, overrides=overrides, environment=environment)


def dump_config(config: Any = None, *, overrides: Optional[Mapping] = None,
                environment: Optional[Mapping] = None) -> str:
    """The effective configuration open() would use for these arguments, as
    YAML (every key; the password masked)."""
    return _config.load(config, overrides, environment).dump()


__all__ = ["open", "dump_config", "MetricsStore", "CassandraManager", *errors.__all__]
