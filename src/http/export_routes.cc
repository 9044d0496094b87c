// GET /api/runs/{run_id}/export and the Manual's GET /api/export?run_id=:
// every metric of a run, streamed (chunked) one page of the store's cursor
// at a time, so memory stays flat whatever the run's size. Rows come newest
// first, as from `canopy-store export`.
#include <cstdio>

#include "canopy/errors.h"
#include "http/api.h"
#include "http/api_error.h"
#include "json/text.h"

namespace canopy::http {
namespace {

struct ExportState {
  std::unique_ptr<MetricCursor> cursor;
  std::string format;
  bool started = false;
  bool any = false;
  std::vector<Metric> page;
  std::string piece;  // reused: a fresh ~1 MB string per page costs page faults
};

std::string content_type(const std::string& format) {
  if (format == "csv") return "text/csv; charset=utf-8";
  if (format == "ndjson") return "application/x-ndjson";
  return "application/json";
}

// The next piece of the body, or "" at the end (after the closing text).
bool next_piece(ExportState& s, std::string& out, bool& done) {
  out.clear();
  if (!s.started) {
    s.started = true;
    if (s.format == "csv") out += json::metric_csv_header();
    if (s.format == "json") out += "[";
  }
  if (!s.cursor->next_page(s.page)) {
    if (s.format == "json") out += s.any ? "\n]\n" : "]\n";
    done = true;
    return true;
  }
  for (const Metric& m : s.page) {
    if (s.format == "csv") {
      json::append_metric_csv(out, m);
    } else if (s.format == "ndjson") {
      json::append_metric_json(out, m);
      out += '\n';
    } else {
      out += s.any ? ",\n" : "\n";
      json::append_metric_json(out, m);
    }
    s.any = true;
  }
  return true;
}

void stream_export(ApiContext& api, Call& call, const Uuid& run_id) {
  const Params& q = call.query();
  auto state = std::make_shared<ExportState>();
  state->format = choice_param(q, "format", "csv", {"csv", "json", "ndjson"});
  auto from = time_param(q, "from");
  auto to = time_param(q, "to");
  if (!api.store.get_run(run_id)) throw run_not_found(run_id.str());
  state->cursor = api.store.open_metric_cursor(run_id, from, to, 5000);
  call.res.set_header("Content-Disposition",
                      "attachment; filename=\"run-" + run_id.str() + "." + state->format + "\"");
  call.res.set_chunked_content_provider(
      content_type(state->format), [state, run_id](std::size_t, httplib::DataSink& sink) {
        std::string& piece = state->piece;
        bool done = false;
        try {
          next_piece(*state, piece, done);
        } catch (const std::exception& e) {
          // Too late for an error status: end the connection without the
          // final chunk, so the client sees an incomplete body.
          std::fprintf(stderr, "canopy-store serve: export of run %s failed: %s\n", run_id.str().c_str(), e.what());
          return false;
        }
        if (!piece.empty()) {
          note_streamed(piece.size());
          if (!sink.write(piece.data(), piece.size())) return false;
        }
        if (done) sink.done();
        return true;
      });
}

}  // namespace

void add_export_routes(Router& router, ApiContext& api) {
  router.add({"GET", "/api/runs/{run_id}/export", {"format", "from", "to"}, [&api](Call& call) {
                Run run = require_run(api, call);
                stream_export(api, call, run.run_id);
              }});
  router.add({"GET", "/api/export", {"run_id", "format", "from", "to"}, [&api](Call& call) {
                auto text = param(call.query(), "run_id");
                if (!text) throw ApiError(400, "missing_parameter", "run_id: required", "run_id");
                stream_export(api, call, run_id_value(*text, "run_id"));
              }});
}

}  // namespace canopy::http
