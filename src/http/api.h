// What the read API's handlers share: the request being answered (Call),
// the server's state (ApiContext), and the functions that register each
// group of routes. One file per group: read_routes.cc, export_routes.cc,
// event_routes.cc, write_routes.cc, meta_routes.cc.
#pragma once

#include <httplib.h>

#include <atomic>
#include <map>
#include <string>

#include "canopy/metrics_store.h"
#include "http/params.h"
#include "http/router.h"
#include "http/server.h"
#include "json/to_json.h"

namespace canopy::http {

class EventHub;

struct Call {
  const httplib::Request& req;
  httplib::Response& res;
  std::map<std::string, std::string> path;  // {name} segments of the route
  std::string body;                         // POST: the request body (at most max_body)
  const Params& query() const { return req.params; }
};

struct ApiContext {
  MetricsStore& store;
  const ServerOptions& options;
  EventHub& hub;
  const Router& router;  // for the index page and the OpenAPI coverage
  std::atomic<int> streams{0};  // open event streams
};

// Writes `body` as the answer (application/json).
void send_json(httplib::Response& res, int status, const json::Json& body);
// Adds bytes a streaming answer wrote to this request's access-log line.
void note_streamed(std::size_t bytes);

// The run of the path's {run_id}: 400 when malformed, 404 when unknown.
Run require_run(ApiContext& api, const Call& call);

void add_read_routes(Router& router, ApiContext& api);
void add_export_routes(Router& router, ApiContext& api);
void add_event_routes(Router& router, ApiContext& api);
void add_write_routes(Router& router, ApiContext& api);
void add_meta_routes(Router& router, ApiContext& api);

}  // namespace canopy::http
