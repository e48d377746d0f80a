#include "src/app/serve.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "src/dashboard/dashboard.hpp"
#include "src/metrics/fx_metrics.hpp"

namespace mdhub {

namespace asio = boost::asio;

ServeStack::ServeStack(asio::io_context& io, Engine& engine, const Config& cfg,
                       std::function<std::vector<FeedView>()> feeds, std::function<void(std::string&)> extra_metrics,
                       std::function<std::optional<RecorderView>()> recorder)
    : server(io, [this, &cfg] {
        net::ServerOptions o;
        o.max_ws_frame_in = cfg.ws.max_frame_bytes;
        o.ws_queue_bytes = cfg.ws.queue_bytes;
        o.ws_io_threads = cfg.ws.publish_threads;
        o.socket_send_buffer = static_cast<int>(cfg.ws.socket_send_buffer);
        // The data needs the token; probes, metrics and the dashboard's assets do not.
        o.auth_token = cfg.server.auth_token;
        o.auth_paths = {"/ws", "/api/"};
        o.check_origin = true;
        o.allowed_origins = cfg.server.allowed_origins;
        o.max_connections_per_ip = cfg.server.max_connections_per_ip;
        o.header_timeout_ms = static_cast<int>(cfg.server.header_timeout_ms);
        o.latency = &latency;
        return o;
      }()),
      ws_api(io, server, engine, cfg.ws),
      metrics({&engine,
               [feeds] {
                 std::vector<std::pair<const VenueConfig*, const FeedStats*>> v;
                 for (const auto& f : feeds()) v.emplace_back(f.config, f.stats);
                 return v;
               },
               &ws_api.stats(),
               [this, extra = std::move(extra_metrics)](std::string& text) {
                 if (extra) extra(text);
                 append_fx_metrics(text, fx_stats);
               },
               &latency}),
      offload(cfg.server.render_threads, cfg.server.render_queue) {
  engine.add_observer(&metrics.apply_probe());  // before the publishers: ends parsed_to_applied
  engine.add_observer(&ws_api);
  engine.add_observer(&metrics);  // after ws_api: tick_to_publish ends once fan-out is done
  metrics.set_ws_queued_bytes([this] { return ws_api.queued_bytes(); });
  ws_api.set_latency(&latency);
  metrics.install(server, &offload);
  install_dashboard(server);
  install_http_api(server, engine, std::move(feeds), std::move(recorder), &latency, &offload);
  install_fx_http_api(server, engine, cfg.fx, fx_stats, [this] { return fx_now(); });
  ws_api.set_fx(cfg.fx, &fx_stats, [this] { return fx_now(); });
}

bool resolve_auth_token(ServerConfig& server, const std::string& listen) {
  if (!server.auth_token_env.empty()) {
    const char* v = std::getenv(server.auth_token_env.c_str());
    if (!v || !*v) {
      std::cerr << "auth_token_env names " << server.auth_token_env
                << ", which is not set or empty: export it with the token (or drop auth_token_env)\n";
      return false;
    }
    server.auth_token = v;
    return true;
  }
  if (auto msg = exposure_error(listen, server.auth_token_env); !msg.empty()) {
    std::cerr << msg << "\n";
    return false;
  }
  return true;
}

uint16_t ServeStack::listen(const std::string& addr) {
  std::string host;
  uint16_t port = 0;
  net::split_host_port(addr, host, port);
  try {
    return server.listen(host, port);
  } catch (const std::exception& e) {
    spdlog::error("cannot listen on {}: {}", addr, e.what());
    return 0;
  }
}

namespace {

struct SignalState {
  asio::io_context& io;
  asio::signal_set& signals;
  std::function<void()> on_stop;
  bool stopping = false;
};

void wait_signal(const std::shared_ptr<SignalState>& st) {
  st->signals.async_wait([st](boost::system::error_code ec, int sig) {
    if (ec) return;
    if (st->stopping) {
      spdlog::warn("second signal: exiting now");
      std::_Exit(1);
    }
    st->stopping = true;
    spdlog::info("signal {}: shutting down", sig);
    st->on_stop();
    wait_signal(st);
    // The caller ends the loop once its clients are closed; this bounds a shutdown that
    // stalls anyway, leaving time for what follows the loop (recorder fsync) within 2 s.
    auto deadline = std::make_shared<asio::steady_timer>(st->io, kShutdownGrace);
    deadline->async_wait([st, deadline](boost::system::error_code) { st->io.stop(); });
  });
}

}  // namespace

void handle_shutdown_signals(asio::io_context& io, asio::signal_set& signals, std::function<void()> on_stop) {
  wait_signal(std::make_shared<SignalState>(SignalState{io, signals, std::move(on_stop)}));
}

bool run_contained(asio::io_context& io, const std::function<void()>& on_escape) {
  bool escaped = false;
  for (;;) {
    try {
      io.run();
      return !escaped;
    } catch (const std::exception& e) {
      spdlog::critical("internal error: {}; shutting down", e.what());
    } catch (...) {
      spdlog::critical("internal error: unknown exception; shutting down");
    }
    if (escaped) return false;
    escaped = true;
    try {
      on_escape();
    } catch (...) {
      return false;
    }
  }
}

bool serve_until_stopped(asio::io_context& io, const std::function<void(uint16_t)>& shutdown) {
  asio::signal_set signals(io, SIGINT, SIGTERM);
  handle_shutdown_signals(io, signals, [&] { shutdown(1001); });
  asio::steady_timer escape_deadline(io);
  return run_contained(io, [&] {
    shutdown(1011);
    escape_deadline.expires_after(kShutdownGrace);
    escape_deadline.async_wait([&io](boost::system::error_code) { io.stop(); });
  });
}

}  // namespace mdhub
