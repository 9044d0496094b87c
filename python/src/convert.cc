#include "convert.h"

#include <datetime.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <variant>
#include <vector>

#include "canopy/columns.h"
#include "canopy/errors.h"

namespace canopy::python {
namespace {

// Created by init_conversions and kept for the life of the process (module
// state; never freed, like the module itself): 1970-01-01T00:00:00+00:00 and
// the class uuid.UUID.
PyObject* g_epoch = nullptr;
PyObject* g_uuid_class = nullptr;

std::string type_name(py::handle value) { return Py_TYPE(value.ptr())->tp_name; }

[[noreturn]] void refuse(std::string_view what, const std::string& expected, py::handle got) {
  throw InvalidArgument(std::string(what) + ": expected " + expected + ", got " + type_name(got) +
                        " " + py::repr(got).cast<std::string>());
}

// The whole milliseconds of a timedelta, floor (timedelta normalises to
// days, 0 <= seconds < 86400, 0 <= microseconds < 10^6).
std::int64_t timedelta_floor_ms(py::handle delta) {
  const std::int64_t days = PyDateTime_DELTA_GET_DAYS(delta.ptr());
  const std::int64_t seconds = PyDateTime_DELTA_GET_SECONDS(delta.ptr());
  const std::int64_t micros = PyDateTime_DELTA_GET_MICROSECONDS(delta.ptr());
  return days * 86'400'000 + seconds * 1000 + micros / 1000;
}

bool is_number(py::handle value) {
  if (PyBool_Check(value.ptr())) return false;  // True is an int to Python, never a metric value
  if (PyLong_Check(value.ptr()) || PyFloat_Check(value.ptr()) || PyIndex_Check(value.ptr())) return true;
  const PyNumberMethods* number = Py_TYPE(value.ptr())->tp_as_number;
  return number != nullptr && number->nb_float != nullptr;  // e.g. numpy.float32
}

double to_double(py::handle value, std::string_view what) {
  if (!is_number(value)) refuse(what, "a number", value);
  const double result = PyFloat_AsDouble(value.ptr());
  if (result == -1.0 && PyErr_Occurred()) throw py::error_already_set();
  return result;
}

std::int64_t to_int(py::handle value, std::string_view what, std::int64_t min, std::int64_t max) {
  if (PyBool_Check(value.ptr()) || !PyIndex_Check(value.ptr())) refuse(what, "an int", value);
  py::object index = py::reinterpret_steal<py::object>(PyNumber_Index(value.ptr()));
  if (!index) throw py::error_already_set();
  int overflow = 0;
  const long long result = PyLong_AsLongLongAndOverflow(index.ptr(), &overflow);
  if (result == -1 && PyErr_Occurred()) throw py::error_already_set();
  if (overflow != 0 || result < min || result > max) {
    throw InvalidArgument(std::string(what) + ": " + py::repr(value).cast<std::string>() +
                          " is out of range " + std::to_string(min) + ".." + std::to_string(max));
  }
  return result;
}

// One optional field of a struct S, by member pointer; a table of these says
// how a dict maps onto S and back, in the order the fields are listed.
template <class S>
struct Field {
  const char* name;
  std::variant<std::optional<double> S::*, std::optional<std::int32_t> S::*,
               std::optional<std::int64_t> S::*, std::optional<Timestamp> S::*>
      member;
};

template <class S>
std::string field_names(const std::vector<Field<S>>& fields) {
  std::string names;
  for (const Field<S>& f : fields) names += (names.empty() ? "" : ", ") + std::string(f.name);
  return names;
}

// Sets the field `name` of `out` from `value`; false when S has no such field.
template <class S>
bool set_field(const std::vector<Field<S>>& fields, S& out, const std::string& name, py::handle value,
               const std::string& what) {
  for (const Field<S>& f : fields) {
    if (name != f.name) continue;
    const std::string subject = what + "." + name;
    std::visit(
        [&](auto member) {
          using T = typename std::remove_reference_t<decltype(out.*member)>::value_type;
          if (value.is_none()) {
            (out.*member).reset();
          } else if constexpr (std::is_same_v<T, double>) {
            out.*member = to_double(value, subject);
          } else if constexpr (std::is_same_v<T, std::int32_t>) {
            out.*member = static_cast<std::int32_t>(to_int(value, subject, std::numeric_limits<std::int32_t>::min(),
                                                           std::numeric_limits<std::int32_t>::max()));
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            out.*member = to_int(value, subject, std::numeric_limits<std::int64_t>::min(),
                                 std::numeric_limits<std::int64_t>::max());
          } else {
            out.*member = to_timestamp(value, subject);
          }
        },
        f.member);
    return true;
  }
  return false;
}

// Every (str key, value) of `dict`, or InvalidArgument when it is not a dict.
std::vector<std::pair<std::string, py::handle>> items_of(py::handle dict, const std::string& what) {
  if (!PyDict_Check(dict.ptr())) refuse(what, "a dict", dict);
  std::vector<std::pair<std::string, py::handle>> items;
  for (auto [key, value] : py::reinterpret_borrow<py::dict>(dict)) {
    if (!PyUnicode_Check(key.ptr())) refuse(what + " field name", "a str", key);
    items.emplace_back(key.cast<std::string>(), value);
  }
  return items;
}

template <class S>
S struct_from_dict(const std::vector<Field<S>>& fields, py::handle dict, const std::string& what) {
  S out{};
  for (const auto& [name, value] : items_of(dict, what)) {
    if (!set_field(fields, out, name, value, what)) {
      throw InvalidArgument(what + ": unknown field \"" + name + "\"; allowed: " + field_names(fields));
    }
  }
  return out;
}

// The Field table of a column table (canopy/columns.h) whose columns are
// all optional; column names are string literals, so .data() ends in NUL.
template <class S, class Table>
std::vector<Field<S>> fields_of(const Table& table) {
  std::vector<Field<S>> out;
  columns::for_each_column(table, [&](const auto& c, std::size_t) { out.push_back({c.name.data(), c.member}); });
  return out;
}

const std::vector<Field<Metric>>& metric_fields() {
  static const std::vector<Field<Metric>> fields = fields_of<Metric>(columns::kMetricColumns);
  return fields;
}

const std::vector<Field<FinalMetrics>>& final_metrics_fields() {
  static const std::vector<Field<FinalMetrics>> fields = fields_of<FinalMetrics>(columns::kFinalColumns);
  return fields;
}

}  // namespace

void init_conversions() {
  PyDateTime_IMPORT;
  if (PyDateTimeAPI == nullptr) throw py::error_already_set();
  g_epoch = PyDateTimeAPI->DateTime_FromDateAndTime(1970, 1, 1, 0, 0, 0, 0, PyDateTime_TimeZone_UTC,
                                                    PyDateTimeAPI->DateTimeType);
  if (g_epoch == nullptr) throw py::error_already_set();
  g_uuid_class = py::object(py::module_::import("uuid").attr("UUID")).release().ptr();
}

Uuid to_uuid(py::handle value, std::string_view what) {
  if (PyUnicode_Check(value.ptr())) {
    try {
      return Uuid::parse(value.cast<std::string>());
    } catch (const InvalidArgument& e) {
      throw InvalidArgument(std::string(what) + ": " + e.what());
    }
  }
  if (!py::isinstance(value, py::handle(g_uuid_class))) refuse(what, "a uuid.UUID or a str", value);
  const std::string raw = value.attr("bytes").cast<std::string>();
  if (raw.size() != 16) refuse(what, "a uuid.UUID whose bytes are 16 long", value);
  std::array<std::uint8_t, 16> bytes{};
  std::copy(raw.begin(), raw.end(), bytes.begin());
  return Uuid(bytes);
}

py::object from_uuid(const Uuid& uuid) {
  const auto& b = uuid.bytes();
  return py::handle(g_uuid_class)(py::arg("bytes") = py::bytes(reinterpret_cast<const char*>(b.data()), b.size()));
}

Timestamp to_timestamp(py::handle value, std::string_view what) {
  if (PyDateTime_Check(value.ptr())) {
    if (value.attr("utcoffset")().is_none()) {
      throw InvalidArgument(std::string(what) + ": naive datetime " + py::repr(value).cast<std::string>() +
                            "; pass a timezone-aware one, e.g. datetime.now(timezone.utc)");
    }
    py::object delta = py::reinterpret_borrow<py::object>(value) - py::handle(g_epoch);
    return Timestamp(std::chrono::milliseconds(timedelta_floor_ms(delta)));
  }
  // Seconds since the epoch; the range keeps milliseconds within int64 and
  // datetime's years 1..9999.
  constexpr double kMaxSeconds = 253'402'300'799.0;  // 9999-12-31T23:59:59Z
  constexpr double kMinSeconds = -62'135'596'800.0;  // 0001-01-01T00:00:00Z
  if (!is_number(value)) refuse(what, "a timezone-aware datetime or seconds since the Unix epoch", value);
  const double seconds = to_double(value, what);
  if (!std::isfinite(seconds) || seconds < kMinSeconds || seconds > kMaxSeconds) {
    throw InvalidArgument(std::string(what) + ": " + py::repr(value).cast<std::string>() +
                          " seconds since the Unix epoch is not a time between the years 1 and 9999");
  }
  if (PyLong_Check(value.ptr())) {  // exact for ints
    return Timestamp(std::chrono::seconds(to_int(value, what, static_cast<std::int64_t>(kMinSeconds),
                                                 static_cast<std::int64_t>(kMaxSeconds))));
  }
  return Timestamp(std::chrono::milliseconds(std::llround(seconds * 1000.0)));
}

std::optional<Timestamp> to_optional_timestamp(py::handle value, std::string_view what) {
  if (value.is_none()) return std::nullopt;
  return to_timestamp(value, what);
}

py::object from_timestamp(const Timestamp& timestamp) {
  using namespace std::chrono;
  const sys_days day = floor<days>(timestamp);
  const year_month_day ymd{day};
  const hh_mm_ss<milliseconds> time{timestamp - day};
  PyObject* result = PyDateTimeAPI->DateTime_FromDateAndTime(
      static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
      static_cast<int>(static_cast<unsigned>(ymd.day())), static_cast<int>(time.hours().count()),
      static_cast<int>(time.minutes().count()), static_cast<int>(time.seconds().count()),
      static_cast<int>(time.subseconds().count()) * 1000, PyDateTime_TimeZone_UTC, PyDateTimeAPI->DateTimeType);
  if (result == nullptr) throw py::error_already_set();  // year outside 1..9999
  return py::reinterpret_steal<py::object>(result);
}

std::chrono::milliseconds to_timeout(py::handle value, std::chrono::milliseconds fallback,
                                     std::string_view what) {
  if (value.is_none()) return fallback;
  double seconds = 0;
  if (PyDelta_Check(value.ptr())) {
    seconds = value.attr("total_seconds")().cast<double>();
  } else if (is_number(value)) {
    seconds = to_double(value, what);
  } else {
    refuse(what, "seconds or a datetime.timedelta", value);
  }
  if (!(seconds >= 0) || seconds > 1e9) {
    throw InvalidArgument(std::string(what) + ": " + py::repr(value).cast<std::string>() +
                          " is not a timeout between 0 and 10^9 seconds");
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(seconds * 1000.0)));
}

