#include "src/runtime/tls_context.hpp"

namespace mdhub {

namespace ssl = boost::asio::ssl;

Result<TlsContextPtr, std::string> make_client_tls(const std::string& ca_file) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                   ec);
  if (ec) return Unexpected{"tls options: " + ec.message()};
  // A host without system CA certificates can still trust an explicit ca_file, so a
  // failure here is not fatal on its own.
  ctx->set_default_verify_paths(ec);
  if (!ca_file.empty()) {
    ctx->load_verify_file(ca_file, ec);
    if (ec) return Unexpected{"cannot load ca_file '" + ca_file + "': " + ec.message()};
  }
  ctx->set_verify_mode(ssl::verify_peer, ec);
  if (ec) return Unexpected{"tls verify mode: " + ec.message()};
  return ctx;
}

}  // namespace mdhub
