// Server facade, listener and registry. The per-connection state machines live in
// http_session.hpp / ws_session.hpp, instantiated for plain and TLS streams in
// session_plain.cpp / session_tls.cpp.
#include "src/net/server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <stdexcept>
#include <utility>

#include "src/net/http_util.hpp"
#include "src/net/server_core.hpp"

namespace mdhub::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

const std::string* HttpRequest::param(std::string_view key) const {
  for (const auto& [k, v] : query) {
    if (k == key) return &v;
  }
  return nullptr;
}

namespace detail {

ConnectionSlot::ConnectionSlot(std::shared_ptr<ServerCore> core, bool counted, std::string peer)
    : core_(std::move(core)), counted_(counted), peer_(std::move(peer)) {
  ++core_->per_peer[peer_];
  if (counted_) {
    ++core_->connections;
  } else {
    ++core_->rejecting;
  }
}

ConnectionSlot& ConnectionSlot::operator=(ConnectionSlot&& o) noexcept {
  if (this != &o) {
    release();
    core_ = std::move(o.core_);
    counted_ = o.counted_;
    peer_ = std::move(o.peer_);
  }
  return *this;
}

ConnectionSlot::~ConnectionSlot() { release(); }

void ConnectionSlot::release() {
  if (!core_) return;
  if (auto it = core_->per_peer.find(peer_); it != core_->per_peer.end() && --it->second == 0) {
    core_->per_peer.erase(it);
  }
  if (counted_) {
    --core_->connections;
  } else {
    --core_->rejecting;
  }
  core_.reset();
}

ServerCore::ServerCore(asio::io_context& io_ctx, ServerOptions o) : io(io_ctx), opts(std::move(o)) {
  for (size_t i = 0; i < opts.ws_io_threads; ++i) ws_shards.push_back(std::make_unique<WsShard>(nullptr, kShardRing));
}

WsShard& ServerCore::server_ws_shard() {
  if (!server_shard) server_shard = std::make_unique<WsShard>(&io, kShardRing);
  return *server_shard;
}

uint64_t ServerCore::add_live(std::weak_ptr<Closable> c) {
  const uint64_t id = next_id++;
  live.emplace(id, std::move(c));
  return id;
}

void ServerCore::ws_closed() {
  --ws_open;
  check_ws_closed();
}

void ServerCore::check_ws_closed() {
  if (ws_open != 0 || !stopped || dead || !on_ws_closed) return;
  asio::post(io, std::exchange(on_ws_closed, {}));
}

void ServerCore::log(std::string_view msg) const {
  if (opts.on_log) opts.on_log(msg);
}

namespace {
template <class H>
std::shared_ptr<const H> longest_match(const std::vector<Route<H>>& routes, std::string_view path) {
  const Route<H>* best = nullptr;
  for (const auto& r : routes) {
    if (route_matches(r.path, path) && (!best || r.path.size() > best->path.size())) best = &r;
  }
  return best ? best->handler : nullptr;
}
}  // namespace

std::shared_ptr<const HttpHandler> ServerCore::find_route(std::string_view path) const {
  return longest_match(routes, path);
}

std::shared_ptr<const WsHandler> ServerCore::find_ws_route(std::string_view path) const {
  return longest_match(ws_routes, path);
}

void ServerCore::load_tls() {
  if (ssl || (opts.tls_cert_file.empty() && opts.tls_key_file.empty())) return;
  if (opts.tls_cert_file.empty() || opts.tls_key_file.empty()) {
    throw std::runtime_error("TLS needs both a certificate and a key file");
  }
  asio::ssl::context ctx(asio::ssl::context::tls_server);
  ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                  asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                  asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  boost::system::error_code ec;
  ctx.use_certificate_chain_file(opts.tls_cert_file, ec);
  if (ec) {
    throw std::runtime_error("cannot load TLS certificate " + opts.tls_cert_file + ": " +
                             ec.message());
  }
  ctx.use_private_key_file(opts.tls_key_file, asio::ssl::context::pem, ec);
  if (ec) {
    throw std::runtime_error("cannot load TLS key " + opts.tls_key_file + ": " + ec.message());
  }
  ssl.emplace(std::move(ctx));
}

void ServerCore::start_accept(tcp::acceptor& acc) {
  if (stopped) return;
  acc.async_accept([self = shared_from_this(), &acc](boost::system::error_code ec,
                                                     tcp::socket sock) {
    self->on_accept(acc, ec, std::move(sock));
  });
}

void ServerCore::on_accept(tcp::acceptor& acc, boost::system::error_code ec, tcp::socket sock) {
  if (stopped || dead || ec == asio::error::operation_aborted) return;
  if (ec) {
    // EMFILE and friends fail at once again: back off instead of spinning.
    log("accept failed: " + ec.message());
    retry_accept(acc);
    return;
  }
  boost::system::error_code ignored;
  sock.set_option(tcp::no_delay(true), ignored);
  if (opts.socket_send_buffer > 0) sock.set_option(asio::socket_base::send_buffer_size(opts.socket_send_buffer), ignored);
  const auto peer = sock.remote_endpoint(ignored).address().to_string();
  const bool counted = connections < opts.max_connections;
  const auto open_from_peer = per_peer.find(peer);
  if (opts.max_connections_per_ip != 0 && open_from_peer != per_peer.end() &&
      open_from_peer->second >= opts.max_connections_per_ip) {
    // One address cannot take every slot; telling it so would cost a slot too.
    ++stats.per_ip_limit;
    sock.close(ignored);
  } else if (!counted && rejecting >= kMaxRejecting) {
    sock.close(ignored);
  } else {
    ConnectionSlot slot(shared_from_this(), counted, peer);
    if (ssl) {
      start_tls_session(shared_from_this(), std::move(sock), std::move(slot));
    } else {
      start_plain_session(shared_from_this(), std::move(sock), std::move(slot));
    }
  }
  start_accept(acc);
}

void ServerCore::retry_accept(tcp::acceptor& acc) {
  if (!accept_retry) accept_retry.emplace(io);
  accept_retry->expires_after(std::chrono::milliseconds(100));
  accept_retry->async_wait([self = shared_from_this(), &acc](boost::system::error_code ec) {
    if (!ec) self->start_accept(acc);
  });
}

void ServerCore::close_all(bool graceful, uint16_t code) {
  // Copy first: closing may end sessions whose destructors edit the registry.
  std::vector<std::shared_ptr<Closable>> targets;
  targets.reserve(live.size());
  for (auto& [id, weak] : live) {
    if (auto c = weak.lock()) targets.push_back(std::move(c));
  }
  for (auto& c : targets) {
    if (graceful) {
      c->shutdown(code);
    } else {
      c->kill();
    }
  }
}

}  // namespace detail