namespace {

// A column table's names as interned str, in column order, made once (one
// list per table): dict keys written as literals are the same objects, so a
// key is found by pointer, and its hash is cached.
template <class Table>
const std::vector<PyObject*>& column_keys(const Table& table) {
  static const std::vector<PyObject*> keys = [&] {
    std::vector<PyObject*> out;
    columns::for_each_column(table, [&](const auto& c, std::size_t) {
      PyObject* key = PyUnicode_InternFromString(std::string(c.name).c_str());
      if (key == nullptr) throw py::error_already_set();
      out.push_back(key);  // kept for the life of the process, like the module
    });
    return out;
  }();
  return keys;
}

// Metric's field names, in metric_fields() order (both follow kMetricColumns).
const std::vector<PyObject*>& metric_keys() { return column_keys(columns::kMetricColumns); }

// The index of `key` in metric_keys(), or -1.
int metric_key_index(PyObject* key) {
  const std::vector<PyObject*>& keys = metric_keys();
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys[i] == key) return static_cast<int>(i);
  }
  if (!PyUnicode_Check(key)) return -1;
  for (std::size_t i = 0; i < keys.size(); ++i) {  // an equal str that is not interned
    if (PyUnicode_Compare(keys[i], key) == 0) return static_cast<int>(i);
  }
  return -1;
}

