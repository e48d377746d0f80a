#pragma once
// The local websocket API (DESIGN.md "Websocket API") at /ws: subscribe / unsubscribe /
// list / ping; channels <kind>:<venue>:<symbol> with `all` (consolidated) and `*`
// wildcards. Each payload is serialized once per concrete channel and the same buffer goes
// to every subscriber. Book, BBO and ticker channels conflate for slow clients (they are
// sent a fresh snapshot once their queue drains); trades and candles are never dropped: a
// client that cannot keep up gets an `error` `slow_consumer` and is closed.
// Runs on the network thread, as an engine observer.
#include <memory>

#include <functional>

#include "feeds/common/pipeline_latency.hpp"
#include "src/fx/rates.hpp"
#include "src/publish/ws_config.hpp"
#include "src/engine/engine.hpp"
#include "src/net/server.hpp"

namespace boost::asio {
class io_context;
}

namespace mdhub {

struct FxStats;

struct WsApiStats {
  uint64_t clients = 0;            ///< open now
  uint64_t rejected_clients = 0;   ///< over max_clients
  uint64_t messages_out = 0;       ///< frames queued to clients
  uint64_t conflations = 0;        ///< book/bbo/ticker messages replaced by a later snapshot
  uint64_t slow_consumers = 0;     ///< clients closed for falling behind on trades/candles
  uint64_t bad_requests = 0;       ///< error replies to client input
  uint64_t rate_limited = 0;       ///< commands refused (not executed) by the command rate limit
  uint64_t rate_limit_closes = 0;  ///< clients closed 1008 for going on over the command rate
  uint64_t subscriptions = 0;      ///< concrete channel subscriptions now
  uint64_t streams = 0;            ///< concrete channels held now (each has a subscriber)
  uint64_t snapshots_reused = 0;   ///< whole-book snapshots served again, not rendered again
};

class WsApi final : public EngineObserver {
 public:
  /// `queue_frames`: the server's per-session frame limit (ServerOptions::ws_queue_frames);
  /// like cfg.queue_bytes for bytes, it decides when to conflate and when a client is too
  /// slow, so that the slow_consumer error still fits the queue.
  /// `engine` is not const: a consolidated book is kept only while some channel of it has a
  /// subscriber, and the websocket API is what says so (Engine::watch_consolidated).
  WsApi(boost::asio::io_context& io, net::Server& server, Engine& engine, WsApiConfig cfg,
        size_t queue_frames = net::ServerOptions{}.ws_queue_frames);
  ~WsApi() override;
  WsApi(const WsApi&) = delete;
  WsApi& operator=(const WsApi&) = delete;

  const WsApiStats& stats() const;
  /// Bytes queued to all clients right now (summed when asked: for scrapes, not per message).
  uint64_t queued_bytes() const;
  /// Optional: the first frame fanned out for a payload its feed's stage timing probes is
  /// offered to it (the applied_to_written stage). Must outlive this WsApi.
  void set_latency(PipelineLatency* latency);
  /// The cross-currency channels' settings (default: [fx] defaults, the wall clock, no
  /// counters). `stats`, when given, must outlive this WsApi; `now_us` is the clock rate
  /// ages are measured on.
  void set_fx(const fx::FxConfig& cfg, FxStats* stats = nullptr, std::function<int64_t()> now_us = {});

  void on_instrument_added(const InstrumentState&) override;
  void on_book(const InstrumentState&, bool snapshot, std::span<const LevelUpdate>) override;
  void on_trade(const InstrumentState&, const TradeRecord&) override;
  void on_ticker(const InstrumentState&) override;
  void on_bbo(const InstrumentState&) override;
  void on_candle(const InstrumentState&, const CandleRecord&) override;
  void on_consolidated(const ConsolidatedState&, std::span<const LevelUpdate>) override;
  void on_feed_state(size_t feed, FeedState) override;
  void on_feed_stale(size_t feed, bool stale) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mdhub
