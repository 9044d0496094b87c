// canopy_store._core: the C++ half of the Python package. It exposes the
// store as plain functions and one class over Python types (see convert.h);
// canopy_store/ (pure Python) adds the public classes, the config argument
// forms, context managers and docstrings. Every call that can wait on the
// backend, the spool or the flush thread releases the GIL while it waits.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "canopy/cassandra_manager.h"
#include "canopy/config.h"
#include "canopy/errors.h"
#include "canopy/metrics_store.h"
#include "convert.h"
#include "errors.h"
#include "store_handle.h"

namespace py = pybind11;

namespace canopy::python {
namespace {

// One open MetricCursor. Keeps its store's Python object alive (keep_alive
// in the binding) and refuses to page once the store is closed.
class CursorHandle {
 public:
  CursorHandle(const StoreHandle& store, std::unique_ptr<MetricCursor> cursor)
      : store_(store), cursor_(std::move(cursor)) {}

  // The next page as a list of metric dicts, or None when none are left.
  py::object next_page() {
    store_.get();  // throws StoreClosed
    std::vector<Metric> page;
    bool more = false;
    {
      py::gil_scoped_release release;
      more = cursor_->next_page(page);
    }
    if (!more) return py::none();
    return from_metrics(page);
  }

 private:
  const StoreHandle& store_;
  std::unique_ptr<MetricCursor> cursor_;
};

py::list runs_to_list(const std::vector<Run>& runs) {
  py::list out(runs.size());
  for (std::size_t i = 0; i < runs.size(); ++i) {
    PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(i), from_run(runs[i]).release().ptr());
  }
  return out;
}

// A metric argument that is not a dict (None: no fields; any other
// mapping or iterable of pairs as dict() takes it).
Metric metric_argument(py::handle metric) {
  if (PyDict_Check(metric.ptr())) return to_metric(metric);
  if (metric.is_none()) return Metric{};
  return to_metric(py::dict(py::reinterpret_borrow<py::object>(metric)));
}

// Stores `metrics` in order; an error after some were stored says how many.
void store_all(MetricsStore& store, const Uuid& id, const std::vector<Metric>& metrics) {
  std::size_t stored = 0;
  auto why = [&](const std::exception& e) {
    return "store_metrics: " + std::to_string(stored) + " of " + std::to_string(metrics.size()) +
           " metric(s) stored, then metrics[" + std::to_string(stored) + "]: " + e.what();
  };
  py::gil_scoped_release release;  // once for the whole list
  try {
    for (const Metric& m : metrics) {
      store.store_metric(id, m);
      ++stored;
    }
  } catch (const SpoolFullError& e) {
    throw SpoolFullError(why(e));
  } catch (const SpoolError& e) {
    throw SpoolError(why(e));
  } catch (const ClosedError& e) {
    throw ClosedError(why(e));
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(why(e));
  } catch (const Error& e) {
    throw Error(why(e));
  }
}

std::unique_ptr<StoreHandle> make_handle(std::unique_ptr<MetricsStore> store) {
  return std::make_unique<StoreHandle>(std::move(store));
}

}  // namespace
}  // namespace canopy::python

