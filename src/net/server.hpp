#pragma once
// HTTP/1.1 + websocket server on Boost.Beast, shared by mdhub's publisher and the venue
// simulator. One port serves plain HTTP routes and websocket upgrades (or, with a
// certificate, https/wss only). Everything runs on the io_context passed in
// (single-threaded use: handlers are called on that context and Server/WsSession methods
// must be called from it; only a Respond callback may also be called from another thread).
// No handler is ever called from inside a Server/WsSession method: completions always
// arrive later, from the io_context. Beast stays out of this header.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/net/host_port.hpp"  // split_host_port, used with the server

namespace boost::asio {
class io_context;
}

namespace mdhub {
class PipelineLatency;  // feeds/common/pipeline_latency.hpp
}

namespace mdhub::net {

struct HttpRequest {
  std::string method;  ///< "GET", "POST", ...; a HEAD request arrives as "GET" (body dropped)
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

/// Completes a request, exactly once (further calls are ignored). May be called later
/// (asynchronously, from a timer) and is safe after the connection or the Server is gone:
/// the response is then dropped. It may also be called from another thread (the response
/// is posted to the io_context). The connection reads no further request until it is
/// called; dropping every copy without calling it (on the io_context's thread) closes the
/// connection.
using Respond = std::function<void(HttpResponse)>;
using HttpHandler = std::function<void(const HttpRequest&, Respond)>;

using SharedText = std::shared_ptr<const std::string>;

/// One accepted websocket. Sends are queued (bounded) and written in order, each as one
/// text frame. Owned jointly by the server and whoever keeps the shared_ptr; after on_close
/// every method is a harmless no-op (send returns false) and the object holds no socket.
class WsSession {
 public:
  virtual ~WsSession() = default;
  virtual uint64_t id() const = 0;
  virtual const std::string& path() const = 0;  ///< request path of the upgrade
  virtual const std::string& target() const = 0;
  /// Queues a text frame; the buffer is shared, never copied. Returns false (and queues
  /// nothing) when the frame would take the queue over ws_queue_bytes / ws_queue_frames
  /// (an empty queue always takes one frame, so a frame larger than ws_queue_bytes can
  /// still be sent), when it is larger than max_ws_frame_out, or once the session is
  /// closing. The caller decides whether to conflate, drop or close. After a refusal for
  /// a full queue, on_writable fires once when the queue is down to half of both limits.
  virtual bool send(SharedText msg) = 0;
  /// Frames / bytes queued and not yet written.
  virtual size_t queued_frames() const = 0;
  virtual size_t queued_bytes() const = 0;
  /// Monotonic time (feeds/common/clock.hpp mono_ns) since which the queue has held
  /// unwritten frames, about (it errs towards older); 0 when the queue is empty. How far
  /// behind the client is, in time rather than bytes.
  virtual int64_t backlog_since_ns() const { return 0; }
  /// Closes with a websocket close frame after the queued frames; sessions that do not
  /// finish the close handshake within a few seconds are aborted. Idempotent.
  virtual void close(uint16_t code, std::string reason) = 0;
  /// Drops the TCP connection at once, without a close frame.
  virtual void abort() = 0;
  /// Opaque per-session state owned by the handler.
  std::shared_ptr<void> user;
};

/// Callbacks of one websocket path; every member may be empty.
struct WsHandler {
  std::function<void(const std::shared_ptr<WsSession>&)> on_open;
  /// One complete message; binary messages are delivered too. The view is valid only
  /// during the call. Not called once the session is closing.
  std::function<void(const std::shared_ptr<WsSession>&, std::string_view text)> on_message;
  /// Called when the session's queue drained below half of its limit after a refused send.
  std::function<void(const std::shared_ptr<WsSession>&)> on_writable;
  /// A protocol error the peer should hear about, before the server closes the session.
  /// Codes: "frame_too_large" (a message over max_ws_frame_in; the server then closes with
  /// 1009 after whatever the handler sends from this callback).
  std::function<void(const std::shared_ptr<WsSession>&, std::string_view code)> on_error;
  /// Called exactly once for every session that got on_open, when it has ended.
  std::function<void(const std::shared_ptr<WsSession>&)> on_close;
};

struct ServerOptions {
  size_t max_request_body = 1 << 20;
  size_t max_ws_frame_in = 64 << 10;     ///< larger client frames: error + close 1009
  size_t max_ws_frame_out = 32 << 20;
  size_t ws_queue_bytes = 8 << 20;       ///< per-session send-queue limit
  size_t ws_queue_frames = 4096;
  size_t max_connections = 1024;         ///< HTTP + websocket; over it: 503 / refuse
  /// Threads that do the websocket sessions' I/O (handshake, reads, writes), each owning a
  /// share of the plain-TCP sessions; sends only hand the frame over, so the caller's
  /// thread never writes to a client socket. 0: on the io_context, as HTTP (TLS sessions
  /// always are). Handlers are still called on the io_context either way.
  size_t ws_io_threads = 0;
  /// SO_SNDBUF of accepted connections in bytes; 0: the kernel's (autotuned, megabytes on a
  /// fast link). A small buffer keeps a slow client's backlog in its session queue, where it
  /// is measured and books conflate, instead of in the kernel, where it only adds latency.
  int socket_send_buffer = 0;
  int idle_timeout_s = 60;               ///< HTTP keep-alive idle timeout
  /// A request's header must be complete this long after its first byte arrived, else the
  /// connection is closed (a peer trickling headers cannot hold a connection for long).
  int header_timeout_ms = 10000;
  /// Connections open at once from one peer address (0: no cap); excess ones are closed
  /// on accept, without a reply.
  size_t max_connections_per_ip = 0;
  /// Non-empty: requests (and websocket upgrades) on `auth_paths`, matched as routes, must
  /// carry it as `Authorization: Bearer <token>` or as the query parameter `token` (which
  /// is then removed from HttpRequest::query); others get 401 `unauthorized`.
  std::string auth_token;
  std::vector<std::string> auth_paths;
  /// Websocket upgrades whose `Origin` names another host:port than their `Host` header
  /// (a page of another site) get 403 `forbidden_origin` unless the Origin is listed in
  /// `allowed_origins`. Upgrades without an Origin (non-browser clients) pass.
  bool check_origin = false;
  std::vector<std::string> allowed_origins;
  std::string tls_cert_file, tls_key_file;  ///< both set (PEM): serve https/wss only
  /// Optional sink for the server's own rare diagnostics (accept failures).
  std::function<void(std::string_view)> on_log;
  /// Optional: told when a websocket frame has been completely written to a client (the
  /// applied_to_written latency stage); must outlive the server.
  PipelineLatency* latency = nullptr;
};

/// Connections and requests refused by the access rules of ServerOptions, since start.
struct ServerStats {
  uint64_t unauthorized = 0;      ///< 401: no or a wrong token
  uint64_t forbidden_origin = 0;  ///< 403: cross-origin websocket upgrade
  uint64_t per_ip_limit = 0;      ///< closed on accept: max_connections_per_ip reached
  uint64_t header_timeout = 0;    ///< closed: request header not complete in time
};

class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions opts = {});
  /// Stops accepting and drops every connection at once; no handler is called afterwards.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Routes requests whose path equals `path`, or starts with it when it ends in '/'.
  /// The longest matching route wins; unmatched paths get a JSON 404.
  void route(std::string path, HttpHandler handler);
  /// Accepts websocket upgrades on paths matched as for route().
  void websocket(std::string path, WsHandler handler);

  /// Binds and starts accepting; returns the bound port (useful with port 0). May be
  /// called more than once (several addresses). Throws std::runtime_error with a clear
  /// message if the address cannot be bound or the TLS certificate/key cannot be loaded.
  uint16_t listen(const std::string& host, uint16_t port);
  /// Stops accepting, closes every websocket with `code` (1001 going away) and ends idle
  /// HTTP connections; in-flight requests get their response with `Connection: close`.
  /// Once those finish, the server holds no work on the io_context. `on_ws_closed`, if set,
  /// is called once (later, from the io_context) when no websocket session is open any
  /// more: every peer answered the close, or was cut off after a short deadline (1 s).
  void stop(uint16_t code = 1001, std::function<void()> on_ws_closed = {});

  /// Open websocket sessions (on_open called, on_close not yet).
  size_t ws_sessions() const;
  /// Open connections counted against max_connections (HTTP and websocket).
  size_t connections() const;
  /// Refusals by the access rules; read on the io_context's thread.
  const ServerStats& stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace mdhub::net