// Sets field `index` of `out` from `value`. Floats and ints of the exact
// types take a path without building strings; anything else, and every
// refusal, goes through the checked conversions with `subject()` (built
// only then) naming the field.
template <class Subject>
void set_metric_field(Metric& out, int index, PyObject* value, const Subject& subject) {
  const Field<Metric>& f = metric_fields()[static_cast<std::size_t>(index)];
  std::visit(
      [&](auto member) {
        using T = typename std::remove_reference_t<decltype(out.*member)>::value_type;
        if (value == Py_None) {
          (out.*member).reset();
        } else if constexpr (std::is_same_v<T, double>) {
          out.*member = PyFloat_CheckExact(value) ? PyFloat_AS_DOUBLE(value) : to_double(value, subject());
        } else if constexpr (std::is_same_v<T, std::int32_t> || std::is_same_v<T, std::int64_t>) {
          constexpr auto kMin = std::numeric_limits<T>::min();
          constexpr auto kMax = std::numeric_limits<T>::max();
          if (PyLong_CheckExact(value)) {
            int overflow = 0;
            const long long v = PyLong_AsLongLongAndOverflow(value, &overflow);
            if (overflow == 0 && v >= kMin && v <= kMax && !(v == -1 && PyErr_Occurred())) {
              out.*member = static_cast<T>(v);
              return;
            }
            PyErr_Clear();
          }
          out.*member = static_cast<T>(to_int(value, subject(), kMin, kMax));
        } else {
          out.*member = to_timestamp(value, subject());
        }
      },
      f.member);
}

