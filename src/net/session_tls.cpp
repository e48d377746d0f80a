// The TLS instantiation of the connection state machines: https and wss only.
#include "src/net/http_session.hpp"

namespace mdhub::net::detail {

void start_tls_session(std::shared_ptr<ServerCore> core, asio::ip::tcp::socket sock,
                       ConnectionSlot slot) {
  auto& ctx = *core->ssl;
  auto s = std::make_shared<HttpSession<TlsStream>>(
      std::move(core), TlsStream(PlainStream(std::move(sock)), ctx), std::move(slot));
  s->run();
}

}  // namespace mdhub::net::detail
