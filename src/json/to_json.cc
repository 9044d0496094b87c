#include "json/to_json.h"

#include <charconv>
#include <cmath>
#include <type_traits>

#include "json/text.h"
#include "json/time.h"

namespace canopy::json {
namespace {

template <typename T>
Json opt(const std::optional<T>& v) {
  if (!v) return nullptr;
  if constexpr (std::is_same_v<T, double>) return number(*v);
  else if constexpr (std::is_same_v<T, Timestamp>) return format_time(*v);
  else return *v;
}

// Text that is itself JSON (a run's config, a topology) embedded parsed.
Json embedded(const std::string& text) {
  Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  return parsed.is_discarded() ? Json(text) : parsed;
}

}  // namespace

Json number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return v;
}

Json time_or_null(const std::optional<Timestamp>& t) { return opt(t); }

Json run_to_json(const Run& r) {
  Json j;
  j["run_id"] = r.run_id.str();
  j["status"] = r.status;
  j["dataset_name"] = r.dataset_name;
  j["config_json"] = r.config_json;
  j["start_time"] = opt(r.start_time);
  j["end_time"] = opt(r.end_time);
  j["duration_seconds"] = opt(r.duration_seconds);
  j["final_epoch"] = opt(r.final_epoch);
  j["final_train_loss"] = opt(r.final_train_loss);
  j["final_train_accuracy"] = opt(r.final_train_accuracy);
  j["final_val_loss"] = opt(r.final_val_loss);
  j["final_val_accuracy"] = opt(r.final_val_accuracy);
  j["best_val_accuracy"] = opt(r.best_val_accuracy);
  j["best_epoch"] = opt(r.best_epoch);
  j["total_hidden_units"] = opt(r.total_hidden_units);
  j["total_parameters"] = opt(r.total_parameters);
  j["tags"] = r.tags;
  j["notes"] = r.notes;
  j["config"] = embedded(r.config_json);
  return j;
}

Json metric_to_json(const Metric& m) {
  Json j;
  j["timestamp"] = opt(m.timestamp);
  j["step"] = opt(m.step);
  j["epoch"] = opt(m.epoch);
  j["train_loss"] = opt(m.train_loss);
  j["train_accuracy"] = opt(m.train_accuracy);
  j["val_loss"] = opt(m.val_loss);
  j["val_accuracy"] = opt(m.val_accuracy);
  j["learning_rate"] = opt(m.learning_rate);
  j["hidden_units"] = opt(m.hidden_units);
  return j;
}

namespace {

void append_field(std::string& out, const char* name, bool first) {
  out += first ? "{\"" : ",\"";
  out += name;
  out += "\":";
}
void append_value(std::string& out, const std::optional<double>& v) {
  if (!v) out += "null";
  else if (std::isnan(*v)) out += "\"NaN\"";
  else if (std::isinf(*v)) out += *v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  else append_number(out, *v);
}
void append_value(std::string& out, const std::optional<std::int32_t>& v) {
  if (!v) {
    out += "null";
    return;
  }
  char buf[16];
  out.append(buf, std::to_chars(buf, buf + sizeof buf, *v).ptr);
}
void append_value(std::string& out, const std::optional<Timestamp>& v) {
  if (!v) {
    out += "null";
    return;
  }
  out += '"';
  append_time(out, *v);
  out += '"';
}

}  // namespace

void append_metric_json(std::string& out, const Metric& m) {
  append_field(out, "timestamp", true);
  append_value(out, m.timestamp);
  append_field(out, "step", false);
  append_value(out, m.step);
  append_field(out, "epoch", false);
  append_value(out, m.epoch);
  append_field(out, "train_loss", false);
  append_value(out, m.train_loss);
  append_field(out, "train_accuracy", false);
  append_value(out, m.train_accuracy);
  append_field(out, "val_loss", false);
  append_value(out, m.val_loss);
  append_field(out, "val_accuracy", false);
  append_value(out, m.val_accuracy);
  append_field(out, "learning_rate", false);
  append_value(out, m.learning_rate);
  append_field(out, "hidden_units", false);
  append_value(out, m.hidden_units);
  out += '}';
}

Json topology_to_json(const NetworkTopology& t) {
  Json j;
  j["run_id"] = t.run_id.str();
  j["timestamp"] = format_time(t.timestamp);
  j["epoch"] = t.epoch;
  j["input_size"] = t.input_size;
  j["output_size"] = t.output_size;
  j["hidden_units"] = t.hidden_units;
  j["total_parameters"] = t.total_parameters;
  j["topology"] = embedded(t.topology_json);
  return j;
}

Json counters_to_json(const WriterCounters& c) {
  Json j;
  j["stored"] = c.stored;
  j["written"] = c.written;
  j["retried"] = c.retried;
  j["spooled"] = c.spooled;
  j["replayed"] = c.replayed;
  j["dropped"] = c.dropped;
  return j;
}

Json series_to_json(const Series& s) {
  Json points = Json::array();
  for (const SeriesPoint& p : s.points) {
    Json j;
    j["timestamp"] = format_time(p.timestamp);
    j["step"] = p.step;
    j["epoch"] = opt(p.epoch);
    j["value"] = number(p.value);
    points.push_back(std::move(j));
  }
  Json j;
  j["run_id"] = s.run_id.str();
  j["field"] = s.field;
  j["values"] = s.values;
  j["exact"] = s.exact;
  j["level"] = s.level;
  j["points"] = std::move(points);
  return j;
}

Json summary_to_json(const RunSummary& s) {
  Json fields = Json::object();
  for (const FieldSummary& f : s.fields) {
    Json j;
    j["count"] = f.count;
    j["min"] = opt(f.min);
    j["max"] = opt(f.max);
    j["mean"] = opt(f.mean);
    j["last"] = opt(f.last);
    j["min_epoch"] = opt(f.min_epoch);
    j["max_epoch"] = opt(f.max_epoch);
    j["last_epoch"] = opt(f.last_epoch);
    j["best"] = opt(f.best);
    j["best_epoch"] = opt(f.best_epoch);
    fields[f.field] = std::move(j);
  }
  Json j;
  j["run_id"] = s.run_id.str();
  j["metrics"] = s.metrics;
  j["first_timestamp"] = opt(s.first_timestamp);
  j["last_timestamp"] = opt(s.last_timestamp);
  j["fields"] = std::move(fields);
  return j;
}

Json comparison_to_json(const Comparison& c) {
  Json runs = Json::array(), values = Json::array(), series = Json::array(), summaries = Json::array();
  for (const Series& s : c.series) {
    runs.push_back(s.run_id.str());
    series.push_back(series_to_json(s));
  }
  for (const auto& row : c.values) {
    Json r = Json::array();
    for (const auto& v : row) r.push_back(opt(v));
    values.push_back(std::move(r));
  }
  for (const RunSummary& s : c.summaries) summaries.push_back(summary_to_json(s));
  Json j;
  j["field"] = c.field;
  j["runs"] = std::move(runs);
  j["epochs"] = c.epochs;
  j["values"] = std::move(values);
  j["series"] = std::move(series);
  j["summaries"] = std::move(summaries);
  return j;
}

}  // namespace canopy::json