[[noreturn]] void unknown_metric_field(const std::string& what, PyObject* key) {
  if (!PyUnicode_Check(key)) refuse(what + " field name", "a str", key);
  throw InvalidArgument(what + ": unknown field \"" + py::reinterpret_borrow<py::str>(key).cast<std::string>() +
                        "\"; allowed: " + field_names(metric_fields()));
}

// `what` and `index` name the metric in messages: "metric" or "metrics[12]".
Metric metric_from_dict(py::handle dict, std::string_view what, Py_ssize_t index) {
  auto name = [&] {
    return index < 0 ? std::string(what) : std::string(what) + "[" + std::to_string(index) + "]";
  };
  if (!PyDict_Check(dict.ptr())) refuse(name(), "a dict", dict);
  Metric out{};
  PyObject* key = nullptr;
  PyObject* value = nullptr;
  Py_ssize_t pos = 0;
  while (PyDict_Next(dict.ptr(), &pos, &key, &value)) {
    const int i = metric_key_index(key);
    if (i < 0) unknown_metric_field(name(), key);
    set_metric_field(out, i, value, [&] { return name() + "." + metric_fields()[static_cast<std::size_t>(i)].name; });
  }
  return out;
}

}  // namespace

Metric to_metric(py::handle dict) { return metric_from_dict(dict, "metric", -1); }

