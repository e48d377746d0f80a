#include "src/app/app.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <algorithm>
#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>
#include <thread>

#include "feeds/common/clock.hpp"
#include "feeds/common/options.hpp"
#include "src/runtime/runner.hpp"
#include "src/app/log.hpp"
#include "src/app/nats_run.hpp"
#include "src/app/recording.hpp"
#include "src/app/replay.hpp"
#include "src/app/serve.hpp"
#include "src/engine/engine.hpp"
#include "src/net/server.hpp"
#include "src/sim/simulator.hpp"

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
      limiter_.warn("feed-down:" + venue, "feed {}: down ({})", venue, r.stats().last_error);
    } else {
      limiter_.info("feed-state:" + venue, "feed {}: {}", venue, to_string(state));
    }
  }
  void on_feed_stale(size_t feed, bool stale) override {
    const std::string& venue = runners_[feed]->config().id;
    if (stale) {
      limiter_.warn("feed-stale:" + venue, "feed {}: books stale (not live for {} ms)", venue,
                    runners_[feed]->config().int_option(common_opt::stale_after_ms));
    } else {
      limiter_.info("feed-fresh:" + venue, "feed {}: live again, books served from their next snapshot", venue);
    }
  }

 private:
  const std::vector<std::unique_ptr<FeedRunner>>& runners_;
  RateLimitedLog limiter_;
};

}  // namespace

int run_hub(RunOptions opts) {
  Config& cfg = opts.config;
  if (!resolve_auth_token(cfg.server, cfg.listen)) return 2;
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

  // A hub with no feed would serve nothing and never be ready: a config error, said plainly.
  if (std::none_of(cfg.venues.begin(), cfg.venues.end(), [](const VenueConfig& v) { return v.enabled; })) {
    std::cerr << "no venue is enabled in the config: add a [venues.<id>] table with enabled = true\n";
    if (sim_io) {
      sim_io->stop();
      sim_thread.join();
    }
    return 2;
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
    // The runner owns the feed and never calls the engine once destroyed.
    engine.add_feed(v.id, [f = feed.get()](size_t stream) { return f->stream_has_books(stream); },
                    feed->capabilities());
    engine.set_stale_after(runners.size(), v.int_option(common_opt::stale_after_ms));
    runners.push_back(std::make_unique<FeedRunner>(io, runners.size(), v, std::move(feed), engine));
  }
  FeedLogger feed_logger(runners);
  engine.add_observer(&feed_logger);

  std::unique_ptr<RecordingObserver> recording;
  if (!cfg.recording.dir.empty()) {
    std::vector<const VenueConfig*> feeds;
    for (auto& r : runners) feeds.push_back(&r->config());
    recording = std::make_unique<RecordingObserver>(cfg.recording, feeds);
    engine.add_observer(recording.get());
  }

  std::unique_ptr<bus::NatsSink> nats;
  ServeStack stack(
      io, engine, cfg,
      [&runners] {
        std::vector<FeedView> v;
        for (auto& r : runners) v.push_back({&r->config(), &r->stats()});
        return v;
      },
      [&recording, &nats](std::string& out) {
        if (recording) recording->append_metrics(out);
        if (nats) append_nats_metrics(out, nats->stats());
      },
      [&recording]() -> std::optional<RecorderView> {
        if (!recording) return std::nullopt;
        return recording->view();
      });
  // After the serving stack's observers: the bus never delays the local clients.
  if (!cfg.nats.url.empty()) {
    nats = std::make_unique<bus::NatsSink>(io, engine, sink_settings(cfg.nats));
    if (std::string error; !nats->start(error)) {
      std::cerr << "nats: " << error << "\n";
      if (sim_io) {
        sim_io->stop();
        sim_thread.join();
      }
      return 2;
    }
    engine.add_observer(nats.get());
  }
  const uint16_t port = stack.listen(cfg.listen);
  if (port == 0) {
    if (sim_io) {
      sim_io->stop();
      sim_thread.join();
    }
    return 1;
  }
  std::string host;
  uint16_t ignored = 0;
  net::split_host_port(cfg.listen, host, ignored);
  spdlog::info("mdhub serving on http://{}:{}/ ({} feed{})", host, port, runners.size(), runners.size() == 1 ? "" : "s");
  for (auto& r : runners) r->start();

  // Trade-built candles close on time even when no trade arrives, a resync whose snapshot
  // was lost is asked again even on a symbol with no deltas to notice it, and the books of
  // a feed that stays down turn stale.
  asio::steady_timer candle_timer(io);
  std::vector<std::pair<size_t, uint32_t>> overdue;
  std::function<void()> tick = [&] {
    candle_timer.expires_after(std::chrono::seconds(1));
    candle_timer.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      const RecvTime t = now();
      engine.close_candles(t.wall_ns / 1000);
      overdue.clear();
      engine.overdue_resyncs(t.mono_ns, overdue);
      for (auto [feed, id] : overdue) runners[feed]->resync(id);
      engine.check_stale(t.mono_ns);
      tick();
    });
  };
  tick();

  bool stopping = false;
  const auto shutdown = [&](uint16_t code) {
    if (stopping) return;
    stopping = true;
    for (auto& r : runners) r->stop();
    candle_timer.cancel();
    // Done once the clients have their close; the recorder is closed right after the loop.
    stack.stop([&io] { io.stop(); }, code);
  };
  const bool clean = serve_until_stopped(io, shutdown);
  // Runners are stopped (or the loop ended): nothing produces records any more.
  if (recording) recording->close();
  if (nats) nats->close();

  if (sim_io) {
    sim_io->stop();
    sim_thread.join();
  }
  spdlog::info("mdhub stopped");
  return clean ? 0 : 1;
}

}  // namespace mdhub
