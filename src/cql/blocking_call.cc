#include "cql/blocking_call.h"

#include <future>

#include "cql/frame.h"
#include "cql/result_builder.h"

namespace cql {

namespace {

Result<ResultSet> ToResultSet(Result<Response> r, const std::string& host) {
  if (!r.ok()) return r.error();
  Response& resp = r.value();
  if (resp.header.opcode == Opcode::kError) {
    ErrorMessage m;
    if (!DecodeError(resp.view(), m)) return MakeError(ErrorKind::kProtocol, "malformed ERROR", host);
    return ToError(m, host);
  }
  if (resp.header.opcode != Opcode::kResult) return MakeError(ErrorKind::kProtocol, "expected RESULT", host);
  ResultMessage msg;
  if (!DecodeResult(resp.SharedBody(), resp.offset, msg)) return MakeError(ErrorKind::kProtocol, "malformed RESULT", host);
  ResultSetBuilder::SetHost(msg.rows, host);
  return std::move(msg.rows);
}

}  // namespace

Result<std::shared_ptr<Connection>> OpenBlocking(asio::io_context& io, const asio::ip::tcp::endpoint& ep,
                                                 const ConnectionOptions& options) {
  auto p = std::make_shared<std::promise<Result<std::shared_ptr<Connection>>>>();
  auto f = p->get_future();
  Connection::Connect(io, ep, options, [p](Result<std::shared_ptr<Connection>> r) { p->set_value(std::move(r)); });
  return f.get();
}

Result<Response> SendBlocking(Connection& c, Opcode op, const std::string& body, std::chrono::milliseconds timeout) {
  auto p = std::make_shared<std::promise<Result<Response>>>();
  auto f = p->get_future();
  if (!c.Send(op, body, timeout, [p](Result<Response> r) { p->set_value(std::move(r)); }))
    return MakeError(ErrorKind::kConnection, "connection closed", c.address(), true);
  return f.get();
}

Result<ResultSet> QueryBlocking(Connection& c, const std::string& query, std::chrono::milliseconds timeout) {
  std::string body;
  StatementOptions o;
  o.page_size = 0;
  EncodeQuery(body, query, {}, o, std::nullopt);
  return ToResultSet(SendBlocking(c, Opcode::kQuery, body, timeout), c.address());
}

}  // namespace cql