void to_metrics(py::handle list, std::vector<Metric>& out) {
  out.clear();
  if (!PyList_Check(list.ptr()) && !PyTuple_Check(list.ptr())) refuse("metrics", "a list of dicts", list);
  py::object fast = py::reinterpret_steal<py::object>(PySequence_Fast(list.ptr(), "metrics"));
  if (!fast) throw py::error_already_set();
  const Py_ssize_t n = PySequence_Fast_GET_SIZE(fast.ptr());
  PyObject** items = PySequence_Fast_ITEMS(fast.ptr());
  out.reserve(static_cast<std::size_t>(n));
  for (Py_ssize_t i = 0; i < n; ++i) out.push_back(metric_from_dict(items[i], "metrics", i));
}

void metrics_from_columns(py::handle columns, std::vector<Metric>& out) {
  out.clear();
  if (!PyDict_Check(columns.ptr())) refuse("columns", "a dict of field name → list", columns);
  struct Column {
    int field;
    PyObject* name;
    py::object values;  // a list or tuple (PySequence_Fast)
  };
  std::vector<Column> cols;
  Py_ssize_t rows = -1;
  PyObject* key = nullptr;
  PyObject* value = nullptr;
  Py_ssize_t pos = 0;
  while (PyDict_Next(columns.ptr(), &pos, &key, &value)) {
    const int i = metric_key_index(key);
    if (i < 0) unknown_metric_field("columns", key);
    const std::string subject = std::string("columns.") + metric_fields()[static_cast<std::size_t>(i)].name;
    if (!PyList_Check(value) && !PyTuple_Check(value)) refuse(subject, "a list or tuple", value);
    Column c{i, key, py::reinterpret_steal<py::object>(PySequence_Fast(value, "column"))};
    if (!c.values) throw py::error_already_set();
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(c.values.ptr());
    if (rows >= 0 && n != rows) {
      throw InvalidArgument(subject + ": " + std::to_string(n) + " values, but " +
                            py::reinterpret_borrow<py::str>(cols.front().name).cast<std::string>() + " has " +
                            std::to_string(rows) + "; every column must have one value per metric");
    }
    rows = n;
    cols.push_back(std::move(c));
  }
  out.assign(static_cast<std::size_t>(std::max<Py_ssize_t>(rows, 0)), Metric{});
  for (const Column& c : cols) {
    PyObject** items = PySequence_Fast_ITEMS(c.values.ptr());
    for (Py_ssize_t r = 0; r < rows; ++r) {
      set_metric_field(out[static_cast<std::size_t>(r)], c.field, items[r], [&] {
        return std::string("columns.") + metric_fields()[static_cast<std::size_t>(c.field)].name + "[" +
               std::to_string(r) + "]";
      });
    }
  }
}

Uuid to_run_id(py::handle value) {
  // The last run id object and its parse, held with a reference so that an
  // object at the same address is the same object: training loops pass the
  // same uuid.UUID or str on every call. Only exact str and uuid.UUID
  // (immutable) are remembered. Guarded by the GIL.
  static PyObject* last = nullptr;
  static Uuid last_id;
  if (value.ptr() == last && last != nullptr) return last_id;
  const Uuid id = to_uuid(value, "run_id");
  if (PyUnicode_CheckExact(value.ptr()) || Py_TYPE(value.ptr()) == reinterpret_cast<PyTypeObject*>(g_uuid_class)) {
    Py_XDECREF(last);
    last = value.inc_ref().ptr();
    last_id = id;
  }
  return id;
}

// Built with the C API: the keys are the interned names (their hash is
// cached), the values made directly. A page of 1,000 metrics is ~10,000
// dict items, and this is most of what a read costs in Python.
py::dict from_metric(const Metric& metric) {
  const std::vector<Field<Metric>>& fields = metric_fields();
  const std::vector<PyObject*>& keys = metric_keys();
  PyObject* dict = PyDict_New();
  if (dict == nullptr) throw py::error_already_set();
  auto out = py::reinterpret_steal<py::dict>(dict);
  for (std::size_t k = 0; k < fields.size(); ++k) {
    py::object value = std::visit(
        [&](auto member) -> py::object {
          const auto& field = metric.*member;
          using T = typename std::remove_reference_t<decltype(field)>::value_type;
          if (!field) return py::none();
          if constexpr (std::is_same_v<T, Timestamp>) {
            return from_timestamp(*field);
          } else if constexpr (std::is_same_v<T, double>) {
            return py::reinterpret_steal<py::object>(PyFloat_FromDouble(*field));
          } else {
            return py::reinterpret_steal<py::object>(PyLong_FromLongLong(*field));
          }
        },
        fields[k].member);
    if (!value || PyDict_SetItem(dict, keys[k], value.ptr()) != 0) throw py::error_already_set();
  }
  return out;
}

