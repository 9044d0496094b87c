"""Turns the ``config`` argument of open()/CassandraManager into a canopy
configuration (C++ load_config): defaults < YAML file < environment <
dict settings < overrides (settings act like command-line flags).

``config`` is one of
  * None: the defaults and the environment (CASCOR_CASSANDRA_* ...);
  * a path (str or os.PathLike) to a YAML file in the shape of docs/config.md;
  * a mapping of settings: dotted keys (``{"backend.embedded.path": p}``),
    nested dicts (``{"backend": {"embedded": {"path": p}}}``) or a mix.
``overrides`` is another such mapping applied last (so a file and settings
can be combined). ``environment`` is the environment to read (None: the
process's; ``{}`` ignores it).

Setting values may be bool, int, float (seconds, for durations), str,
os.PathLike, datetime.timedelta (durations), a list/tuple of str
(contact_points) or, for backend.cassandra.replication only, a dict such as
``{"class": "SimpleStrategy", "replication_factor": 1}``. Each becomes an
override ``key=value`` validated by the C++ loader, which names the key and
what is allowed when a value is wrong.
"""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Mapping
from typing import Any, Optional

from . import _core
from .errors import ConfigError

# Keys whose value is itself a map; nested dicts stop here instead of being
# flattened into further dotted keys.
_MAP_KEYS = frozenset({"backend.cassandra.replication"})


def _flatten(prefix: str, settings: Mapping, out: list) -> None:
    for name, value in settings.items():
        if not isinstance(name, str) or not name:
            raise ConfigError(f"config: setting names must be non-empty str, got {name!r}")
        key = f"{prefix}{name}"
        if isinstance(value, Mapping) and key not in _MAP_KEYS:
            _flatten(key + ".", value, out)
        else:
            out.append(f"{key}={_render(key, value)}")


def _render(key: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value) if not isinstance(value, float) else repr(value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, datetime.timedelta):
        ms, rest = divmod(value, datetime.timedelta(milliseconds=1))
        if rest:
            raise ConfigError(f"config: {key}: {value!r} is not a whole number of milliseconds")
        return f"{ms}ms"
    if isinstance(value, (list, tuple)):
        return json.dumps([str(item) for item in value])  # a YAML flow sequence
    if isinstance(value, Mapping):  # a map-valued key (_MAP_KEYS)
        return json.dumps({str(k): v if isinstance(v, (int, str)) else str(v) for k, v in value.items()})
    raise ConfigError(f"config: {key}: unsupported value type {type(value).__name__} ({value!r})")


def load(config: Any = None, overrides: Optional[Mapping] = None,
         environment: Optional[Mapping] = None) -> "_core.Config":
    """The effective configuration (a _core.Config) for these arguments."""
    file = None
    settings: list[str] = []
    if config is None:
        pass
    elif isinstance(config, (str, os.PathLike)):
        file = os.fspath(config)
    elif isinstance(config, Mapping):
        _flatten("", config, settings)
    else:
        raise ConfigError("config: expected a path to a YAML file, a dict of settings or None, "
                          f"got {type(config).__name__}")
    if overrides is not None:
        if not isinstance(overrides, Mapping):
            raise ConfigError(f"overrides: expected a dict of settings, got {type(overrides).__name__}")
        _flatten("", overrides, settings)
    env = None
    if environment is not None:
        env = {str(k): str(v) for k, v in environment.items()}
    return _core.load_config(file, settings, env)
