#include "tests/feeds_common/mock_venue.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <deque>

namespace mdhub::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

namespace {

constexpr auto kTuple = net::as_tuple(net::use_awaitable);

int64_t mono() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

template <class S>
class Peer final : public MockPeer, public std::enable_shared_from_this<Peer<S>> {
 public:
  explicit Peer(S&& s) : ws(std::move(s)), signal(ws.get_executor()) {}

  void send(std::string text) override {
    if (!open) return;
    out.push_back(std::move(text));
    signal.cancel();
  }
  void close() override {
    closing = true;
    signal.cancel();
  }
  void drop() override {
    open = false;
    beast::error_code ec;
    beast::get_lowest_layer(ws).socket().close(ec);
    signal.cancel();
  }

  net::awaitable<void> writer() {
    auto self = this->shared_from_this();
    for (;;) {
      while (!out.empty() && open) {
        std::string msg = std::move(out.front());
        out.pop_front();
        auto [ec, n] = co_await ws.async_write(net::buffer(msg), kTuple);
        if (ec) {
          open = false;
          co_return;
        }
      }
      if (!open) co_return;
      if (closing) {
        co_await ws.async_close(websocket::close_code::normal, kTuple);
        open = false;
        co_return;
      }
      signal.expires_at(net::steady_timer::time_point::max());
      co_await signal.async_wait(kTuple);
    }
  }

  websocket::stream<S> ws;
  net::steady_timer signal;
  std::deque<std::string> out;
  bool closing = false;
};

}  // namespace

struct MockVenue::Impl {
  Impl(MockVenue& o, net::io_context& i, std::shared_ptr<net::ssl::context> t)
      : owner(o), io(i), tls(std::move(t)), acceptor(i) {}

  net::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, sock] = co_await acceptor.async_accept(kTuple);
      if (ec) co_return;
      const int conn = ++owner.connections;
      if (tls)
        net::co_spawn(io, serve_tls(std::move(sock), conn), net::detached);
      else
        net::co_spawn(io, serve(beast::tcp_stream(std::move(sock)), conn), net::detached);
    }
  }

  net::awaitable<void> serve_tls(tcp::socket sock, int conn) {
    beast::ssl_stream<beast::tcp_stream> s(beast::tcp_stream(std::move(sock)), *tls);
    auto [ec] = co_await s.async_handshake(net::ssl::stream_base::server, kTuple);
    if (ec) co_return;
    net::co_spawn(io, serve(std::move(s), conn), net::detached);
  }

  template <class S>
  net::awaitable<void> serve(S stream, int conn) {
    beast::flat_buffer buf;
    for (;;) {
      http::request<http::string_body> req;
      auto [ec, n] = co_await http::async_read(stream, buf, req, kTuple);
      if (ec) co_return;
      if (websocket::is_upgrade(req)) {
        net::co_spawn(io, serve_ws(std::move(stream), std::move(req), conn), net::detached);
        co_return;
      }
      MockRequest r{std::string(req.target()), conn, mono()};
      owner.requests.push_back(r);
      ++owner.current_http;
      owner.max_concurrent_http = std::max(owner.max_concurrent_http, owner.current_http);
      MockReply rep = owner.on_http ? owner.on_http(r) : MockReply{};
      if (rep.hang || rep.delay_ms > 0) {
        net::steady_timer t(io);
        t.expires_after(rep.hang ? std::chrono::milliseconds(60000) : std::chrono::milliseconds(rep.delay_ms));
        co_await t.async_wait(kTuple);
        if (rep.hang) {
          --owner.current_http;
          co_return;
        }
      }
      http::response<http::string_body> res;
      res.version(11);
      res.result(rep.status);
      res.set(http::field::server, "mock");
      res.set(http::field::content_type, "application/json");
      for (const auto& [k, v] : rep.headers) res.set(k, v);
      res.body() = rep.body;
      res.keep_alive(req.keep_alive() && !rep.close);
      res.prepare_payload();
      auto [wec, wn] = co_await http::async_write(stream, res, kTuple);
      --owner.current_http;
      if (wec || !res.keep_alive()) {
        beast::error_code ignored;
        beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_send, ignored);
        co_return;
      }
    }
  }

  template <class S>
  net::awaitable<void> serve_ws(S stream, http::request<http::string_body> req, int conn) {
    auto peer = std::make_shared<Peer<S>>(std::move(stream));
    peer->conn = conn;
    peer->target = std::string(req.target());
    auto [ec] = co_await peer->ws.async_accept(req, kTuple);
    if (ec) co_return;
    peer->ws.control_callback([p = peer.get()](websocket::frame_type k, beast::string_view) {
      if (k == websocket::frame_type::ping) ++p->pings;
    });
    owner.peers.push_back(peer);
    net::co_spawn(io, peer->writer(), net::detached);
    if (!owner.ws_read) co_return;  // the peer stays open, unread, in owner.peers
    beast::flat_buffer buf;
    for (;;) {
      auto [rec, n] = co_await peer->ws.async_read(buf, kTuple);
      if (rec) {
        peer->open = false;
        peer->signal.cancel();
        co_return;
      }
      std::string text = beast::buffers_to_string(buf.data());
      buf.consume(buf.size());
      peer->received.push_back(text);
      if (owner.on_ws_message) owner.on_ws_message(*peer, text);
    }
  }

  MockVenue& owner;
  net::io_context& io;
  std::shared_ptr<net::ssl::context> tls;
  tcp::acceptor acceptor;
};

MockVenue::MockVenue(net::io_context& io, std::shared_ptr<net::ssl::context> tls)
    : impl_(std::make_unique<Impl>(*this, io, std::move(tls))) {
  auto& a = impl_->acceptor;
  tcp::endpoint ep(net::ip::make_address("127.0.0.1"), 0);
  a.open(ep.protocol());
  a.set_option(net::socket_base::reuse_address(true));
  a.bind(ep);
  a.listen();
  port_ = a.local_endpoint().port();
  net::co_spawn(io, impl_->accept_loop(), net::detached);
}

MockVenue::~MockVenue() {
  beast::error_code ec;
  impl_->acceptor.close(ec);
  for (auto& p : peers) p->drop();
}

std::string MockVenue::http_url() const {
  return std::string(impl_->tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
}

std::string MockVenue::ws_url(const std::string& path) const {
  return std::string(impl_->tls ? "wss" : "ws") + "://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<std::shared_ptr<MockPeer>> MockVenue::peers_on(const std::string& target) const {
  std::vector<std::shared_ptr<MockPeer>> r;
  for (const auto& p : peers)
    if (p->target == target) r.push_back(p);
  return r;
}

std::shared_ptr<net::ssl::context> server_tls(const std::string& cert, const std::string& key) {
  auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_server);
  ctx->use_certificate_chain_file(cert);
  ctx->use_private_key_file(key, net::ssl::context::pem);
  return ctx;
}

}  // namespace mdhub::test