struct Server::Impl : detail::ServerCore {
  using ServerCore::ServerCore;
};

Server::Server(asio::io_context& io, ServerOptions opts)
    : impl_(std::make_shared<Impl>(io, std::move(opts))) {}

Server::~Server() {
  impl_->stopped = true;
  impl_->dead = true;
  boost::system::error_code ignored;
  for (auto& acc : impl_->acceptors) acc->close(ignored);
  if (impl_->accept_retry) impl_->accept_retry->cancel();
  // The I/O threads stop first: from here on this thread owns every session.
  for (auto& shard : impl_->ws_shards) shard->stop();
  std::vector<std::shared_ptr<detail::Closable>> live;
  for (auto& [id, weak] : impl_->live) {
    if (auto c = weak.lock()) live.push_back(std::move(c));
  }
  for (auto& c : live) c->drop_io();
  impl_->close_all(false, 0);
  live.clear();
  for (auto& shard : impl_->ws_shards) shard->destroy_io();
  // Sessions may outlive the Server (they hold the core), but I/O objects must not
  // outlive the io_context, which may go right after us.
  impl_->acceptors.clear();
  impl_->accept_retry.reset();
}

void Server::route(std::string path, HttpHandler handler) {
  impl_->routes.push_back({std::move(path), std::make_shared<const HttpHandler>(std::move(handler))});
}

void Server::websocket(std::string path, WsHandler handler) {
  impl_->ws_routes.push_back({std::move(path), std::make_shared<const WsHandler>(std::move(handler))});
}

uint16_t Server::listen(const std::string& host, uint16_t port) {
  impl_->load_tls();
  const std::string where = host + ":" + std::to_string(port);
  boost::system::error_code ec;
  std::vector<tcp::endpoint> endpoints;
  const auto addr = asio::ip::make_address(host, ec);
  if (!ec) {
    endpoints.emplace_back(addr, port);
  } else {
    tcp::resolver resolver(impl_->io);
    const auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec) throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
    for (const auto& r : results) endpoints.push_back(r.endpoint());
  }
  boost::system::error_code last = asio::error::host_not_found;
  for (const auto& ep : endpoints) {
    auto acc = std::make_unique<tcp::acceptor>(impl_->io);
    acc->open(ep.protocol(), ec);
    if (!ec) acc->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acc->bind(ep, ec);
    if (!ec) acc->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      last = ec;
      continue;
    }
    const uint16_t bound = acc->local_endpoint(ec).port();
    if (ec) {
      last = ec;
      continue;
    }
    impl_->stopped = false;
    impl_->acceptors.push_back(std::move(acc));
    impl_->start_accept(*impl_->acceptors.back());
    return bound;
  }
  throw std::runtime_error("cannot listen on " + where + ": " + last.message());
}

void Server::stop(uint16_t code, std::function<void()> on_ws_closed) {
  impl_->stopped = true;
  impl_->stop_code = code;
  impl_->on_ws_closed = std::move(on_ws_closed);
  boost::system::error_code ignored;
  for (auto& acc : impl_->acceptors) acc->close(ignored);
  if (impl_->accept_retry) impl_->accept_retry->cancel();
  impl_->close_all(true, code);
  impl_->check_ws_closed();
}

size_t Server::ws_sessions() const { return impl_->ws_open; }

size_t Server::connections() const { return impl_->connections; }

const ServerStats& Server::stats() const { return impl_->stats; }

}  // namespace mdhub::net
