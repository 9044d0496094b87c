#include "cql/tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

namespace cql {

namespace {

// OpenSSL's reason for a failure asio reported as ec (asio keeps OpenSSL's
// error code in it), else for the last error on this thread's queue.
std::string OpenSslReason(const asio::error_code& ec) {
  unsigned long code = 0;  // NOLINT(google-runtime-int): OpenSSL's type
  if (ec && ec.category() == asio::error::get_ssl_category()) code = static_cast<unsigned long>(ec.value());  // NOLINT
  if (code == 0) code = ERR_peek_last_error();
  ERR_clear_error();
  const char* reason = code ? ERR_reason_error_string(code) : nullptr;
  if (reason) return reason;
  if (ec) return ec.message();
  return "unknown OpenSSL error";
}

bool IsKeyMismatch(const asio::error_code& ec) {
  return ec.category() == asio::error::get_ssl_category() &&
         ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH;  // NOLINT
}

// Checked before OpenSSL sees the path, so a missing or unreadable file gets
// the system's words ("No such file or directory") rather than "system lib".
std::optional<Error> CheckReadable(const char* option, const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    return MakeError(ErrorKind::kInvalidArgument,
                     std::string("TLS: cannot read ") + option + " " + path + ": " + std::strerror(errno));
  }
  std::fclose(f);
  return std::nullopt;
}

Error LoadError(const char* option, const std::string& path, const asio::error_code& ec) {
  return MakeError(ErrorKind::kInvalidArgument,
                   std::string("TLS: cannot load ") + option + " " + path + ": " + OpenSslReason(ec));
}

}  // namespace

Result<std::shared_ptr<asio::ssl::context>> MakeTlsContext(const TlsOptions& options) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  // An encrypted key would make OpenSSL prompt on the terminal: refuse it instead.
  ctx->set_password_callback([](std::size_t, asio::ssl::context::password_purpose) { return std::string(); });
  ctx->set_verify_mode(asio::ssl::verify_peer);
  asio::error_code ec;
  if (options.ca_file.empty()) {
    ctx->set_default_verify_paths(ec);
    if (ec) return LoadError("the system's default CAs", "", ec);
  } else {
    if (auto e = CheckReadable("ca_file", options.ca_file)) return *e;
    ctx->load_verify_file(options.ca_file, ec);
    if (ec) return LoadError("ca_file", options.ca_file, ec);
  }
  if (options.cert_file.empty() != options.key_file.empty()) {
    return MakeError(ErrorKind::kInvalidArgument,
                     "TLS: cert_file and key_file go together (mutual TLS needs both); got only " +
                         std::string(options.cert_file.empty() ? "key_file" : "cert_file"));
  }
  if (!options.cert_file.empty()) {
    if (auto e = CheckReadable("cert_file", options.cert_file)) return *e;
    if (auto e = CheckReadable("key_file", options.key_file)) return *e;
    ctx->use_certificate_chain_file(options.cert_file, ec);
    if (ec) return LoadError("cert_file", options.cert_file, ec);
    ctx->use_private_key_file(options.key_file, asio::ssl::context::pem, ec);
    if (IsKeyMismatch(ec) || (!ec && SSL_CTX_check_private_key(ctx->native_handle()) != 1)) {
      ERR_clear_error();
      return MakeError(ErrorKind::kInvalidArgument,
                       "TLS: key_file " + options.key_file + " is not the key of cert_file " + options.cert_file);
    }
    if (ec) return LoadError("key_file (a PEM key without a passphrase)", options.key_file, ec);
  }
  return ctx;
}

void RequirePeerAddress(asio::ssl::stream<asio::ip::tcp::socket&>& stream, const std::string& ip) {
  X509_VERIFY_PARAM* param = SSL_get0_param(stream.native_handle());
  X509_VERIFY_PARAM_set1_ip_asc(param, ip.c_str());
}

bool IsTlsError(const asio::error_code& ec) {
  return ec.category() == asio::error::get_ssl_category() || ec.category() == asio::ssl::error::get_stream_category();
}

std::string DescribeTlsError(const asio::error_code& ec, asio::ssl::stream<asio::ip::tcp::socket&>& stream) {
  if (ec == asio::ssl::error::stream_truncated || ec == asio::error::eof || ec == asio::error::connection_reset) {
    return "the server closed the connection during the TLS handshake";
  }
  if (ec.category() != asio::error::get_ssl_category()) return ec.message();
  const int reason = ERR_GET_REASON(static_cast<unsigned long>(ec.value()));  // NOLINT(google-runtime-int)
  const char* text = ERR_reason_error_string(static_cast<unsigned long>(ec.value()));  // NOLINT(google-runtime-int)
  std::string out = text ? text : ec.message();
  if (reason == SSL_R_CERTIFICATE_VERIFY_FAILED) {
    long result = SSL_get_verify_result(stream.native_handle());  // NOLINT(google-runtime-int)
    if (result != X509_V_OK) out += std::string(" (") + X509_verify_cert_error_string(result) + ")";
  } else if (reason == SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED || reason == SSL_R_SSLV3_ALERT_BAD_CERTIFICATE ||
             reason == SSL_R_TLSV1_ALERT_UNKNOWN_CA || reason == SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN ||
             reason == SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE) {
    // The node's alert: it did not accept the client's certificate, or got none.
    if (SSL_get_certificate(stream.native_handle()) == nullptr) {
      out += " (the node requires a client certificate: set cert_file and key_file)";
    } else {
      out += " (the node refused the client certificate: is it signed by a CA the node trusts?)";
    }
  } else if (reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_PACKET_LENGTH_TOO_LONG ||
             reason == SSL_R_UNKNOWN_PROTOCOL) {
    out += " (the server did not answer with TLS: does the node have client_encryption_options enabled?)";
  }
  return out;
}

}  // namespace cql
