#include "src/app/edge.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <csignal>
#include <iostream>

#include "feeds/common/clock.hpp"
#include "src/app/serve.hpp"
#include "src/metrics/exposition.hpp"

namespace mdhub {

namespace asio = boost::asio;

int run_edge(EdgeRunOptions opts) {
  // Serving beyond loopback needs the token, as for run.
  if (!resolve_auth_token(opts.config.server, opts.config.listen)) return 2;
  asio::io_context io;
  Engine engine;
  edge::EdgeNode node(io, engine, opts.edge);
  ServeStack stack(
      io, engine, opts.config,
      [&node] {
        std::vector<FeedView> v;
        for (const auto& f : node.feeds()) v.push_back({&f.config, &f.stats});
        return v;
      },
      [&node](std::string& out) {
        const auto& c = node.counters();
        prom::append_gauge(out, "mdhub_nats_connected", "1 while the NATS connection is up.", node.connected() ? 1 : 0);
        prom::append_counter(out, "mdhub_edge_messages_total", "Messages received from the bus.", c.messages);
        prom::append_counter(out, "mdhub_edge_ignored_total",
                             "Bus messages not served: other subjects, venues or symbols, or before their instrument "
                             "was known.",
                             c.ignored);
        prom::append_counter(out, "mdhub_edge_snapshot_reads_total",
                             "Book snapshots read from the snapshot stream (start, gap, reconnect).", c.snapshot_reads);
        prom::append_counter(out, "mdhub_edge_snapshot_unusable_total",
                             "Snapshots older than the updates already received (the next one is waited for).",
                             c.snapshot_unusable);
        const auto& h = node.latency();
        prom::append_histogram(out, "mdhub_edge_bus_latency_seconds",
                               "From an ingest node's ts_received to the edge's receive time, per live payload.",
                               edge::BusLatencyHistogram::kBoundsNs, h.counts(), h.sum_ns());
        prom::append_counter(out, "mdhub_edge_dropped_total",
                             "Bus messages dropped because the network thread was behind by the hand-off's limit.",
                             node.dropped());
        prom::append_counter(out, "mdhub_edge_refused_total",
                             "Venues or symbols on the bus beyond the edge's bounds, or not valid names.", c.refused);
        prom::append_counter(out, "mdhub_edge_pending_dropped_total",
                             "Book updates dropped from a full buffer while waiting for a snapshot.", c.pending_overflow);
      });
  const uint16_t port = stack.listen(opts.config.listen);
  if (port == 0) return 1;
  std::string err;
  if (!node.start(err)) {
    std::cerr << "edge: " << err << "\n";
    return 2;
  }
  spdlog::info("mdhub edge serving on port {} from {} (subjects {}.>)", port, opts.edge.nats.url, opts.edge.prefix);

  // As in `run`: trade-built candles close on time, books of a bus that stays away turn
  // stale, and snapshots that were not answered are asked again.
  asio::steady_timer timer(io);
  std::function<void()> tick = [&] {
    timer.expires_after(std::chrono::seconds(1));
    timer.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      const RecvTime t = now();
      engine.close_candles(t.wall_ns / 1000);
      node.tick(t.mono_ns);
      engine.check_stale(t.mono_ns);
      tick();
    });
  };
  tick();

  bool stopping = false;
  const auto shutdown = [&](uint16_t code) {
    if (stopping) return;
    stopping = true;
    timer.cancel();
    node.stop();
    stack.stop([&io] { io.stop(); }, code);
  };
  const bool clean = serve_until_stopped(io, shutdown);
  node.stop();
  spdlog::info("mdhub edge stopped");
  return clean ? 0 : 1;
}

}  // namespace mdhub
