#pragma once
// What `run` and `replay` share: the serving stack over one Engine (HTTP API, websocket API,
// metrics, dashboard) and the shutdown-signal handling. Runs on the network thread; not
// thread-safe.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "src/app/config.hpp"
#include "src/app/http_api.hpp"
#include "src/app/ws_api.hpp"
#include "src/engine/engine.hpp"
#include "src/metrics/metrics.hpp"
#include "src/net/server.hpp"

namespace mdhub {

/// The HTTP API, websocket API, metrics and dashboard over one Engine. Registers its
/// observers with `engine`; `engine`, `feeds` and `extra_metrics` must outlive it.
class ServeStack {
 public:
  ServeStack(boost::asio::io_context& io, Engine& engine, const Config& cfg,
             std::function<std::vector<FeedView>()> feeds, std::function<void(std::string&)> extra_metrics);
  /// Listens on `addr` (HOST:PORT); the bound port, or 0 after logging why not.
  uint16_t listen(const std::string& addr);
  /// Stops accepting and closes client websockets with 1001 (going away).
  void stop() { server.stop(1001); }

  net::Server server;
  WsApi ws_api;
  Metrics metrics;
};

/// SIGINT/SIGTERM: calls `on_stop` once and ends `io` after a short grace period; a second
/// signal exits the process at once. `signals` must outlive `io.run()`.
void handle_shutdown_signals(boost::asio::io_context& io, boost::asio::signal_set& signals,
                             std::function<void()> on_stop);

}  // namespace mdhub