py::list from_metrics(const std::vector<Metric>& metrics) {
  py::list out(metrics.size());
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(i), from_metric(metrics[i]).release().ptr());
  }
  return out;
}

FinalMetrics to_final_metrics(py::handle dict) {
  if (dict.is_none()) return {};
  return struct_from_dict(final_metrics_fields(), dict, "final_metrics");
}

namespace {
// A column or field value as Python: None when unset, datetime for times.
py::object to_py(const Uuid& v) { return from_uuid(v); }
py::object to_py(const std::string& v) { return py::str(v); }
py::object to_py(const std::map<std::string, std::string>& v) { return py::cast(v); }
template <class T>
py::object to_py(const std::optional<T>& v) {
  if (!v) return py::none();
  if constexpr (std::is_same_v<T, Timestamp>) {
    return from_timestamp(*v);
  } else {
    return py::cast(*v);
  }
}
}  // namespace

py::dict from_run(const Run& run) {
  const std::vector<PyObject*>& keys = column_keys(columns::kRunColumns);
  py::dict out;
  columns::for_each_column(columns::kRunColumns, [&](const auto& c, std::size_t i) {
    if (PyDict_SetItem(out.ptr(), keys[i], to_py(run.*(c.member)).ptr()) != 0) throw py::error_already_set();
  });
  return out;
}

NetworkTopology to_topology(const Uuid& run_id, py::handle dict) {
  NetworkTopology out;
  out.run_id = run_id;
  bool have_timestamp = false;
  constexpr auto kInt32Min = std::numeric_limits<std::int32_t>::min();
  constexpr auto kInt32Max = std::numeric_limits<std::int32_t>::max();
  const std::string what = "topology";
  for (const auto& [name, value] : items_of(dict, what)) {
    const std::string subject = what + "." + name;
    if (name == "run_id") {
      if (to_uuid(value, subject) != run_id) {
        throw InvalidArgument(subject + ": " + py::str(value).cast<std::string>() +
                              " differs from the run_id argument " + run_id.str());
      }
    } else if (name == "timestamp") {
      if (!value.is_none()) {
        out.timestamp = to_timestamp(value, subject);
        have_timestamp = true;
      }
    } else if (name == "epoch") {
      out.epoch = static_cast<std::int32_t>(to_int(value, subject, kInt32Min, kInt32Max));
    } else if (name == "input_size") {
      out.input_size = static_cast<std::int32_t>(to_int(value, subject, kInt32Min, kInt32Max));
    } else if (name == "output_size") {
      out.output_size = static_cast<std::int32_t>(to_int(value, subject, kInt32Min, kInt32Max));
    } else if (name == "hidden_units") {
      out.hidden_units = static_cast<std::int32_t>(to_int(value, subject, kInt32Min, kInt32Max));
    } else if (name == "total_parameters") {
      out.total_parameters =
          to_int(value, subject, std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max());
    } else if (name == "topology_json") {
      if (!PyUnicode_Check(value.ptr())) refuse(subject, "a str of JSON text", value);
      out.topology_json = value.cast<std::string>();
    } else {
      throw InvalidArgument(what + ": unknown field \"" + name +
                            "\"; allowed: run_id, timestamp, epoch, input_size, output_size, "
                            "hidden_units, total_parameters, topology_json");
    }
  }
  if (!have_timestamp) out.timestamp = now_ms();
  return out;
}

