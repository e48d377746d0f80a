#pragma once
// Prometheus metrics (DESIGN.md "Metrics"): counters the hot path already keeps (feed
// stats, engine state, websocket stats) are read at scrape time, so recording them costs
// nothing per message; only per-event counts and latency histograms are updated on the
// network thread, as plain integer increments. Served on the main HTTP port at /metrics.
// Not thread-safe: everything runs on the network thread.
#include <array>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "src/engine/engine.hpp"
#include "src/metrics/latency.hpp"

namespace mdhub {

namespace net {
class Server;
}
struct WsApiStats;

/// Where the collector reads state from at scrape time.
struct MetricsSources {
  const Engine* engine = nullptr;
  std::function<std::vector<std::pair<const VenueConfig*, const FeedStats*>>()> feeds;
  const WsApiStats* ws = nullptr;                 ///< optional
  std::function<void(std::string&)> extra;        ///< appends more exposition text (recorder)
};

class Metrics final : public EngineObserver {
 public:
  explicit Metrics(MetricsSources sources);
  ~Metrics() override;

  /// Registers GET /metrics.
  void install(net::Server& server);
  /// The full text exposition (what /metrics serves).
  std::string render() const;

  void on_events_begin(size_t feed, RecvTime t) override;
  void on_events_end(size_t feed) override;
  void on_book(const InstrumentState&, bool, std::span<const LevelUpdate>) override;
  void on_trade(const InstrumentState&, const TradeRecord&) override;
  void on_ticker(const InstrumentState&) override;
  void on_bbo(const InstrumentState&) override;
  void on_candle(const InstrumentState&, const CandleRecord&) override;
  void on_raw(size_t feed, RawKind kind, int index, RecvTime t, std::string_view payload) override;

 private:
  enum Channel { kBook, kTrades, kTicker, kBbo, kCandles, kChannels };
  struct PerFeed {
    std::array<uint64_t, kChannels> messages{};
    std::array<uint64_t, 3> frames{}, bytes{};  ///< by RawKind
  };
  PerFeed& feed(size_t i);
  void count(const InstrumentState& s, Channel c);

  MetricsSources src_;
  std::vector<PerFeed> feeds_;
  LatencyHistogram tick_to_publish_, parse_stage_, apply_stage_;
  int64_t batch_recv_mono_ns_ = 0;
  int64_t batch_begin_ns_ = 0;
  bool batch_published_ = false;
  struct Registry;
  std::unique_ptr<Registry> registry_;
};

}  // namespace mdhub
