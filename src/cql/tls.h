// TLS for the CQL connections (SessionOptions::tls): the OpenSSL context a
// session shares between its connections, the per-connection peer name check,
// and the wording of TLS failures. The stream itself is asio's ssl::stream
// (connection.h); this file only holds what asio leaves to the caller.
#pragma once

#include <memory>
#include <string>

#include <asio.hpp>
#include <asio/ssl.hpp>

#include "cql/errors.h"
#include "cql/session.h"

namespace cql {

// A client context from the options: TLS 1.2 or newer, peer verification on
// (the CA file, or the system's default CAs when ca_file is empty), the client
// certificate and key when given. A file that cannot be loaded is a
// kInvalidArgument error naming the option, the path and OpenSSL's reason.
Result<std::shared_ptr<asio::ssl::context>> MakeTlsContext(const TlsOptions& options);

// Makes the handshake of `stream` check that the peer's certificate names
// `ip` (an IP SAN; OpenSSL's X509_VERIFY_PARAM_set1_ip_asc).
void RequirePeerAddress(asio::ssl::stream<asio::ip::tcp::socket&>& stream, const std::string& ip);

// A TLS failure in words: OpenSSL's reason, the certificate verification
// result when verification failed ("certificate verify failed (unable to get
// local issuer certificate)"), and a hint when the server does not speak TLS
// or closed the connection during the handshake.
std::string DescribeTlsError(const asio::error_code& ec, asio::ssl::stream<asio::ip::tcp::socket&>& stream);

// True for errors of the TLS layer (OpenSSL or asio's ssl stream errors).
bool IsTlsError(const asio::error_code& ec);

}  // namespace cql
