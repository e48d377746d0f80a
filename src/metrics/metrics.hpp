#pragma once
// Prometheus metrics (DESIGN.md "Metrics"): counters the hot path already keeps (feed
// stats, engine state, websocket stats) are read at scrape time, so recording them costs
// nothing per message; only per-event counts and latency histograms are updated on the
// network thread, as plain integer increments. Served on the main HTTP port at /metrics.
// Not thread-safe: everything runs on the network thread, except serialize(), which reads
// only its State (a scrape collects on the network thread and may serialize elsewhere).
#include <array>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "feeds/common/pipeline_latency.hpp"
#include "src/engine/engine.hpp"
#include "src/metrics/latency.hpp"

namespace mdhub {

namespace net {
class Offload;
class Server;
struct ServerStats;
}
struct WsApiStats;

/// Where the collector reads state from at scrape time.
struct MetricsSources {
  const Engine* engine = nullptr;
  std::function<std::vector<std::pair<const VenueConfig*, const FeedStats*>>()> feeds;
  const WsApiStats* ws = nullptr;                 ///< optional
  std::function<void(std::string&)> extra;        ///< appends more exposition text (recorder)
  /// Optional: per-feed stage latencies, timed here (the first three stages, with the
  /// apply probe registered) and exported as mdhub_feed_latency_seconds.
  PipelineLatency* latency = nullptr;
};

class Metrics final : public EngineObserver {
 public:
  explicit Metrics(MetricsSources sources);
  ~Metrics() override;
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  /// Registers GET /metrics, and exports the server's access refusals
  /// (mdhub_http_refused_total); `server` must outlive this Metrics. With `offload`, a scrape
  /// collects on the network thread and serializes on the render worker, and its refusals
  /// are exported (mdhub_http_overloaded_total); `offload` must outlive this Metrics.
  void install(net::Server& server, net::Offload* offload = nullptr);
  /// An observer to register with the engine *before* the publishers (websocket fan-out,
  /// NATS), while this Metrics itself is registered after them. It notes when the first
  /// change of a payload has been applied, which splits the parsed -> published stage into
  /// `parsed_to_applied` and `applied_to_published` (exact for one-change payloads; for a
  /// payload of several changes "applied" is its first change). Those two stages are
  /// exported once the probe has seen a change. Owned by this Metrics.
  EngineObserver& apply_probe();
  /// mdhub_stage_seconds samples one payload in this many (a power of two), which keeps
  /// its clock reads off most payloads; mdhub_tick_to_publish_seconds sees every payload.
  static constexpr uint64_t kStageSampleEvery = 16;
  /// Per feed, the stage latencies (MetricsSources::latency) take every kStageSampleEvery-th
  /// payload of the feed, and any payload that comes this long after the feed's last
  /// sampled one, so that a slow venue is measured too. Decided on the receive time the
  /// payload already carries: no clock read.
  static constexpr int64_t kFeedSampleGapNs = 50'000'000;
  /// Total bytes queued to websocket clients and not yet written, read at scrape time and
  /// exported as the gauge mdhub_ws_queued_bytes. Optional; called on the network thread.
  void set_ws_queued_bytes(std::function<uint64_t()> f) { ws_queued_bytes_ = std::move(f); }
  /// The full text exposition (what /metrics serves): serialize(*collect()).
  std::string render() const;
  /// Everything the exposition shows, copied: plain data, which any thread may read.
  struct State;
  /// The cheap half of a scrape: copies the counters and state into a State. Network thread.
  std::shared_ptr<State> collect() const;
  /// The costly half: the text exposition of `state` (prometheus-cpp's text format, then the
  /// `extra` text). Any thread; reads nothing but `state`.
  static std::string serialize(const State& state);

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
    uint64_t payloads = 0;
    int64_t last_sampled_recv_ns = 0;  ///< monotonic receive time of the last sampled payload
  };
  class ApplyProbe;
  PerFeed& feed(size_t i);
  void count(const InstrumentState& s, Channel c);
  void note_applied(int64_t ts_exchange_us);

  MetricsSources src_;
  std::function<uint64_t()> ws_queued_bytes_;
  const net::ServerStats* server_stats_ = nullptr;
  const net::Offload* offload_ = nullptr;
  std::vector<PerFeed> feeds_;
  LatencyHistogram tick_to_publish_, parse_stage_, apply_stage_;
  LatencyHistogram parsed_to_applied_, applied_to_published_;
  int64_t batch_recv_mono_ns_ = 0;
  int64_t batch_begin_ns_ = 0;    ///< set on sampled payloads only
  int64_t batch_applied_ns_ = 0;  ///< 0 until the probe saw this payload's first change
  uint64_t batches_ = 0;
  bool batch_sampled_ = false;
  bool batch_published_ = false;
  bool probe_active_ = false;
  // The payload being handled, for the per-feed stages.
  size_t batch_feed_ = 0;
  int64_t batch_recv_wall_us_ = 0;
  bool feed_sampled_ = false;   ///< its received/parsed/applied stages are timed
  bool exchange_seen_ = false;  ///< exchange_to_received already taken from this payload
  std::unique_ptr<ApplyProbe> probe_;
  struct Registry;
  std::unique_ptr<Registry> registry_;
};

}  // namespace mdhub
