"""MetricsStore and CassandraManager: the Python face of canopy::MetricsStore.

Types on the Python side:
  * run ids: uuid.UUID, or str in the canonical 36-character form; returned
    as uuid.UUID.
  * timestamps: timezone-aware datetime (any zone) or int/float seconds since
    the Unix epoch; returned as datetime in UTC. Stored to the millisecond
    (a datetime's microseconds are dropped). A naive datetime raises
    InvalidArgument.
  * a metric: dict with any of the keys timestamp, step, epoch, train_loss,
    train_accuracy, val_loss, val_accuracy, learning_rate, hidden_units
    (None or missing: not recorded). Query results are dicts with every key.
  * runs and topology snapshots: dicts (see get_run, query_topology).

Thread safety: every method may be called from any thread. Methods that wait
(writes, flush, reads, close) release the GIL while they wait, so other
Python threads keep running.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Optional, Union

from . import _config, _core
from .errors import InvalidArgument

RunId = Union[uuid.UUID, str]


class MetricsStore:
    """An open metrics store: embedded SQLite, or Cassandra when the
    configuration has ``backend.cassandra.enabled: true``.

    ``MetricsStore(config)`` is the same as ``canopy_store.open(config)``; see
    that function for the forms ``config`` takes. Use it as a context manager
    (``with canopy_store.open(...) as store:``) or call close(): closing
    flushes what is buffered.
    """

    def __init__(self, config: Any = None, *, overrides: Optional[Mapping] = None,
                 environment: Optional[Mapping] = None) -> None:
        self._core = _core.open_store(_config.load(config, overrides, environment))

    # --- writes ---------------------------------------------------------------

    def store_metric(self, run_id: RunId, metric: Optional[Mapping] = None, **fields: Any) -> None:
        """Buffers one metric of a run and returns without waiting for the
        backend: ``store_metric(run, {"epoch": 3, "train_loss": 0.4})`` or
        ``store_metric(run, epoch=3, train_loss=0.4)``.

        timestamp unset → the time of the call; step unset → the next step of
        this run in this process, so two metrics in one millisecond never
        overwrite each other. Does not check that the run exists. Unknown
        field names raise InvalidArgument.
        """
        if fields:
            if metric:
                both = sorted(set(metric) & set(fields))
                if both:
                    raise InvalidArgument(f"metric: {', '.join(both)} given both in the dict and as keywords")
                fields = {**metric, **fields}
            metric = fields
        # Straight to C++ (a dict is read as given, None or another mapping
        # converted there): no copy of the dict per call.
        self._core.store_metric(run_id, metric)

    def store_metrics(self, run_id: RunId, metrics: Optional[Sequence[Mapping]] = None, *,
                      columns: Optional[Mapping[str, Sequence[Any]]] = None) -> int:
        """Buffers many metrics of a run in one call, cheaper per metric than
        store_metric: ``store_metrics(run, [{"epoch": 1, "train_loss": 0.5},
        ...])`` (a list of dicts with store_metric's keys) or columns,
        ``store_metrics(run, columns={"epoch": [1, 2], "train_loss": [0.5,
        0.4]})`` (lists or tuples of one length; None in a column: not
        recorded). Stored in order, as if by store_metric one after the other;
        returns how many.

        Every metric is checked before the first is stored: an
        InvalidArgument (naming the metric and field, e.g.
        ``metrics[12].train_loss: expected a number, got str``) means none
        was stored. An error while storing (SpoolFullError, SpoolError,
        StoreClosed) says how many were stored before it.
        """
        return self._core.store_metrics(run_id, metrics, columns)

    def flush_metrics(self, timeout: Any = None) -> None:
        """Blocks until every metric stored before the call is acknowledged by
        the backend. ``timeout`` in seconds or a timedelta (default 60 s);
        raises FlushError with the backend's last error when it passes —
        nothing is lost, the metrics stay queued and are retried."""
        self._core.flush_metrics(timeout)

    def create_run(self, run_id: Optional[RunId] = None, dataset_name: str = "",
                   config: Any = None, *, tags: Optional[Mapping[str, str]] = None,
                   notes: str = "", start_time: Any = None) -> uuid.UUID:
        """Records a new run with status "running" and returns its id (a new
        random UUID when ``run_id`` is None). ``config`` is the run's
        configuration: a JSON-serialisable object (stored as JSON text), a str
        of JSON text, or None. start_time defaults to now. Writes through.
        Creating an existing run id overwrites its creation fields."""
        if config is None:
            config_json = ""
        elif isinstance(config, str):
            config_json = config
        else:
            try:
                config_json = json.dumps(config, sort_keys=True)
            except (TypeError, ValueError) as e:
                raise InvalidArgument(f"config: not serialisable as JSON: {e}") from e
        return self._core.create_run(run_id, dataset_name, config_json, dict(tags or {}), notes, start_time)

    def complete_run(self, run_id: RunId, final_metrics: Optional[Mapping] = None,
                     status: str = "completed") -> None:
        """Flushes, then records the run's end: status, end_time,
        duration_seconds and the final figures. ``final_metrics`` may hold
        end_time, final_epoch, final_train_loss, final_train_accuracy,
        final_val_loss, final_val_accuracy, best_val_accuracy, best_epoch,
        total_hidden_units, total_parameters; what is left out is filled from
        the run's metrics (those this process stored for it, or, when it
        stored none, the ones in the store: complete_run works from any
        process). Raises NotFound when the run does not exist."""
        self._core.complete_run(run_id, None if final_metrics is None else dict(final_metrics), status)

    def update_run(self, run_id: RunId, *, set_tags: Optional[Mapping[str, str]] = None,
                   remove_tags: Iterable[str] = (), clear_tags: bool = False,
                   notes: Optional[str] = None) -> dict:
        """Changes a run's tags and notes and returns the run as stored:
        first ``clear_tags`` drops every tag, then ``remove_tags`` are
        dropped, then ``set_tags`` are added (overwriting); ``notes``, when
        given, replaces the notes. Raises NotFound for an unknown run."""
        return self._core.update_run(run_id, dict(set_tags or {}), list(remove_tags), clear_tags, notes)

    def delete_run(self, run_id: RunId) -> None:
        """Deletes the run with its metrics, topology snapshots, roll-ups and
        completeness ledger. Flushes first (FlushError: nothing deleted).
        Raises NotFound for an unknown run."""
        self._core.delete_run(run_id)

    def reap_runs(self, older_than: Any, dry_run: bool = True) -> list[dict]:
        """Runs still "running" with no metric newer than ``older_than``
        (seconds or a timedelta) ago. With dry_run=False they are completed
        as "failed" (end_time = their newest metric) and returned as
        stored."""
        return self._core.reap_runs(older_than, dry_run)

    def store_topology(self, run_id: RunId, topology: Mapping) -> None:
        """Stores one network snapshot of a run (writes through). Keys:
        timestamp (default now), epoch, input_size, output_size, hidden_units,
        total_parameters (default 0) and topology_json (a str of JSON, or any
        JSON-serialisable object, which is serialised)."""
        snapshot = dict(topology)
        body = snapshot.get("topology_json")
        if body is not None and not isinstance(body, str):
            try:
                snapshot["topology_json"] = json.dumps(body, sort_keys=True)
            except (TypeError, ValueError) as e:
                raise InvalidArgument(f"topology.topology_json: not serialisable as JSON: {e}") from e
        self._core.store_topology(run_id, snapshot)

    # --- reads ----------------------------------------------------------------
    # Reads see what the backend acknowledged: flush_metrics() first to see
    # your own recent writes.

    def get_run(self, run_id: RunId) -> Optional[dict]:
        """The run as a dict, or None when it is unknown. Keys: run_id,
        status, dataset_name, config_json, start_time, end_time,
        duration_seconds, final_epoch, final_train_loss, final_train_accuracy,
        final_val_loss, final_val_accuracy, best_val_accuracy, best_epoch,
        total_hidden_units, total_parameters (None when not recorded), tags
        (dict) and notes."""
        return self._core.get_run(run_id)

    def list_runs(self, limit: int = 100, status: Optional[str] = None, *,
                  dataset: Optional[str] = None, after: Optional[RunId] = None,
                  tags: Optional[Mapping[str, str]] = None, started_from: Any = None,
                  started_before: Any = None) -> list[dict]:
        """Up to ``limit`` runs, newest start_time first; the filters given
        combine: this status, this dataset, every one of ``tags`` (key →
        value), started_from <= start_time < started_before. ``after`` (a run
        id, the last one of the previous page) pages on."""
        if dataset is None and after is None and not tags and started_from is None and started_before is None:
            return self._core.list_runs(limit, status)
        return self._core.list_runs_query(limit, status, dataset, after, dict(tags or {}), started_from,
                                          started_before)

    def list_runs_by_dataset(self, dataset_name: str, limit: int = 100) -> list[dict]:
        """Up to ``limit`` runs of one dataset, newest start_time first."""
        return self._core.list_runs_by_dataset(dataset_name, limit)

    def query_metrics(self, run_id: RunId, start_time: Any = None, end_time: Any = None,
                      limit: int = 1000) -> list[dict]:
        """Up to ``limit`` metrics of a run with start_time <= timestamp <
        end_time (None: unbounded), newest first. Unknown run → []."""
        return self._core.query_metrics(run_id, start_time, end_time, limit)

    def iter_metrics(self, run_id: RunId, start_time: Any = None, end_time: Any = None,
                     page_size: int = 5000) -> Iterator[dict]:
        """Every metric of a run in [start_time, end_time), newest first,
        read ``page_size`` rows at a time (stable while new metrics arrive).
        Use it while the store is open."""
        cursor = self._core.open_metric_cursor(run_id, start_time, end_time, page_size)
        while (page := cursor.next_page()) is not None:
            yield from page

    def query_topology(self, run_id: RunId, limit: int = 100) -> list[dict]:
        """Up to ``limit`` topology snapshots of a run, newest first, as dicts
        with the keys store_topology takes plus run_id."""
        return self._core.query_topology(run_id, limit)

    # --- charts -----------------------------------------------------------------

    def series(self, run_id: RunId, field: str, points: int = 1000, start_time: Any = None,
               end_time: Any = None) -> dict:
        """The run's ``field`` (train_loss, train_accuracy, val_loss,
        val_accuracy, learning_rate, hidden_units) downsampled for a chart
        ``points`` wide: every value when they fit, else each bucket's
        first, last, minimum and maximum point (M4). Read from the roll-ups,
        so it stays fast on runs of millions of metrics. Keys: run_id, field,
        values, exact, level, points (dicts: timestamp, step, epoch, value;
        oldest first)."""
        return self._core.series(run_id, field, points, start_time, end_time)

    def summary(self, run_id: RunId) -> dict:
        """Per field count, min, max, mean, last (with epochs) and best
        (max accuracy, min loss) over the whole run; also after its raw
        metrics expired."""
        return self._core.summary(run_id)

    def compare(self, runs: Iterable[RunId], field: str, points: int = 1000) -> dict:
        """The runs' series of one field aligned by epoch: keys field, runs,
        epochs, values (one list per run, None where a run has no value at
        that epoch), series and summaries."""
        return self._core.compare(list(runs), field, points)

    def rebuild_rollups(self, run_id: RunId) -> int:
        """Recomputes the run's roll-ups from its raw metrics; returns the
        number of metrics read."""
        return self._core.rebuild_rollups(run_id)

    # --- completeness ---------------------------------------------------------

    def verify_run(self, run_id: RunId) -> dict:
        """Compares the run's completeness ledger (the steps store_metric
        acknowledged, in every process that wrote the run) with the metric
        rows the store holds. Keys: run_id, complete, acknowledged,
        acknowledged_steps, first_step, last_step, stored, stored_steps,
        missing (list of (first, last) step ranges, inclusive),
        missing_steps, duplicates, unacknowledged_steps, ledger_entries.
        Does not flush: call flush_metrics() first. Unknown run →
        NotFound."""
        return self._core.verify_run(run_id)

    # --- state ----------------------------------------------------------------

    def counters(self) -> dict:
        """The writer's counters since the store was opened: stored, written,
        retried, spooled, replayed, dropped (all monotonic)."""
        return self._core.counters()

    def request_latency(self) -> Optional[dict]:
        """The backend's requests since the previous call (the first: since
        the store opened): requests, p50_ms, p99_ms, p999_ms, max_ms of those
        that succeeded, submission to answer, retries included; percentiles
        exact to 1/8. None on SQLite. One consumer at a time: each call
        starts a new phase."""
        return self._core.request_latency()

    def describe(self) -> str:
        """"sqlite:<path>" or "cassandra:<keyspace>@<contact points>"."""
        return self._core.describe()

    @property
    def closed(self) -> bool:
        return self._core.closed

    def close(self) -> None:
        """Flushes, stops the flush thread and releases the backend.
        Idempotent. Raises FlushError if metrics could not be sent (they are
        in the local spool then, replayed by the next open). Afterwards every
        method but close(), describe() and ``closed`` raises ClosedError."""
        self._core.close()

    def __enter__(self) -> "MetricsStore":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = " closed" if self.closed else ""
        return f"<{type(self).__name__} {self._core.describe()}{state}>"


class CassandraManager(MetricsStore):
    """The reference's entry point: a MetricsStore that is always the
    Cassandra backend, whatever ``backend.cassandra.enabled`` says.

    ``contact_points``: host names or addresses (a list, or one str with
    comma-separated hosts); None → ``backend.cassandra.contact_points`` of
    the configuration. ``config`` takes the forms of canopy_store.open().
    Connects, creates the keyspace and tables if missing and replays the
    spool; raises Unavailable, SchemaError or ConfigError with context.
    """

    def __init__(self, contact_points: Union[Sequence[str], str, None] = None, config: Any = None, *,
                 overrides: Optional[Mapping] = None, environment: Optional[Mapping] = None) -> None:
        if isinstance(contact_points, str):
            contact_points = [p.strip() for p in contact_points.split(",")]
        points = None if contact_points is None else [str(p) for p in contact_points]
        self._core = _core.cassandra_manager(points, _config.load(config, overrides, environment))
