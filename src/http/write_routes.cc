// POST /api/runs, /api/runs/{run_id}/metrics, /api/runs/{run_id}/complete:
// recording over HTTP, so producers in any language can write. Off unless
// `serve --allow-writes --token-file F`; every call needs
// `Authorization: Bearer <token>`, compared in constant time. Metrics go
// through store_metric: the same buffered writer and spool as in-process.
#include <string_view>

#include "canopy/errors.h"
#include "http/api.h"
#include "http/api_error.h"
#include "json/from_json.h"

namespace canopy::http {
namespace {

// Constant time in the given token's content: no early exit on the first
// differing byte (only the expected token's length shows).
bool same_token(std::string_view expected, std::string_view given) {
  unsigned diff = expected.size() != given.size();
  for (std::size_t i = 0; i < expected.size(); ++i)
    diff |= static_cast<unsigned char>(expected[i]) ^
            static_cast<unsigned char>(i < given.size() ? given[i] : 0);
  return diff == 0;
}

void authorize(ApiContext& api, Call& call) {
  if (!api.options.allow_writes)
    throw ApiError(403, "writes_disabled",
                   "writes are off: start the server with serve --allow-writes --token-file FILE");
  const std::string header = call.req.get_header_value("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (header.empty()) {
    call.res.set_header("WWW-Authenticate", "Bearer realm=\"canopy-store\"");
    throw ApiError(401, "unauthorized", "Authorization: Bearer <token> is required for writes");
  }
  if (header.compare(0, kBearer.size(), kBearer) != 0 ||
      !same_token(api.options.token, std::string_view(header).substr(kBearer.size())))
    throw ApiError(403, "forbidden", "the bearer token is not the server's");
}

nlohmann::json parse_body(const std::string& body, const std::string& what = "body") {
  try {
    return nlohmann::json::parse(body);
  } catch (const nlohmann::json::exception& e) {
    throw ApiError(400, "bad_body", what + ": not JSON: " + e.what(), "body");
  }
}

// InvalidArgument from json/from_json.h names the field; answer it as 400.
template <typename F>
auto reading_body(F&& f) {
  try {
    return f();
  } catch (const InvalidArgument& e) {
    throw ApiError(400, "bad_body", e.what(), "body");
  }
}

void create_run(ApiContext& api, Call& call, const std::string& body) {
  authorize(api, call);
  NewRun run = reading_body([&] { return json::new_run_from_json(parse_body(body.empty() ? "{}" : body), "body"); });
  Uuid id = api.store.create_run(run);
  json::Json answer;
  answer["run_id"] = id.str();
  if (auto stored = api.store.get_run(id)) answer["run"] = json::run_to_json(*stored);
  send_json(call.res, 201, answer);
}

void store_metrics(ApiContext& api, Call& call, const std::string& body) {
  authorize(api, call);
  Run run = require_run(api, call);
  const std::string type = call.req.get_header_value("Content-Type");
  const std::string media = type.substr(0, type.find(';'));
  std::vector<Metric> metrics;
  if (media == "application/x-ndjson" || media == "application/ndjson") {
    std::size_t line_no = 0, pos = 0;
    while (pos < body.size()) {
      std::size_t nl = body.find('\n', pos);
      std::string line = body.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
      pos = nl == std::string::npos ? body.size() : nl + 1;
      ++line_no;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      const std::string what = "body line " + std::to_string(line_no);
      metrics.push_back(reading_body([&] { return json::metric_from_json(parse_body(line, what), what); }));
    }
  } else if (media == "application/json") {
    nlohmann::json j = parse_body(body);
    if (j.is_object()) j = nlohmann::json::array({j});
    if (!j.is_array()) throw ApiError(400, "bad_body", "body: expected a JSON array of metric objects", "body");
    for (std::size_t i = 0; i < j.size(); ++i)
      metrics.push_back(reading_body([&] { return json::metric_from_json(j[i], "body[" + std::to_string(i) + "]"); }));
  } else {
    throw ApiError(415, "unsupported_media_type",
                   "Content-Type '" + type + "': send application/json (an array) or application/x-ndjson",
                   "Content-Type");
  }
  for (const Metric& m : metrics) api.store.store_metric(run.run_id, m);
  json::Json answer;
  answer["accepted"] = metrics.size();
  send_json(call.res, 202, answer);
}

void complete_run(ApiContext& api, Call& call, const std::string& body) {
  authorize(api, call);
  Run run = require_run(api, call);
  std::string status;
  FinalMetrics final_metrics = reading_body(
      [&] { return json::final_metrics_from_json(parse_body(body.empty() ? "{}" : body), status, "body"); });
  api.store.complete_run(run.run_id, final_metrics, status);
  json::Json answer;
  if (auto stored = api.store.get_run(run.run_id)) answer["run"] = json::run_to_json(*stored);
  send_json(call.res, 200, answer);
}

}  // namespace

void add_write_routes(Router& router, ApiContext& api) {
  auto with_body = [&api](void (*fn)(ApiContext&, Call&, const std::string&)) {
    return [&api, fn](Call& call) { fn(api, call, call.body); };
  };
  router.add({"POST", "/api/runs", {}, with_body(create_run)});
  router.add({"POST", "/api/runs/{run_id}/metrics", {}, with_body(store_metrics)});
  router.add({"POST", "/api/runs/{run_id}/complete", {}, with_body(complete_run)});
}

}  // namespace canopy::http
