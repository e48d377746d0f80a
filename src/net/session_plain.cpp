// The plain-TCP instantiation of the connection state machines (kept apart from the TLS
// one so the two heavy translation units build in parallel).
#include "src/net/http_session.hpp"

namespace mdhub::net::detail {

void start_plain_session(std::shared_ptr<ServerCore> core, asio::ip::tcp::socket sock,
                         ConnectionSlot slot) {
  auto s = std::make_shared<HttpSession<PlainStream>>(std::move(core), PlainStream(std::move(sock)),
                                                      std::move(slot));
  s->run();
}

}  // namespace mdhub::net::detail