PYBIND11_MODULE(_core, m) {
  using namespace canopy;
  using namespace canopy::python;
  m.doc() = "C++ core of canopy_store; use the canopy_store package, not this module.";

  init_conversions();
  register_error_translator();

  py::class_<Config>(m, "Config", "An effective configuration (canopy::Config), made by load_config.")
      .def("dump", [](const Config& c) { return dump_config(c); },
           "The configuration as YAML, password masked.");

  m.def(
      "load_config",
      [](std::optional<std::string> file, std::vector<std::string> overrides,
         std::optional<std::map<std::string, std::string>> environment) {
        ConfigSources sources;
        sources.file = std::move(file);
        sources.overrides = std::move(overrides);
        sources.environment = std::move(environment);
        return load_config(sources);
      },
      py::arg("file"), py::arg("overrides"), py::arg("environment"),
      "defaults < file < environment (None: the process's) < overrides (\"dotted.key=value\").");

  m.def(
      "open_store",
      [](const Config& config) {
        std::unique_ptr<MetricsStore> store;
        {
          py::gil_scoped_release release;
          store = open_store(config);
        }
        return make_handle(std::move(store));
      },
      py::arg("config"));

  m.def(
      "cassandra_manager",
      [](std::optional<std::vector<std::string>> contact_points, const Config& config) {
        std::unique_ptr<MetricsStore> store;
        {
          py::gil_scoped_release release;
          store = std::make_unique<CassandraManager>(std::move(contact_points), config);
        }
        return make_handle(std::move(store));
      },
      py::arg("contact_points"), py::arg("config"));

  py::class_<CursorHandle>(m, "MetricCursor").def("next_page", &CursorHandle::next_page);

  py::class_<StoreHandle>(m, "Store")
      .def("store_metric",
           [](StoreHandle& h, py::handle run_id, py::handle metric) {
             MetricsStore& store = h.get();
             const Uuid id = to_run_id(run_id);
             const Metric parsed = metric_argument(metric);
             py::gil_scoped_release release;
             store.store_metric(id, parsed);
           })
      .def("store_metrics",
           [](StoreHandle& h, py::handle run_id, py::handle metrics, py::handle columns) {
             MetricsStore& store = h.get();
             const Uuid id = to_run_id(run_id);
             if (metrics.is_none() == columns.is_none()) {
               throw InvalidArgument(
                   "store_metrics: give either metrics (a list of dicts) or columns (a dict of lists)");
             }
             // Every metric is checked before the first is stored.
             std::vector<Metric> parsed;
             if (columns.is_none()) {
               to_metrics(metrics, parsed);
             } else {
               metrics_from_columns(columns, parsed);
             }
             store_all(store, id, parsed);
             return parsed.size();
           })
      .def("flush_metrics",
           [](StoreHandle& h, py::handle timeout) {
             MetricsStore& store = h.get();
             const auto ms = to_timeout(timeout, MetricsStore::kDefaultFlushTimeout, "timeout");
             py::gil_scoped_release release;
             store.flush_metrics(ms);
           })
      .def("create_run",
           [](StoreHandle& h, py::handle run_id, std::string dataset_name, std::string config_json,
              std::map<std::string, std::string> tags, std::string notes, py::handle start_time) {
             MetricsStore& store = h.get();
             NewRun run;
             if (!run_id.is_none()) run.run_id = to_uuid(run_id, "run_id");
             run.dataset_name = std::move(dataset_name);
             run.config_json = std::move(config_json);
             run.tags = std::move(tags);
             run.notes = std::move(notes);
             run.start_time = to_optional_timestamp(start_time, "start_time");
             Uuid id;
             {
               py::gil_scoped_release release;
               id = store.create_run(run);
             }
             return from_uuid(id);
           })
      .def("complete_run",
           [](StoreHandle& h, py::handle run_id, py::handle final_metrics, std::string status) {
             MetricsStore& store = h.get();
             const Uuid id = to_uuid(run_id, "run_id");
             const FinalMetrics parsed = to_final_metrics(final_metrics);
             py::gil_scoped_release release;
             store.complete_run(id, parsed, status);
           })
      .def("update_run",
           [](StoreHandle& h, py::handle run_id, std::map<std::string, std::string> set_tags,
              std::vector<std::string> remove_tags, bool clear_tags, std::optional<std::string> notes) {
             MetricsStore& store = h.get();
             const Uuid id = to_uuid(run_id, "run_id");
             RunUpdate u;
             u.set_tags = std::move(set_tags);
             u.remove_tags = std::move(remove_tags);
             u.clear_tags = clear_tags;
             u.notes = std::move(notes);
             Run run;
             {
               py::gil_scoped_release release;
               run = store.update_run(id, u);
             }
             return from_run(run);
           })
      .def("delete_run",
           [](StoreHandle& h, py::handle run_id) {
             MetricsStore& store = h.get();
             const Uuid id = to_uuid(run_id, "run_id");
             py::gil_scoped_release release;
             store.delete_run(id);
           })
      .def("reap_runs",
           [](StoreHandle& h, py::handle older_than, bool dry_run) {
             MetricsStore& store = h.get();
             const auto idle = to_timeout(older_than, std::chrono::milliseconds(0), "older_than");
             std::vector<Run> runs;
             {
               py::gil_scoped_release release;
               runs = store.reap_runs(idle, dry_run);
             }
             return runs_to_list(runs);
           })
      .def("store_topology",
           [](StoreHandle& h, py::handle run_id, py::handle topology) {
             MetricsStore& store = h.get();
             const NetworkTopology parsed = to_topology(to_uuid(run_id, "run_id"), topology);
             py::gil_scoped_release release;
             store.store_topology(parsed);
           })
      .def("get_run",
           [](StoreHandle& h, py::handle run_id) -> py::object {
             MetricsStore& store = h.get();
             const Uuid id = to_uuid(run_id, "run_id");
             std::optional<Run> run;
             {
               py::gil_scoped_release release;
               run = store.get_run(id);
             }
             if (!run) return py::none();
             return from_run(*run);
           })
      .def("list_runs",
           [](StoreHandle& h, int limit, std::optional<std::string> status) {
             MetricsStore& store = h.get();
             std::vector<Run> runs;
             {
               py::gil_scoped_release release;
               runs = store.list_runs(limit, status);
             }
             return runs_to_list(runs);
           })
      .def("list_runs_query",
           [](StoreHandle& h, int limit, std::optional<std::string> status, std::optional<std::string> dataset,
              py::object after, std::map<std::string, std::string> tags, py::handle started_from,
              py::handle started_before) {
             RunQuery q;
             q.limit = limit;
             q.status = std::move(status);
             q.dataset = std::move(dataset);
             if (!after.is_none()) q.after = to_uuid(after, "after");
             q.tags = std::move(tags);
             q.started_from = to_optional_timestamp(started_from, "started_from");
             q.started_before = to_optional_timestamp(started_before, "started_before");
             MetricsStore& store = h.get();
             std::vector<Run> runs;
             {
               py::gil_scoped_release release;
               runs = store.list_runs(q);
             }
             return runs_to_list(runs);
           })
      .def("series",
           [](StoreHandle& h, py::object run_id, std::string field, int points, py::object start_time,
              py::object end_time) {
             const Uuid id = to_uuid(run_id, "run_id");
             auto start = to_optional_timestamp(start_time, "start_time");
             auto end = to_optional_timestamp(end_time, "end_time");
             MetricsStore& store = h.get();
             Series s;
             {
               py::gil_scoped_release release;
               s = store.series(id, field, points, start, end);
             }
             return from_series(s);
           })
      .def("summary",
           [](StoreHandle& h, py::object run_id) {
             const Uuid id = to_uuid(run_id, "run_id");
             MetricsStore& store = h.get();
             RunSummary s;
             {
               py::gil_scoped_release release;
               s = store.summary(id);
             }
             return from_summary(s);
           })
      .def("verify_run",
           [](StoreHandle& h, py::object run_id) {
             const Uuid id = to_uuid(run_id, "run_id");
             MetricsStore& store = h.get();
             RunVerification v;
             {
               py::gil_scoped_release release;
               v = store.verify_run(id);
             }
             return from_verification(v);
           })
      .def("compare",
           [](StoreHandle& h, py::iterable run_ids, std::string field, int points) {
             std::vector<Uuid> ids;
             for (py::handle r : run_ids) ids.push_back(to_uuid(r, "runs"));
             if (ids.empty()) throw InvalidArgument("compare: runs is empty; give at least one run id");
             MetricsStore& store = h.get();
             Comparison c;
             {
               py::gil_scoped_release release;
               c = store.compare(ids, field, points);
             }
             return from_comparison(c);
           })
      .def("rebuild_rollups",
           [](StoreHandle& h, py::object run_id) {
             const Uuid id = to_uuid(run_id, "run_id");
             MetricsStore& store = h.get();
             py::gil_scoped_release release;
             return store.rebuild_rollups(id);
           })
      .def("list_runs_by_dataset",
           [](StoreHandle& h, std::string dataset_name, int limit) {
             MetricsStore& store = h.get();
             std::vector<Run> runs;
             {
               py::gil_scoped_release release;
               runs = store.list_runs_by_dataset(dataset_name, limit);
             }
             return runs_to_list(runs);
           })
      .def("query_metrics",
           [](StoreHandle& h, py::handle run_id, py::handle start_time, py::handle end_time, int limit) {
             MetricsStore& store = h.get();
             const Uuid id = to_uuid(run_id, "run_id");
             const auto start = to_optional_timestamp(start_time, "start_time");
             const auto end = to_optional_timestamp(end_time, "end_time");
             std::vector<Metric> metrics;
             {
               py::gil_scoped_release release;
               metrics = store.query_metrics(id, start, end, limit);
             }
             return from_metrics(metrics);
           })
      .def(
          "open_metric_cursor",
          [](StoreHandle& h, py::handle run_id, py::handle start_time, py::handle end_time, int page_size) {
            MetricsStore& store = h.get();
            const Uuid id = to_uuid(run_id, "run_id");
            const auto start = to_optional_timestamp(start_time, "start_time");
            const auto end = to_optional_timestamp(end_time, "end_time");
            std::unique_ptr<MetricCursor> cursor;
            {
              py::gil_scoped_release release;
              cursor = store.open_metric_cursor(id, start, end, page_size);
            }
            return std::make_unique<CursorHandle>(h, std::move(cursor));
          },
          py::keep_alive<0, 1>())
      .def("query_topology",
           [](StoreHandle& h, py::handle run_id, int limit) {
             MetricsStore& store = h.get();
             const Uuid id = to_uuid(run_id, "run_id");
             std::vector<NetworkTopology> snapshots;
             {
               py::gil_scoped_release release;
               snapshots = store.query_topology(id, limit);
             }
             py::list out;
             for (const NetworkTopology& t : snapshots) out.append(from_topology(t));
             return out;
           })
      .def("counters",
           [](StoreHandle& h) {
             MetricsStore& store = h.get();
             WriterCounters counters;
             {
               py::gil_scoped_release release;  // the writer's lock may be busy
               counters = store.counters();
             }
             return from_counters(counters);
           })
      .def("request_latency",
           [](StoreHandle& h) -> py::object {
             MetricsStore& store = h.get();
             std::optional<RequestLatency> latency;
             {
               py::gil_scoped_release release;
               latency = store.request_latency();
             }
             if (!latency) return py::none();
             py::dict out;
             out["requests"] = latency->requests;
             out["p50_ms"] = latency->p50_ms;
             out["p99_ms"] = latency->p99_ms;
             out["p999_ms"] = latency->p999_ms;
             out["max_ms"] = latency->max_ms;
             return out;
           })
      .def("describe", [](StoreHandle& h) { return h.description(); })
      .def("close",
           [](StoreHandle& h) {
             py::gil_scoped_release release;
             h.close();
           })
      .def_property_readonly("closed", &StoreHandle::closed);
}
