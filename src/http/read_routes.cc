// GET /api/runs, /api/runs/{run_id}[/topology|/metrics|/series|/summary],
// /api/metrics/range and /api/compare: the read API's JSON answers.
#include <algorithm>

#include "canopy/errors.h"
#include "http/api.h"
#include "http/api_error.h"

namespace canopy::http {
namespace {

using json::Json;

std::vector<std::string> series_field_names() {
  return {std::begin(kSeriesFields), std::end(kSeriesFields)};
}

void list_runs(ApiContext& api, Call& call) {
  const Params& q = call.query();
  RunQuery query;
  query.limit = int_param(q, "limit", 100, 1, 10'000);
  query.status = param(q, "status");
  query.dataset = param(q, "dataset");
  // ?tag=key:value, repeatable; key%3Dvalue (the CLI's form, encoded) too.
  // A bare second '=' does not survive the query parser.
  for (const std::string& tag : params_all(q, "tag")) {
    auto eq = tag.find('=');
    if (eq == std::string::npos) eq = tag.find(':');
    if (eq == std::string::npos || eq == 0) throw bad_parameter("tag", tag, "is not key:value");
    auto [it, added] = query.tags.emplace(tag.substr(0, eq), tag.substr(eq + 1));
    if (!added && it->second != tag.substr(eq + 1))
      throw bad_parameter("tag", tag, "asks a second value of tag '" + it->first + "'; no run can match both");
  }
  query.started_from = time_param(q, "from");
  query.started_before = time_param(q, "to");
  if (auto cursor = param(q, "cursor")) query.after = run_id_value(*cursor, "cursor");
  const int limit = query.limit;
  ++query.limit;  // one more tells whether a next page exists
  std::vector<Run> runs;
  try {
    runs = api.store.list_runs(query);
  } catch (const NotFound&) {
    throw bad_parameter("cursor", *param(q, "cursor"), "is not a run of this listing");
  }
  Json next = nullptr;
  if (static_cast<int>(runs.size()) > limit) {
    runs.resize(limit);
    next = runs.back().run_id.str();
  }
  Json list = Json::array();
  for (const Run& r : runs) list.push_back(json::run_to_json(r));
  Json body;
  body["runs"] = std::move(list);
  body["count"] = runs.size();
  body["next_cursor"] = std::move(next);
  send_json(call.res, 200, body);
}

Json metrics_json(const std::vector<Metric>& metrics) {
  Json list = Json::array();
  for (const Metric& m : metrics) list.push_back(json::metric_to_json(m));
  return list;
}

void show_run(ApiContext& api, Call& call) {
  Run run = require_run(api, call);
  auto metrics = api.store.query_metrics(run.run_id, std::nullopt, std::nullopt, 1000);
  Json body;
  body["run"] = json::run_to_json(run);
  body["metric_count"] = metrics.size();
  body["metrics"] = metrics_json(metrics);
  send_json(call.res, 200, body);
}

void topology(ApiContext& api, Call& call) {
  Run run = require_run(api, call);
  const int limit = int_param(call.query(), "limit", 100, 1, 100'000);
  auto snapshots = api.store.query_topology(run.run_id, limit);
  std::reverse(snapshots.begin(), snapshots.end());  // oldest first, as a chart reads them
  Json list = Json::array();
  for (const auto& t : snapshots) list.push_back(json::topology_to_json(t));
  Json body;
  body["topology"] = std::move(list);
  body["count"] = snapshots.size();
  send_json(call.res, 200, body);
}

// One page of metrics newest first, after the cursor's (timestamp, step):
// read from end = cursor time + 1 ms and skip the keys at or above it.
void metrics_page(ApiContext& api, Call& call, const Uuid& run_id, std::optional<Timestamp> from,
                  std::optional<Timestamp> to, int limit, const std::optional<std::string>& cursor) {
  std::optional<MetricKey> after;
  if (cursor) {
    after = decode_cursor(*cursor);
    if (!after) throw bad_parameter("cursor", *cursor, "is not a cursor of this listing (pass next_cursor back)");
    const Timestamp end = after->timestamp + std::chrono::milliseconds(1);
    if (!to || end < *to) to = end;
  }
  // One row more than the page tells whether another page follows; rows of
  // the cursor's millisecond at or above its step are skipped, so ask for a
  // few more and widen when a millisecond holds many.
  std::vector<Metric> rows;
  for (int extra = after ? 16 : 0;; extra = std::min(extra * 8, 1'000'000)) {
    const int want = std::min(limit + 1 + extra, 2'000'000);
    rows = api.store.query_metrics(run_id, from, to, want);
    const bool exhausted = static_cast<int>(rows.size()) < want;
    if (after)
      std::erase_if(rows, [&](const Metric& m) { return MetricKey{*m.timestamp, *m.step} >= *after; });
    if (exhausted || static_cast<int>(rows.size()) > limit || want == 2'000'000) break;
  }
  Json next = nullptr;
  if (static_cast<int>(rows.size()) > limit) {
    rows.resize(limit);
    next = encode_cursor({*rows.back().timestamp, *rows.back().step});
  }
  Json body;
  body["metrics"] = metrics_json(rows);
  body["count"] = rows.size();
  body["next_cursor"] = std::move(next);
  send_json(call.res, 200, body);
}

void metrics(ApiContext& api, Call& call) {
  const Params& q = call.query();
  Run run = require_run(api, call);
  metrics_page(api, call, run.run_id, time_param(q, "from"), time_param(q, "to"),
               int_param(q, "limit", 1000, 1, 100'000), param(q, "cursor"));
}

// The Manual's GET /api/metrics/range?run_id&start_time&end_time&limit.
void metrics_range(ApiContext& api, Call& call) {
  const Params& q = call.query();
  auto text = param(q, "run_id");
  if (!text) throw ApiError(400, "missing_parameter", "run_id: required", "run_id");
  Uuid id = run_id_value(*text, "run_id");
  auto start = time_param(q, "start_time");
  auto end = time_param(q, "end_time");
  const int limit = int_param(q, "limit", 1000, 1, 100'000);
  if (!api.store.get_run(id)) throw run_not_found(id.str());
  auto rows = api.store.query_metrics(id, start, end, limit);
  Json body;
  body["metrics"] = metrics_json(rows);
  body["count"] = rows.size();
  send_json(call.res, 200, body);
}

void series(ApiContext& api, Call& call) {
  const Params& q = call.query();
  Run run = require_run(api, call);
  const std::string field = choice_param(q, "field", "val_accuracy", series_field_names());
  const int points = int_param(q, "points", 1000, 1, 100'000);
  send_json(call.res, 200,
            json::series_to_json(api.store.series(run.run_id, field, points, time_param(q, "from"),
                                                  time_param(q, "to"))));
}

void summary(ApiContext& api, Call& call) {
  Run run = require_run(api, call);
  send_json(call.res, 200, json::summary_to_json(api.store.summary(run.run_id)));
}

void compare(ApiContext& api, Call& call) {
  const Params& q = call.query();
  const auto texts = params_all(q, "run");
  if (texts.empty()) throw ApiError(400, "missing_parameter", "run: give one or more, as in ?run=A&run=B", "run");
  if (texts.size() > 20) throw bad_parameter("run", std::to_string(texts.size()) + " runs", "is more than 20");
  const std::string field = choice_param(q, "field", "val_accuracy", series_field_names());
  const int points = int_param(q, "points", 1000, 1, 100'000);
  std::vector<Uuid> ids;
  for (const auto& t : texts) ids.push_back(run_id_value(t, "run"));
  for (const Uuid& id : ids)
    if (!api.store.get_run(id)) throw run_not_found(id.str(), "run");
  send_json(call.res, 200, json::comparison_to_json(api.store.compare(ids, field, points)));
}

}  // namespace

void add_read_routes(Router& router, ApiContext& api) {
  auto bind = [&api](void (*fn)(ApiContext&, Call&)) { return [&api, fn](Call& c) { fn(api, c); }; };
  router.add({"GET", "/api/runs", {"limit", "status", "dataset", "tag", "from", "to", "cursor"}, bind(list_runs)});
  router.add({"GET", "/api/runs/{run_id}", {}, bind(show_run)});
  router.add({"GET", "/api/runs/{run_id}/topology", {"limit"}, bind(topology)});
  router.add({"GET", "/api/runs/{run_id}/metrics", {"from", "to", "limit", "cursor"}, bind(metrics)});
  router.add({"GET", "/api/metrics/range", {"run_id", "start_time", "end_time", "limit"}, bind(metrics_range)});
  router.add({"GET", "/api/runs/{run_id}/series", {"field", "points", "from", "to"}, bind(series)});
  router.add({"GET", "/api/runs/{run_id}/summary", {}, bind(summary)});
  router.add({"GET", "/api/compare", {"run", "field", "points"}, bind(compare)});
}

}  // namespace canopy::http
