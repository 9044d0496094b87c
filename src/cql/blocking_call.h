// One request on one connection, waited for: what the control connection
// and schema agreement need (they run on the admin thread, which may block).
// Never call these on the io thread: the answer would never arrive.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <asio.hpp>

#include "cql/connection.h"
#include "cql/errors.h"
#include "cql/result.h"

namespace cql {

Result<std::shared_ptr<Connection>> OpenBlocking(asio::io_context& io, const asio::ip::tcp::endpoint& ep,
                                                 const ConnectionOptions& options);
Result<Response> SendBlocking(Connection& c, Opcode op, const std::string& body, std::chrono::milliseconds timeout);
// An unpaged QUERY without values; server errors become the Error.
Result<ResultSet> QueryBlocking(Connection& c, const std::string& query, std::chrono::milliseconds timeout);

}  // namespace cql
