#pragma once
// HTTP/1.1 + websocket server on Boost.Beast, shared by mdhub's publisher and the venue
// simulator. One port serves plain HTTP routes and websocket upgrades. Everything runs on
// the io_context passed in (single-threaded use: handlers are called on that context and
// Server/WsSession methods must be called from it). Beast stays out of this header.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace mdhub::net {

struct HttpRequest {
  std::string method;  ///< "GET", "POST", ...
  std::string target;  ///< path + query as received
  std::string path;    ///< percent-decoded path without the query
  std::vector<std::pair<std::string, std::string>> query;  ///< decoded, in order
  std::string body;
  std::string remote;  ///< peer address, for logs

  /// First value of query parameter `key`, or nullptr.
  const std::string* param(std::string_view key) const;
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  ///< extra headers
  bool close = false;  ///< close the connection after sending (fault injection)
};

/// Completes a request; may be called later (asynchronously), exactly once.
using Respond = std::function<void(HttpResponse)>;
using HttpHandler = std::function<void(const HttpRequest&, Respond)>;

using SharedText = std::shared_ptr<const std::string>;

/// One accepted websocket. Sends are queued (bounded) and written in order.
class WsSession {
 public:
  virtual ~WsSession() = default;
  virtual uint64_t id() const = 0;
  virtual const std::string& path() const = 0;  ///< request path of the upgrade
  virtual const std::string& target() const = 0;
  /// Queues a text frame. Returns false (and queues nothing) when the send queue is over
  /// its limit; the caller decides whether to conflate, drop or close.
  virtual bool send(SharedText msg) = 0;
  /// Frames / bytes queued and not yet written.
  virtual size_t queued_frames() const = 0;
  virtual size_t queued_bytes() const = 0;
  /// Closes with a websocket close frame (after the queued frames).
  virtual void close(uint16_t code, std::string reason) = 0;
  /// Drops the TCP connection at once, without a close frame.
  virtual void abort() = 0;
  /// Opaque per-session state owned by the handler.
  std::shared_ptr<void> user;
};

struct WsHandler {
  std::function<void(const std::shared_ptr<WsSession>&)> on_open;
  std::function<void(const std::shared_ptr<WsSession>&, std::string_view text)> on_message;
  /// Called when the session's queue drained below half of its limit after a refused send.
  std::function<void(const std::shared_ptr<WsSession>&)> on_writable;
  std::function<void(const std::shared_ptr<WsSession>&)> on_close;
};

struct ServerOptions {
  size_t max_request_body = 1 << 20;
  size_t max_ws_frame_in = 64 << 10;     ///< larger client frames: error + close 1009
  size_t max_ws_frame_out = 32 << 20;
  size_t ws_queue_bytes = 8 << 20;       ///< per-session send-queue limit
  size_t ws_queue_frames = 4096;
  size_t max_connections = 1024;         ///< HTTP + websocket; over it: 503 / refuse
  int idle_timeout_s = 60;               ///< HTTP keep-alive idle timeout
  std::string tls_cert_file, tls_key_file;  ///< both set: serve https/wss only
};

class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions opts = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Routes requests whose path equals `path`, or starts with it when it ends in '/'.
  /// The longest matching route wins; unmatched paths get a JSON 404.
  void route(std::string path, HttpHandler handler);
  /// Accepts websocket upgrades on paths matched as for route().
  void websocket(std::string path, WsHandler handler);

  /// Binds and starts accepting; returns the bound port (useful with port 0).
  /// Throws std::runtime_error with a clear message if the address cannot be bound.
  uint16_t listen(const std::string& host, uint16_t port);
  /// Stops accepting and closes every websocket with `code` (1001 going away).
  void stop(uint16_t code = 1001);

  size_t ws_sessions() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

/// "127.0.0.1:8080" -> host, port. False on a malformed address.
bool split_host_port(std::string_view addr, std::string& host, uint16_t& port);

}  // namespace mdhub::net
