// Internal: the state of one logical request (QUERY, EXECUTE, BATCH or
// PREPARE) across its attempts on the hosts of its query plan.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cql/frame.h"
#include "cql/cluster_state.h"
#include "cql/host.h"
#include "cql/host_plan.h"
#include "cql/load_balancing.h"
#include "cql/session.h"

namespace cql {

struct RequestState {
  enum class Type { kQuery, kExecute, kBatch, kPrepare };
  Type type = Type::kQuery;
  std::string query;   // kQuery, kPrepare
  Prepared prepared;   // kExecute
  Batch batch;         // kBatch
  std::vector<Value> values;
  std::optional<EncodedValues> encoded;  // kExecute: values a RowWriter wrote, instead of `values`
  StatementOptions options;
  std::optional<int64_t> timestamp_us;  // fixed for every attempt
  Opcode opcode = Opcode::kQuery;
  std::string body;  // encoded once, re-sent as is on retries
  // Set instead of body when it is large (a batch): connections write it
  // from here, not from a copy. Also the body re-encoded after a re-prepare
  // (a new buffer: the old one may still be being written).
  std::shared_ptr<const std::string> shared_body;
  std::chrono::milliseconds timeout{0};  // per attempt
  // SessionOptions::request_deadline from submission; none when it is 0.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  std::chrono::steady_clock::time_point submitted;  // for the session's latency histogram
  bool idempotent = false;

  ClusterStatePtr cluster;  // the state the plan was made from: it owns the plan's hosts
  HostPlan plan;
  size_t next = 0;  // index in plan of the host being tried
  int retries = 0;
  int reprepares = 0;
  int attempts = 0;             // times the request was sent to a node
  bool maybe_applied = false;   // an attempt ended without saying whether it was applied
  std::vector<std::string> tried;  // "host: why", one per failed attempt

  Session::Callback cb;
  Session::PrepareCallback prepare_cb;
};

}  // namespace cql
