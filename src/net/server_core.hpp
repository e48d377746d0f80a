#pragma once
// Private to src/net: the state shared by the Server facade and its connections. Sessions
// hold a shared_ptr to it, so a Respond called after the Server is gone stays safe.
// Everything here is touched only from the server's io_context, except `opts`, `stopped`
// and the shards, which websocket sessions read from their I/O threads.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "src/net/server.hpp"
#include "src/net/ws_shard.hpp"

namespace mdhub::net::detail {

/// A connection the server can end on stop() or destruction.
class Closable {
 public:
  virtual ~Closable() = default;
  /// Graceful: websockets close with `code`, idle HTTP connections end, busy ones close
  /// after their response.
  virtual void shutdown(uint16_t code) = 0;
  /// Drops the TCP connection at once.
  virtual void kill() = 0;
  /// ~Server, after the I/O threads stopped: a connection on one of them drops its I/O
  /// objects now (they must not outlive the threads' io_contexts).
  virtual void drop_io() {}
};

template <class H>
struct Route {
  std::string path;
  std::shared_ptr<const H> handler;  // shared so a running handler survives route() calls
};

class ServerCore;

/// One unit of max_connections, held by the HTTP session and handed on to the websocket
/// session on upgrade. Releasing it (destruction) frees the slot.
class ConnectionSlot {
 public:
  ConnectionSlot() = default;
  /// `peer`: the remote address, counted against max_connections_per_ip while held.
  ConnectionSlot(std::shared_ptr<ServerCore> core, bool counted, std::string peer);
  ConnectionSlot(ConnectionSlot&& o) noexcept = default;
  ConnectionSlot& operator=(ConnectionSlot&& o) noexcept;
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
  ~ConnectionSlot();
  /// False for a connection accepted over max_connections: it only gets a 503.
  bool counted() const { return counted_; }

 private:
  void release();
  std::shared_ptr<ServerCore> core_;
  bool counted_ = false;
  std::string peer_;
};

class ServerCore : public std::enable_shared_from_this<ServerCore> {
 public:
  ServerCore(boost::asio::io_context& io_ctx, ServerOptions o);

  boost::asio::io_context& io;
  const ServerOptions opts;
  std::optional<boost::asio::ssl::context> ssl;  // set: https/wss only

  std::vector<Route<HttpHandler>> routes;
  std::vector<Route<WsHandler>> ws_routes;
  std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors;
  std::optional<boost::asio::steady_timer> accept_retry;

  size_t connections = 0;  // counted slots in use
  size_t rejecting = 0;    // uncounted connections being told 503
  size_t ws_open = 0;
  std::unordered_map<std::string, size_t> per_peer;  // open connections by remote address
  ServerStats stats;
  std::atomic<bool> stopped{false};  // stop(): accept nothing, new websockets close at once
  std::atomic<bool> dead{false};     // ~Server(): call no handler any more
  uint16_t stop_code = 1001;
  uint64_t next_id = 1;

  std::function<void()> on_ws_closed;  // stop(): owed once ws_open is 0

  /// Websocket I/O threads (opts.ws_io_threads), and the shard of the sessions that stay on
  /// `io` (TLS ones, or all without I/O threads), made when first needed.
  std::vector<std::unique_ptr<WsShard>> ws_shards;
  std::unique_ptr<WsShard> server_shard;
  size_t next_shard = 0;
  /// The I/O thread for a new plain session, or nullptr when there is none.
  WsShard* next_ws_shard() {
    return ws_shards.empty() ? nullptr : ws_shards[next_shard++ % ws_shards.size()].get();
  }
  WsShard& server_ws_shard();

  /// A session that got on_open has ended.
  void ws_closed();
  /// Posts on_ws_closed once no websocket is open (after stop()).
  void check_ws_closed();

  /// Registry for stop(); entries removed by the sessions' destructors.
  std::unordered_map<uint64_t, std::weak_ptr<Closable>> live;

  uint64_t add_live(std::weak_ptr<Closable> c);
  void remove_live(uint64_t id) { live.erase(id); }
  void log(std::string_view msg) const;

  /// Longest matching route, or nullptr.
  std::shared_ptr<const HttpHandler> find_route(std::string_view path) const;
  std::shared_ptr<const WsHandler> find_ws_route(std::string_view path) const;

  void load_tls();  // throws std::runtime_error
  void start_accept(boost::asio::ip::tcp::acceptor& acc);
  void close_all(bool graceful, uint16_t code);

 private:
  void on_accept(boost::asio::ip::tcp::acceptor& acc, boost::system::error_code ec,
                 boost::asio::ip::tcp::socket sock);
  void retry_accept(boost::asio::ip::tcp::acceptor& acc);
};

/// Starts the HTTP session of an accepted connection (plain or TLS); defined in
/// session_plain.cpp / session_tls.cpp.
void start_plain_session(std::shared_ptr<ServerCore> core, boost::asio::ip::tcp::socket sock,
                         ConnectionSlot slot);
void start_tls_session(std::shared_ptr<ServerCore> core, boost::asio::ip::tcp::socket sock,
                       ConnectionSlot slot);

/// Connections over max_connections still get a 503 reply, up to this many at a time;
/// beyond it they are closed on accept so a flood cannot grow memory.
inline constexpr size_t kMaxRejecting = 64;

/// Frames and commands a shard's ring holds (32 bytes each).
inline constexpr size_t kShardRing = size_t{1} << 17;

}  // namespace mdhub::net::detail
