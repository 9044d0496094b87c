// GET /api/runs/{run_id}/events: Server-Sent Events of a run (event_hub.h).
//
// The stream opens with `retry:` and the run as it is (`event: run`). With
// ?after=<event id> (or the Last-Event-ID header a reconnecting browser
// sends) or ?from=<time>, the metrics and snapshots stored since then are
// replayed first, oldest first; then live events follow with no gap and no
// repeat. Idle streams get a ": keepalive" comment. The stream ends after
// the final run event, or when the server shuts down.
#include <algorithm>
#include <cstdio>

#include "http/api.h"
#include "http/api_error.h"
#include "http/event_hub.h"
#include "http/oldest_first.h"

namespace canopy::http {
namespace {

using Clock = std::chrono::steady_clock;

struct StreamState {
  EventHub::Subscribed subscribed;
  std::optional<MetricKey> after;
  std::optional<Timestamp> from;
  bool replay = false;
  bool opened = false;
  Clock::time_point last_write = Clock::now();
};

bool write(httplib::DataSink& sink, StreamState& s, const std::string& text) {
  if (text.empty()) return true;
  note_streamed(text.size());
  s.last_write = Clock::now();
  return sink.write(text.data(), text.size());
}

// The opening: retry, the run, and the replay up to where live frames begin.
bool open_stream(ApiContext& api, StreamState& s, httplib::DataSink& sink) {
  std::string out = "retry: 3000\n\n" + run_frame(s.subscribed.run);
  if (!write(sink, s, out)) return false;
  if (!s.replay) return true;
  const Uuid& id = s.subscribed.run.run_id;
  const bool live = s.subscribed.subscription != nullptr;
  // Live frames start after the watch's last keys; without a watch (the run
  // is over) everything stored is replayed.
  std::optional<MetricKey> until = live ? s.subscribed.last_metric : std::nullopt;
  if (!live || until) {
    out.clear();
    bool ok = true;
    scan_oldest_first(api.store, id, s.after, s.from, until, [&](const Metric& m) {
      out += metric_frame(m);
      if (out.size() >= (64u << 10)) {
        ok = ok && write(sink, s, out);
        out.clear();
      }
    });
    if (!ok || !write(sink, s, out)) return false;
  }
  std::optional<Timestamp> since = s.from;
  if (s.after && (!since || s.after->timestamp > *since)) since = s.after->timestamp;
  auto snapshots = api.store.query_topology(id, 100'000);
  out.clear();
  for (auto it = snapshots.rbegin(); it != snapshots.rend(); ++it) {
    if (since && it->timestamp < *since) continue;
    if (live && (!s.subscribed.last_topology ||
                 TopologyKey{it->timestamp, it->hidden_units} > *s.subscribed.last_topology))
      continue;
    out += topology_frame(*it);
  }
  return write(sink, s, out);
}

void events(ApiContext& api, Call& call) {
  Run run = require_run(api, call);
  auto state = std::make_shared<StreamState>();
  const Params& q = call.query();
  std::optional<std::string> after = param(q, "after");
  std::string after_name = "after";
  if (!after && call.req.has_header("Last-Event-ID")) {
    after = call.req.get_header_value("Last-Event-ID");
    after_name = "Last-Event-ID";
  }
  if (after) {
    state->after = decode_cursor(*after);
    if (!state->after) throw bad_parameter(after_name, *after, "is not an event id of this stream");
  }
  state->from = time_param(q, "from");
  state->replay = state->after || state->from;
  if (api.streams.load() >= api.options.max_streams)
    throw ApiError(503, "too_many_streams",
                   "the server already has " + std::to_string(api.options.max_streams) +
                       " open event streams (serve --max-streams); try again later");
  state->subscribed = api.hub.subscribe(run.run_id);
  ++api.streams;
  call.res.set_header("Cache-Control", "no-cache");
  call.res.set_header("X-Accel-Buffering", "no");
  const auto keepalive = api.options.keepalive;
  call.res.set_chunked_content_provider(
      "text/event-stream",
      [&api, state, keepalive](std::size_t, httplib::DataSink& sink) {
        StreamState& s = *state;
        if (!s.opened) {
          s.opened = true;
          try {
            if (!open_stream(api, s, sink)) return false;
          } catch (const std::exception& e) {
            // Headers are sent: end the connection, the client reconnects.
            std::fprintf(stderr, "canopy-store serve: event stream of run %s: %s\n",
                         s.subscribed.run.run_id.str().c_str(), e.what());
            return false;
          }
          if (!s.subscribed.subscription) sink.done();
          return true;
        }
        const auto idle = Clock::now() - s.last_write;
        const auto wait = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(keepalive - idle),
                                     std::chrono::milliseconds(1), std::chrono::milliseconds(500));
        std::string out;
        const bool alive = s.subscribed.subscription->take(out, wait);
        if (out.empty() && Clock::now() - s.last_write >= keepalive) out = ": keepalive\n\n";
        if (!write(sink, s, out)) return false;
        if (!alive) sink.done();
        return true;
      },
      [&api, state](bool) {
        --api.streams;
        if (state->subscribed.subscription) state->subscribed.subscription->cancel();
      });
}

}  // namespace

void add_event_routes(Router& router, ApiContext& api) {
  router.add({"GET", "/api/runs/{run_id}/events", {"after", "from"}, [&api](Call& call) { events(api, call); }});
}

}  // namespace canopy::http
