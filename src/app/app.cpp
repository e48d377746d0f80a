#include "src/app/app.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <csignal>
#include <memory>
#include <thread>

#include "feeds/common/runner.hpp"
#include "src/app/http_api.hpp"
#include "src/app/log.hpp"
#include "src/app/ws_api.hpp"
#include "src/dashboard/dashboard.hpp"
#include "src/metrics/metrics.hpp"
#include "src/engine/engine.hpp"
#include "src/net/server.hpp"
#include "tools/sim/simulator.hpp"

namespace mdhub {
namespace {

namespace asio = boost::asio;

/// Logs feed state changes, rate-limited per venue so a flapping venue cannot flood the log.
class FeedLogger final : public EngineObserver {
 public:
  explicit FeedLogger(const std::vector<std::unique_ptr<FeedRunner>>& runners) : runners_(runners) {}
  void on_feed_state(size_t feed, FeedState state) override {
    const auto& r = *runners_[feed];
    const std::string& venue = r.config().id;
    if (state == FeedState::down) {
      limiter_.warn("feed-down:" + venue, "{}: down ({})", venue, r.stats().last_error);
    } else {
      limiter_.info("feed-state:" + venue, "{}: {}", venue, to_string(state));
    }
  }

 private:
  const std::vector<std::unique_ptr<FeedRunner>>& runners_;
  RateLimitedLog limiter_;
};

}  // namespace

int run_hub(RunOptions opts) {
  Config& cfg = opts.config;
  asio::io_context io;

  // The demo's simulator runs on a thread of its own so that its market never competes
  // with the hub's network thread for latency.
  std::unique_ptr<asio::io_context> sim_io;
  std::unique_ptr<sim::Simulator> simulator;
  std::thread sim_thread;
  if (opts.demo) {
    sim_io = std::make_unique<asio::io_context>();
    simulator = std::make_unique<sim::Simulator>(*sim_io, sim::Options{});
    const uint16_t port = simulator->listen("127.0.0.1", 0);
    auto parsed = parse_config(sim::Simulator::config_toml("127.0.0.1", port, sim::Options{}), "demo");
    if (!parsed.errors.empty()) {
      for (auto& e : parsed.errors) spdlog::error("demo config: {}", e.str());
      return 1;
    }
    cfg.venues = parsed.config.venues;
    spdlog::info("demo: simulated venues on 127.0.0.1:{}", port);
    sim_thread = std::thread([&] { sim_io->run(); });
  }

  Engine engine;
  std::vector<std::unique_ptr<FeedRunner>> runners;
  for (const auto& v : cfg.venues) {
    if (!v.enabled) continue;
    auto feed = make_feed(v);
    if (!feed) {
      spdlog::error("venue '{}' is not supported by this build", v.id);
      return 2;
    }
    engine.add_feed(v.id);
    runners.push_back(std::make_unique<FeedRunner>(io, runners.size(), v, std::move(feed), engine));
  }
  FeedLogger feed_logger(runners);
  engine.add_observer(&feed_logger);

  net::ServerOptions sopts;
  sopts.max_ws_frame_in = cfg.ws.max_frame_bytes;
  sopts.ws_queue_bytes = cfg.ws.queue_bytes;
  net::Server server(io, sopts);
  WsApi ws_api(io, server, engine, cfg.ws);
  engine.add_observer(&ws_api);
  Metrics metrics({&engine,
                   [&runners] {
                     std::vector<std::pair<const VenueConfig*, const FeedStats*>> v;
                     for (auto& r : runners) v.emplace_back(&r->config(), &r->stats());
                     return v;
                   },
                   &ws_api.stats(),
                   {}});
  engine.add_observer(&metrics);  // after ws_api: tick_to_publish ends once fan-out is done
  metrics.install(server);
  install_dashboard(server);
  install_http_api(server, engine, [&runners] {
    std::vector<FeedView> v;
    for (auto& r : runners) v.push_back({&r->config(), &r->stats()});
    return v;
  });

  std::string host;
  uint16_t port = 0;
  net::split_host_port(cfg.listen, host, port);
  try {
    port = server.listen(host, port);
  } catch (const std::exception& e) {
    spdlog::error("cannot listen on {}: {}", cfg.listen, e.what());
    if (sim_io) {
      sim_io->stop();
      sim_thread.join();
    }
    return 1;
  }
  spdlog::info("mdhub serving on http://{}:{}/ ({} feeds)", host, port, runners.size());
  for (auto& r : runners) r->start();

  // Trade-built candles close on time even when no trade arrives.
  asio::steady_timer candle_timer(io);
  std::function<void()> tick = [&] {
    candle_timer.expires_after(std::chrono::seconds(1));
    candle_timer.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      engine.close_candles(now().wall_ns / 1000);
      tick();
    });
  };
  tick();

  asio::signal_set signals(io, SIGINT, SIGTERM);
  bool stopping = false;
  std::function<void()> wait_signal = [&] {
    signals.async_wait([&](boost::system::error_code ec, int sig) {
      if (ec) return;
      if (stopping) {
        spdlog::warn("second signal: exiting now");
        std::_Exit(1);
      }
      stopping = true;
      spdlog::info("signal {}: shutting down", sig);
      server.stop(1001);
      for (auto& r : runners) r->stop();
      candle_timer.cancel();
      wait_signal();
      // Whatever is still in flight gets a short grace period, then the loop ends.
      auto deadline = std::make_shared<asio::steady_timer>(io, std::chrono::milliseconds(1500));
      deadline->async_wait([&io, deadline](boost::system::error_code) { io.stop(); });
    });
  };
  wait_signal();
  io.run();

  if (sim_io) {
    sim_io->stop();
    sim_thread.join();
  }
  spdlog::info("mdhub stopped");
  return 0;
}

}  // namespace mdhub