py::dict from_topology(const NetworkTopology& topology) {
  py::dict out;
  out["run_id"] = from_uuid(topology.run_id);
  out["timestamp"] = from_timestamp(topology.timestamp);
  out["epoch"] = topology.epoch;
  out["input_size"] = topology.input_size;
  out["output_size"] = topology.output_size;
  out["hidden_units"] = topology.hidden_units;
  out["total_parameters"] = topology.total_parameters;
  out["topology_json"] = topology.topology_json;
  return out;
}

py::dict from_counters(const WriterCounters& counters) {
  py::dict out;
  out["stored"] = counters.stored;
  out["written"] = counters.written;
  out["retried"] = counters.retried;
  out["spooled"] = counters.spooled;
  out["replayed"] = counters.replayed;
  out["dropped"] = counters.dropped;
  out["spool_failures"] = counters.spool_failures;
  out["spool_full"] = counters.spool_full;
  return out;
}

py::dict from_verification(const RunVerification& v) {
  py::dict out;
  out["run_id"] = from_uuid(v.run_id);
  out["complete"] = v.complete();
  out["acknowledged"] = v.acknowledged;
  out["acknowledged_steps"] = v.acknowledged_steps;
  out["first_step"] = to_py(v.first_step);
  out["last_step"] = to_py(v.last_step);
  out["stored"] = v.stored;
  out["stored_steps"] = v.stored_steps;
  py::list missing;
  for (const StepRange& r : v.missing) missing.append(py::make_tuple(r.first, r.last));
  out["missing"] = std::move(missing);
  out["missing_steps"] = v.missing_steps;
  out["duplicates"] = v.duplicates;
  out["unacknowledged_steps"] = v.unacknowledged_steps;
  out["ledger_entries"] = v.ledger_entries;
  return out;
}

}  // namespace canopy::python

namespace canopy::python {
py::dict from_series(const Series& s) {
  py::dict out;
  out["run_id"] = from_uuid(s.run_id);
  out["field"] = s.field;
  out["values"] = s.values;
  out["exact"] = s.exact;
  out["level"] = s.level;
  py::list points;
  for (const SeriesPoint& p : s.points) {
    py::dict d;
    d["timestamp"] = from_timestamp(p.timestamp);
    d["step"] = p.step;
    d["epoch"] = to_py(p.epoch);
    d["value"] = p.value;
    points.append(std::move(d));
  }
  out["points"] = std::move(points);
  return out;
}

py::dict from_summary(const RunSummary& s) {
  py::dict out;
  out["run_id"] = from_uuid(s.run_id);
  out["metrics"] = s.metrics;
  out["first_timestamp"] = to_py(s.first_timestamp);
  out["last_timestamp"] = to_py(s.last_timestamp);
  py::dict fields;
  for (const FieldSummary& f : s.fields) {
    py::dict d;
    d["count"] = f.count;
    d["min"] = to_py(f.min);
    d["max"] = to_py(f.max);
    d["mean"] = to_py(f.mean);
    d["last"] = to_py(f.last);
    d["min_epoch"] = to_py(f.min_epoch);
    d["max_epoch"] = to_py(f.max_epoch);
    d["last_epoch"] = to_py(f.last_epoch);
    d["best"] = to_py(f.best);
    d["best_epoch"] = to_py(f.best_epoch);
    fields[py::str(f.field)] = std::move(d);
  }
  out["fields"] = std::move(fields);
  return out;
}

py::dict from_comparison(const Comparison& c) {
  py::dict out;
  out["field"] = c.field;
  py::list runs, series, summaries, values;
  for (const Series& s : c.series) {
    runs.append(from_uuid(s.run_id));
    series.append(from_series(s));
  }
  for (const RunSummary& s : c.summaries) summaries.append(from_summary(s));
  for (const auto& row : c.values) {
    py::list r;
    for (const auto& v : row) r.append(to_py(v));
    values.append(std::move(r));
  }
  out["runs"] = std::move(runs);
  out["epochs"] = py::cast(c.epochs);
  out["values"] = std::move(values);
  out["series"] = std::move(series);
  out["summaries"] = std::move(summaries);
  return out;
}

}  // namespace canopy::python
