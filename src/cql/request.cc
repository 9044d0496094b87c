// Request execution: a logical request is encoded once, gets its query
// plan from the load-balancing policy, and is attempted on the plan's hosts
// in turn: retries (retry_policy.h), transparent re-prepare, and schema
// agreement after DDL. The public API that creates requests is in
// session_requests.cc.
#include <algorithm>
#include <chrono>

#include "cql/coding.h"
#include "cql/log.h"
#include "cql/request.h"
#include "cql/result_builder.h"
#include "cql/retry_policy.h"
#include "cql/session_impl.h"
#include "cql/value_codec.h"

namespace cql {

namespace {

// Token of the routing key of a prepared statement's bound values, if
// every partition key component is bound to a non-null value.
std::optional<int64_t> RoutingToken(const PreparedStatement& p, const std::vector<Value>& values) {
  if (p.partition_key_indexes.empty()) return std::nullopt;
  std::vector<std::string> parts;
  for (uint16_t i : p.partition_key_indexes) {
    if (i >= values.size() || i >= p.bind_columns.size()) return std::nullopt;
    const Value& v = values[i];
    if (v.is_null() || v.is_unset()) return std::nullopt;
    std::string cell;
    if (PutCell(cell, v, &p.bind_columns[i].type)) return std::nullopt;
    parts.push_back(std::move(cell));
  }
  return Murmur3Token(parts.size() == 1 ? parts[0] : CompositeRoutingKey(parts));
}

// The same from values a RowWriter wrote (already checked by the encoder
// to be one whole [value] per bind marker). A single-column key is hashed
// in place: no copy, no allocation.
std::optional<int64_t> RoutingToken(const PreparedStatement& p, std::string_view encoded) {
  const auto& pk = p.partition_key_indexes;
  if (pk.empty()) return std::nullopt;
  if (pk.size() == 1) {  // the usual key: skip the values before it, hash it in place
    const auto* at = reinterpret_cast<const unsigned char*>(encoded.data());
    const auto* const end = at + encoded.size();
    for (size_t i = 0;; ++i) {
      if (end - at < 4) return std::nullopt;
      const auto len = static_cast<int32_t>(uint32_t{at[0]} << 24 | uint32_t{at[1]} << 16 | uint32_t{at[2]} << 8 | at[3]);
      at += 4;
      if (len > 0 && end - at < len) return std::nullopt;
      if (i == pk[0]) {
        if (len < 0) return std::nullopt;  // null or unset: no routing key
        return Murmur3Token(std::string_view(reinterpret_cast<const char*>(at), static_cast<size_t>(len)));
      }
      if (len > 0) at += len;
    }
  }
  std::vector<std::string_view> cells;  // by bind index, up to the last key component
  const size_t want = *std::max_element(pk.begin(), pk.end()) + size_t{1};
  for (size_t i = 0; i < want; ++i) {
    int32_t len = 0;
    std::string_view cell;
    if (!GetI32(encoded, len)) return std::nullopt;
    if (len > 0 && !GetRaw(encoded, static_cast<size_t>(len), cell)) return std::nullopt;
    bool is_key = std::find(pk.begin(), pk.end(), i) != pk.end();
    if (is_key && len < 0) return std::nullopt;  // null or unset: no routing key
    cells.push_back(cell);
  }
  std::vector<std::string> parts;
  for (uint16_t i : pk) parts.emplace_back(cells[i]);
  return Murmur3Token(CompositeRoutingKey(parts));
}

// A RESULT of kind Void: what every write gets. Nothing in it to decode.
bool IsVoidResult(std::string_view body) {
  int32_t kind = 0;
  return GetI32(body, kind) && kind == 1;
}

bool IsDdl(const ResultSet& rs) { return rs.kind() == ResultSet::Kind::kSchemaChange; }

// A failure after which the request may or may not have been applied: the
// retry policy retries it only for idempotent requests.
bool OutcomeUnknown(const Error& e) { return ShouldRetry(e, true) && !ShouldRetry(e, false); }

using TimePoint = std::chrono::steady_clock::time_point;

bool DeadlinePassed(const RequestState& st, TimePoint now) { return st.deadline && now >= *st.deadline; }
bool DeadlinePassed(const RequestState& st) {
  return st.deadline && DeadlinePassed(st, std::chrono::steady_clock::now());
}

// The attempt's timeout: the per-attempt one, cut to what is left of the deadline.
std::chrono::milliseconds AttemptTimeout(const RequestState& st, TimePoint now) {
  if (!st.deadline) return st.timeout;
  auto left = std::chrono::ceil<std::chrono::milliseconds>(*st.deadline - now);
  return std::max(std::chrono::milliseconds(1), std::min(st.timeout, left));
}
std::chrono::milliseconds AttemptTimeout(const RequestState& st) {
  return AttemptTimeout(st, std::chrono::steady_clock::now());
}

std::string AttemptList(const RequestState& st) {
  std::string out;
  for (const auto& t : st.tried) out += "\n  " + t;
  return out;
}

// The request's total deadline passed: say so, with the attempts made.
Error DeadlineError(const RequestState& st, std::chrono::milliseconds deadline) {
  std::string msg = "request deadline of " + std::to_string(deadline.count()) + " ms (request_deadline) passed after " +
                    std::to_string(st.attempts) + (st.attempts == 1 ? " attempt" : " attempts");
  if (!st.tried.empty()) msg += ":" + AttemptList(st);
  Error e = MakeError(ErrorKind::kTimeout, msg, {}, true);
  e.possibly_applied = st.maybe_applied;
  return e;
}
bool IsKeyspaceChange(const ResultSet& rs) { return rs.info().find(" KEYSPACE ") != std::string::npos; }

// Roughly the encoded size of the request's body, so that encoding grows
// the buffer once rather than by doubling: [short bytes] id or [long string]
// query, the values (a guess per Value), <query_parameters> or the batch's
// flags, an optional paging state.
size_t BodySizeHint(const RequestState& st) {
  constexpr size_t kFixed = 32, kPerValue = 16;
  const size_t paging = st.options.paging_state ? st.options.paging_state->size() : 0;
  switch (st.type) {
    case RequestState::Type::kPrepare:
      return st.query.size() + kFixed;
    case RequestState::Type::kQuery:
      return st.query.size() + kPerValue * st.values.size() + paging + kFixed;
    case RequestState::Type::kExecute:
      return (st.prepared ? st.prepared->id.size() : 0) +
             (st.encoded ? st.encoded->bytes.size() : kPerValue * st.values.size()) + paging + kFixed;
    case RequestState::Type::kBatch: {
      size_t n = kFixed;
      for (const auto& e : st.batch.entries)
        n += 5 + (e.prepared ? e.prepared->id.size() : e.query.size() + 2) +
             (e.encoded ? e.encoded_end - e.encoded_begin : kPerValue * e.values.size());
      return n;
    }
  }
  return kFixed;
}

}  // namespace

int64_t Session::Impl::NextTimestamp() {
  int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  int64_t last = last_timestamp.load();
  for (;;) {
    int64_t next = now > last ? now : last + 1;  // strictly increasing within this session
    if (last_timestamp.compare_exchange_weak(last, next)) return next;
  }
}

void Session::Impl::Submit(std::shared_ptr<RequestState> st) {
  ++counters.requests;
  if (shutting_down) return Finish(st, MakeError(ErrorKind::kShutdown, "session closed"));
  st->timeout = st->options.timeout.value_or(options.request_timeout);
  const auto now = std::chrono::steady_clock::now();  // one clock read for the deadline, the plan, the latency
  st->submitted = now;
  if (options.request_deadline.count() > 0) st->deadline = now + options.request_deadline;
  std::optional<Error> err;
  RequestRouting routing;  // views st's prepared statement: used before st can change
  routing.now = now;
  st->body.reserve(BodySizeHint(*st));
  switch (st->type) {
    case RequestState::Type::kPrepare:
      st->opcode = Opcode::kPrepare;
      st->idempotent = true;
      EncodePrepare(st->body, st->query);
      break;
    case RequestState::Type::kQuery:
      st->opcode = Opcode::kQuery;
      st->timestamp_us = st->options.timestamp_us ? st->options.timestamp_us : std::optional<int64_t>(NextTimestamp());
      err = EncodeQuery(st->body, st->query, st->values, st->options, st->timestamp_us);
      break;
    case RequestState::Type::kExecute:
      st->opcode = Opcode::kExecute;
      st->timestamp_us = st->options.timestamp_us ? st->options.timestamp_us : std::optional<int64_t>(NextTimestamp());
      if (!st->prepared) {
        err = MakeError(ErrorKind::kInvalidArgument, "execute of a null prepared statement");
        break;
      }
      err = st->encoded ? EncodeExecute(st->body, *st->prepared, *st->encoded, st->options, st->timestamp_us)
                        : EncodeExecute(st->body, *st->prepared, st->values, st->options, st->timestamp_us);
      routing.keyspace = st->prepared->keyspace;
      if (!err)
        routing.token = st->encoded ? RoutingToken(*st->prepared, st->encoded->bytes)
                                    : RoutingToken(*st->prepared, st->values);
      break;
    case RequestState::Type::kBatch:
      st->opcode = Opcode::kBatch;
      st->timestamp_us = st->options.timestamp_us ? st->options.timestamp_us : std::optional<int64_t>(NextTimestamp());
      err = EncodeBatch(st->body, st->batch, st->options, st->timestamp_us);
      for (const auto& e : st->batch.entries) {
        if (!e.prepared) continue;
        routing.keyspace = e.prepared->keyspace;
        routing.token =
            e.encoded ? RoutingToken(*e.prepared, st->batch.EncodedOf(e)) : RoutingToken(*e.prepared, e.values);
        break;
      }
      break;
  }
  if (err) {
    Error e = *err;
    return asio::post(io, [this, st, e] { Finish(st, e); });
  }
  // A large body (a batch) is shared with the connections that write it: no copy per attempt.
  if (st->body.size() >= Connection::kShareAbove)
    st->shared_body = std::make_shared<const std::string>(std::move(st->body));
  if (st->type != RequestState::Type::kPrepare) st->idempotent = st->options.idempotent;
  routing.local_only = IsDcLocal(st->options.consistency) ||
                       (st->options.serial_consistency && IsDcLocal(*st->options.serial_consistency));
  st->cluster = state.Load();
  st->plan = policy->QueryPlan(*st->cluster, routing);
  Attempt(std::move(st));
}

void Session::Impl::Attempt(std::shared_ptr<RequestState> st) {
  const auto now = std::chrono::steady_clock::now();  // one clock read for the deadline and the slot
  if (shutting_down) return FinishSoon(st, MakeError(ErrorKind::kShutdown, "session closed"));
  while (st->next < st->plan.size()) {
    if (DeadlinePassed(*st, now)) return FinishSoon(st, DeadlineError(*st, options.request_deadline));
    Host* h = st->plan[st->next];
    auto c = h->PickConnection();
    if (!c) {
      st->tried.push_back(h->address + ": no open connection");
      ++st->next;
      if (HostPtr owned = st->cluster->FindHost(h->ip)) pools.Fill(owned);
      continue;
    }
    // Four words, held in place by the connection (InlineFunction).
    bool sent = SendBody(st, *c, now, [this, st, h, c](Result<Response>&& r) mutable {
      OnResponse(std::move(st), h, std::move(c), std::move(r));
    });
    if (sent) {
      ++h->requests_sent;
      ++st->attempts;
      return;
    }
    st->tried.push_back(h->address + ": connection closed or all stream ids busy");
    ++st->next;
  }
  std::string msg = "no host could serve the request; tried:";
  if (st->tried.empty()) msg += " (no hosts known)";
  for (const auto& t : st->tried) msg += "\n  " + t;
  Error e = MakeError(ErrorKind::kNoHostAvailable, msg, {}, true);
  e.possibly_applied = st->maybe_applied;
  FinishSoon(st, e);
}

void Session::Impl::FinishSoon(std::shared_ptr<RequestState> st, Error e) {
  // Callbacks run on the io thread, never inside the caller's submit.
  if (OnIoThread()) {
    Finish(st, e);
  } else {
    asio::post(io, [this, st, e] { Finish(st, e); });
  }
}

void Session::Impl::OnResponse(std::shared_ptr<RequestState> st, Host* h, std::shared_ptr<Connection> c,
                               Result<Response>&& r) {
  Error err;
  if (!r.ok()) {
    err = r.error();
    if (err.kind == ErrorKind::kTimeout) {
      ++h->timeouts;
      ++counters.timeouts;
      // Two timeouts in a row: try this host last for a while (a stalled node).
      if (++h->consecutive_timeouts >= 2)
        h->suspect_until = (std::chrono::steady_clock::now() + std::chrono::seconds(2)).time_since_epoch().count();
      err.message += " (" + std::to_string(AttemptTimeout(*st).count()) + " ms)";
    }
  } else {
    Response& resp = r.value();
    h->consecutive_timeouts = 0;
    if (resp.header.opcode == Opcode::kResult && st->type != RequestState::Type::kPrepare &&
        IsVoidResult(resp.view())) {
      Result<ResultSet> out = ResultSet();  // kVoid
      ResultSetBuilder::SetHost(out.value(), h->shared_address);
      if (!resp.warnings.empty()) ResultSetBuilder::SetWarnings(out.value(), std::move(resp.warnings));
      return Finish(std::move(st), std::move(out));
    }
    if (resp.header.opcode == Opcode::kResult) {
      ResultMessage msg;
      if (!DecodeResult(resp.SharedBody(), resp.offset, msg)) {
        err = MakeError(ErrorKind::kProtocol, "malformed RESULT", h->address);
      } else if (st->type == RequestState::Type::kPrepare) {
        if (msg.kind != 4) return Finish(st, MakeError(ErrorKind::kProtocol, "PREPARE answered without a prepared result", h->address));
        auto p = std::make_shared<PreparedStatement>(std::move(msg.prepared));
        p->query = st->query;
        prepared_cache.Put(st->query, p);
        ++counters.completed;
        auto cb = std::move(st->prepare_cb);
        if (cb) RunCallback([&] { cb(Prepared(std::move(p))); });
        return;
      } else {
        ResultSet& rs = msg.rows;
        ResultSetBuilder::SetHost(rs, h->shared_address);
        if (!resp.warnings.empty()) ResultSetBuilder::SetWarnings(rs, std::move(resp.warnings));
        if (IsDdl(rs)) prepared_cache.Clear();
        if (IsDdl(rs) && options.wait_for_schema_agreement) {
          admin.Post(
              [this, st, rs] {
                std::string why;
                bool agreed = control.WaitForSchemaAgreement(options.schema_agreement_timeout, &why);
                if (agreed && IsKeyspaceChange(rs)) control.Refresh();
                Result<ResultSet> outcome = rs;
                if (shutting_down) {
                  outcome = MakeError(ErrorKind::kShutdown, "session closed");
                } else if (!agreed) {
                  // Applied, but not everywhere yet: the caller must not use
                  // the new schema as if it were ready.
                  outcome = MakeError(ErrorKind::kSchemaAgreement,
                                "schema agreement not reached within " +
                                    std::to_string(options.schema_agreement_timeout.count()) +
                                    " ms (schema_agreement_timeout) after " + rs.info() + ", applied by " +
                                    rs.host() + ": " + why,
                                rs.host(), true);
                }
                asio::post(io, [this, st, outcome] { Finish(st, Result<ResultSet>(outcome)); });
              },
              [this, st] {  // the session closed before the wait started
                asio::post(io, [this, st] { Finish(st, MakeError(ErrorKind::kShutdown, "session closed")); });
              });
          return;
        }
        return Finish(std::move(st), std::move(rs));
      }
    } else if (resp.header.opcode == Opcode::kError) {
      ErrorMessage m;
      if (!DecodeError(resp.view(), m)) {
        err = MakeError(ErrorKind::kProtocol, "malformed ERROR", h->address);
      } else if (m.code == static_cast<int32_t>(ServerCode::kUnprepared) && st->reprepares < 3) {
        ++st->reprepares;
        ++counters.reprepares;
        return Reprepare(st, h, c, m.unprepared_id);
      } else {
        err = ToError(m, h->address);
      }
    } else {
      err = MakeError(ErrorKind::kProtocol, "unexpected opcode " + std::to_string(int(resp.header.opcode)), h->address);
    }
  }
  ++h->errors;
  if (err.host.empty()) err.host = h->address;
  st->tried.push_back(h->address + ": " + err.to_string());
  if (OutcomeUnknown(err)) st->maybe_applied = true;
  bool retry = ShouldRetry(err, st->idempotent);
  if ((retry || err.kind == ErrorKind::kTimeout) && DeadlinePassed(*st))
    return Finish(st, DeadlineError(*st, options.request_deadline));
  if (retry && st->retries < options.max_retries && st->next + 1 < st->plan.size()) {
    ++st->retries;
    ++counters.retries;
    ++st->next;
    return Attempt(st);
  }
  if (st->tried.size() > 1) {
    err.message += " (after " + std::to_string(st->tried.size()) + " attempts:" + AttemptList(*st) + ")";
  }
  err.possibly_applied = st->maybe_applied;
  if (!st->idempotent && OutcomeUnknown(err))
    err.message += " (not retried: the request is not idempotent and may have been applied)";
  Finish(st, err);
}

std::optional<Error> Session::Impl::UseNewStatementId(RequestState& st, const std::string& old_id,
                                                      const PreparedStatement& fresh) {
  Prepared replacement;
  auto renew = [&](const Prepared& p) {
    if (!replacement) {
      auto copy = std::make_shared<PreparedStatement>(*p);
      copy->id = fresh.id;
      copy->bind_columns = fresh.bind_columns;
      replacement = copy;
      prepared_cache.Put(copy->query, replacement);  // Prepare() of the query gets the id the nodes know
    }
    return replacement;
  };
  // A new buffer: the old body may still be being written (SendBody).
  auto body = std::make_shared<std::string>();
  std::optional<Error> err;
  if (st.type == RequestState::Type::kExecute) {
    if (st.prepared && st.prepared->id == old_id) st.prepared = renew(st.prepared);
    err = st.encoded ? EncodeExecute(*body, *st.prepared, *st.encoded, st.options, st.timestamp_us)
                     : EncodeExecute(*body, *st.prepared, st.values, st.options, st.timestamp_us);
  } else {
    for (auto& e : st.batch.entries)
      if (e.prepared && e.prepared->id == old_id) e.prepared = renew(e.prepared);
    err = EncodeBatch(*body, st.batch, st.options, st.timestamp_us);
  }
  st.shared_body = std::move(body);
  return err;
}

bool Session::Impl::SendBody(const std::shared_ptr<RequestState>& st, Connection& c,
                             std::chrono::steady_clock::time_point now, Connection::ResponseHandler&& handler) {
  const auto timeout = AttemptTimeout(*st, now);
  if (st->shared_body) return c.SendShared(st->opcode, st->shared_body, timeout, std::move(handler), now);
  return c.Send(st->opcode, st->body, timeout, std::move(handler), now);
}

void Session::Impl::Reprepare(std::shared_ptr<RequestState> st, Host* h, std::shared_ptr<Connection> c,
                              const std::string& id) {
  std::string query;
  if (st->prepared && st->prepared->id == id) query = st->prepared->query;
  for (const auto& e : st->batch.entries)
    if (e.prepared && e.prepared->id == id) query = e.prepared->query;
  if (query.empty()) {
    return Finish(st, MakeError(ErrorKind::kServer, "server does not know prepared statement and no query to re-prepare it",
                                h->address));
  }
  std::string body;
  EncodePrepare(body, query);
  auto on_prepared = [this, st, h, c, id](Result<Response> r) {
    if (!r.ok()) return OnResponse(st, h, c, std::move(r));
    ResultMessage msg;
    // A copy of the body: on failure r is reported as it came.
    if (r.value().header.opcode != Opcode::kResult ||
        !DecodeResult(std::make_shared<const std::string>(r.value().body), r.value().offset, msg) ||
        msg.kind != 4) {
      return OnResponse(st, h, c, std::move(r));  // reported as the attempt's error
    }
    if (msg.prepared.id != id) {
      // The server now knows the statement under another id: every use of
      // the old id (the statement, or each batch entry) is re-encoded.
      if (auto err = UseNewStatementId(*st, id, msg.prepared)) return Finish(st, *err);
    }
    if (DeadlinePassed(*st)) return Finish(st, DeadlineError(*st, options.request_deadline));
    bool sent = SendBody(st, *c, std::chrono::steady_clock::now(), [this, st, h, c](Result<Response> r2) {
      OnResponse(st, h, c, std::move(r2));
    });
    if (sent) {
      ++h->requests_sent;
      ++st->attempts;
    } else {
      ++st->next;
      Attempt(st);
    }
  };
  if (!c->Send(Opcode::kPrepare, body, AttemptTimeout(*st), on_prepared)) {
    ++st->next;
    Attempt(st);
  } else {
    ++h->requests_sent;
  }
}

void Session::Impl::Finish(std::shared_ptr<RequestState> st, Result<ResultSet>&& r) {
  if (r.ok()) {
    ++counters.completed;
    if (st->type != RequestState::Type::kPrepare) latency.Record(std::chrono::steady_clock::now() - st->submitted);
  } else {
    ++counters.failed;
  }
  if (st->type == RequestState::Type::kPrepare) {
    auto cb = std::move(st->prepare_cb);
    if (!cb) return;
    RunCallback([&] {
      if (r.ok()) {
        cb(MakeError(ErrorKind::kProtocol, "PREPARE answered without a prepared result"));
      } else {
        cb(r.error());
      }
    });
    return;
  }
  auto cb = std::move(st->cb);
  if (cb) RunCallback([&] { cb(std::move(r)); });
}

void Session::Impl::CallbackThrew(const char* what) noexcept {
  ++counters.callback_exceptions;
  if (what) {
    logger().error("an async callback threw (caught; the session goes on): {}", what);
  } else {
    logger().error("an async callback threw a non-standard exception (caught; the session goes on)");
  }
}

}  // namespace cql
