// Conversions between Python objects and the value types of canopy/types.h,
// used by the _core module. The Python side of each type:
//
//   run ids      uuid.UUID or str (canonical 36-character form) in;
//                uuid.UUID out
//   timestamps   timezone-aware datetime (any zone) or int/float seconds since
//                the Unix epoch in; datetime in UTC out. Milliseconds is the
//                stored resolution: microseconds of a datetime are dropped
//                (floor), float seconds are rounded to the nearest ms. A
//                naive datetime is refused (it would be guessed as UTC or
//                local time; both guesses silently shift data).
//   Metric, FinalMetrics
//                dict of field name → value in, None or a missing key meaning
//                "not recorded"; an unknown key is refused naming the allowed
//                ones. Out: a dict with every field (None when unset).
//   Run, NetworkTopology, WriterCounters
//                dicts out (NetworkTopology also in).
//
// Every refusal throws canopy::InvalidArgument naming the field (`what`) and
// what was expected, which the module raises as canopy_store.InvalidArgument.
// All functions need the GIL.
#pragma once

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

#include "canopy/series.h"
#include "canopy/types.h"
#include "canopy/uuid.h"

namespace canopy::python {

namespace py = pybind11;

// Imports the datetime C API; call once from the module's init.
void init_conversions();

Uuid to_uuid(py::handle value, std::string_view what);
py::object from_uuid(const Uuid& uuid);

Timestamp to_timestamp(py::handle value, std::string_view what);
std::optional<Timestamp> to_optional_timestamp(py::handle value, std::string_view what);
py::object from_timestamp(const Timestamp& timestamp);

// A timeout: None → `fallback`; a number of seconds or a datetime.timedelta,
// >= 0, rounded up to whole milliseconds.
std::chrono::milliseconds to_timeout(py::handle value, std::chrono::milliseconds fallback,
                                     std::string_view what);

Metric to_metric(py::handle dict);
// store_metrics: a list (or tuple) of metric dicts, or a dict of field name
// → list/tuple of values (None: not recorded), all columns of one length.
// Messages name the metric and field: "metrics[12].train_loss: ...",
// "columns.train_loss[12]: ...". `out` is cleared first.
void to_metrics(py::handle list, std::vector<Metric>& out);
void metrics_from_columns(py::handle columns, std::vector<Metric>& out);
// to_uuid(value, "run_id"), remembering the last run id object given.
Uuid to_run_id(py::handle value);
py::dict from_metric(const Metric& metric);
py::list from_metrics(const std::vector<Metric>& metrics);  // a list of from_metric

FinalMetrics to_final_metrics(py::handle dict);  // None → every field unset

py::dict from_run(const Run& run);

// `run_id` is the run the snapshot belongs to; a "run_id" key in the dict must
// name the same run. Missing numeric fields are 0; missing timestamp → now.
NetworkTopology to_topology(const Uuid& run_id, py::handle dict);
py::dict from_topology(const NetworkTopology& topology);

py::dict from_counters(const WriterCounters& counters);
// verify_run's result; missing as a list of (first, last) tuples.
py::dict from_verification(const RunVerification& verification);

// Read models of canopy/series.h, with the field names of the read API
// (docs/http.md).
py::dict from_series(const Series& series);
py::dict from_summary(const RunSummary& summary);
py::dict from_comparison(const Comparison& comparison);

}  // namespace canopy::python
