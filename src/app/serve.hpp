#pragma once
// What `run` and `replay` share: the serving stack over one Engine (HTTP API, websocket API,
// metrics, dashboard) and the shutdown-signal handling. Runs on the network thread; not
// thread-safe.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "feeds/common/clock.hpp"
#include "src/app/config.hpp"
#include "src/publish/fx_http.hpp"
#include "src/publish/http_api.hpp"
#include "src/publish/ws_api.hpp"
#include "src/engine/engine.hpp"
#include "src/metrics/metrics.hpp"
#include "src/net/offload.hpp"
#include "src/net/server.hpp"

namespace mdhub {

/// Reads the token named by `server.auth_token_env` into `server.auth_token`. False, after
/// saying on stderr what to fix, when that variable is unset or empty, or when `listen` is
/// not a loopback address and no token is configured: the caller exits 2.
bool resolve_auth_token(ServerConfig& server, const std::string& listen);

/// The HTTP API, websocket API, metrics and dashboard over one Engine. Registers its
/// observers with `engine`; `engine`, `feeds` and `extra_metrics` must outlive it.
class ServeStack {
 public:
  ServeStack(boost::asio::io_context& io, Engine& engine, const Config& cfg,
             std::function<std::vector<FeedView>()> feeds, std::function<void(std::string&)> extra_metrics,
             std::function<std::optional<RecorderView>()> recorder = {});
  /// Listens on `addr` (HOST:PORT); the bound port, or 0 after logging why not.
  uint16_t listen(const std::string& addr);
  /// Stops accepting and closes client websockets with `code` (1001 going away, 1011 after an
  /// internal error); `on_closed` runs once every client websocket has closed (each peer gets
  /// 1 s to answer the close).
  void stop(std::function<void()> on_closed = {}, uint16_t code = 1001) { server.stop(code, std::move(on_closed)); }

  PipelineLatency latency;  // before the server: its I/O threads report to it until they stop
  FxStats fx_stats;         // before the server: the fx endpoints count into it
  /// The clock the fx views measure rate ages on: the wall clock, or a replay's recorded clock.
  std::function<int64_t()> fx_now = wall_us;
  net::Server server;
  WsApi ws_api;
  Metrics metrics;
  /// Renders /metrics and book snapshots off the network thread, from copies ([server]
  /// render_threads, render_queue). Last: it is joined first (its jobs answer; answers after
  /// the server is gone are dropped).
  net::Offload offload;
};

/// SIGINT/SIGTERM: calls `on_stop` once; the caller ends `io` as soon as its shutdown is done
/// (typically when ServeStack::stop's `on_closed` runs), and at the latest kShutdownGrace after
/// the signal `io` is stopped anyway. A second signal exits the process at once. `signals`
/// must outlive `io.run()`.
inline constexpr std::chrono::milliseconds kShutdownGrace{1500};

/// Runs `io` until it stops. An exception escaping a handler (feeds contain their own; this
/// is anything else) is logged and `on_escape` is called once: it starts an orderly shutdown
/// (clients closed with 1011) that the loop then runs to its end. A further exception during
/// that shutdown ends the loop at once. Returns false when anything escaped.
bool run_contained(boost::asio::io_context& io, const std::function<void()>& on_escape);
void handle_shutdown_signals(boost::asio::io_context& io, boost::asio::signal_set& signals,
                             std::function<void()> on_stop);
/// The serving loop of run, edge and replay: runs `io` until it ends. SIGINT/SIGTERM call
/// `shutdown(1001)`; an exception escaping a handler calls `shutdown(1011)` and ends the loop
/// at the latest kShutdownGrace later. `shutdown` is called at most once per cause and ends
/// `io` once its clients are closed. Returns false when anything escaped.
bool serve_until_stopped(boost::asio::io_context& io, const std::function<void(uint16_t code)>& shutdown);

}  // namespace mdhub
