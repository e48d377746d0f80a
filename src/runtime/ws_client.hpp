#pragma once
// One outgoing websocket connection (ws:// or wss://) on Beast: resolve, connect, TLS
// (SNI + peer and host-name verification), websocket handshake, then a read loop, a bounded
// in-order send queue, app-level text pings and an idle watchdog that also sends protocol
// pings when the peer goes quiet. A connection object lives for one connection only:
// reconnecting means creating a new one. Runs on one io_context thread; not thread-safe.
// Beast stays in the .cpp.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "src/runtime/url.hpp"

namespace boost::asio {
class io_context;
namespace ssl {
class context;
}
}  // namespace boost::asio

namespace mdhub {

struct WsOptions {
  Url url;
  std::shared_ptr<boost::asio::ssl::context> tls;  ///< required for wss://
  std::chrono::milliseconds connect_timeout{10000};  ///< resolve + TCP + TLS + upgrade
  std::chrono::milliseconds close_timeout{3000};
  /// Reconnect when nothing at all (data, ping, pong) arrived for this long; a protocol
  /// ping is sent after half of it. 0 disables both.
  std::chrono::milliseconds idle_timeout{60000};
  std::string ping_text;  ///< app-level ping sent every ping_interval; empty = none
  std::chrono::milliseconds ping_interval{20000};
  size_t max_message = size_t{16} << 20;  ///< larger incoming messages fail the connection
  /// Zeroed bytes kept readable after each message handed to on_message, so that a reader
  /// needing padding past its input (simdjson) can parse the message where it lies.
  size_t read_padding = 0;
  size_t max_queued_frames = 4096;        ///< send queue bound
  std::string user_agent = "mdhub/0.1";
};

enum class WsError : uint8_t {
  resolve,
  connect,
  tls,
  handshake,
  timeout,       ///< connect phase took longer than connect_timeout
  idle,          ///< nothing received for idle_timeout
  too_big,       ///< incoming message over max_message
  closed,        ///< the peer closed (close frame or EOF)
  io,            ///< any other read/write error
  overflow,      ///< send queue over its bound
};
std::string_view to_string(WsError e);

struct WsCallbacks {
  std::function<void()> on_open;                      ///< handshake done; send() works
  /// Each complete text/binary message, and how many readable bytes follow it in the
  /// connection's buffer (WsOptions::read_padding), both valid during the call only.
  std::function<void(std::string_view, size_t room)> on_message;
  /// The connection is over (called at most once, never after close()).
  std::function<void(WsError, const std::string&)> on_closed;
};

class WsConnection {
 public:
  /// Creates an idle connection; nothing happens before start().
  static std::shared_ptr<WsConnection> create(boost::asio::io_context& io, WsOptions opt,
                                              WsCallbacks cb);
  virtual ~WsConnection() = default;
  virtual void start() = 0;
  /// Queues a text frame. False when not open (nothing queued) or when the queue is full
  /// (the connection then fails with WsError::overflow).
  virtual bool send(std::string text) = 0;
  /// Sends a close frame (or aborts a connect in progress); no callbacks after this.
  virtual void close() = 0;
  virtual bool is_open() const = 0;
};

}  // namespace mdhub
