#include "src/metrics/metrics.hpp"

#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <chrono>
#include <optional>
#include <sstream>

#include "feeds/common/clock.hpp"
#include "src/publish/ws_api.hpp"
#include "src/net/offload.hpp"
#include "src/net/server.hpp"

#ifndef MDHUB_VERSION
#define MDHUB_VERSION "0.0.0"
#endif

namespace mdhub {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

constexpr const char* kChannelNames[] = {"book", "trades", "ticker", "bbo", "candles"};
constexpr const char* kRawNames[] = {"discovery", "ws", "rest"};

MetricFamily family(std::string name, std::string help, MetricType type) {
  MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  return f;
}

void add(MetricFamily& f, std::vector<ClientMetric::Label> labels, double v) {
  ClientMetric m;
  m.label = std::move(labels);
  if (f.type == MetricType::Counter) m.counter.value = v;
  else m.gauge.value = v;
  f.metric.push_back(std::move(m));
}

template <class Bounds>
void add_histogram(MetricFamily& f, std::vector<ClientMetric::Label> labels, const BucketHistogram<Bounds>& h) {
  using H = BucketHistogram<Bounds>;
  ClientMetric m;
  m.label = std::move(labels);
  uint64_t cum = 0;
  for (size_t i = 0; i < H::kBoundsNs.size(); ++i) {
    cum += h.counts()[i];
    m.histogram.bucket.push_back({cum, static_cast<double>(H::kBoundsNs[i]) / 1e9});
  }
  cum += h.counts().back();
  m.histogram.bucket.push_back({cum, std::numeric_limits<double>::infinity()});
  m.histogram.sample_count = h.count();
  m.histogram.sample_sum = static_cast<double>(h.sum_ns()) / 1e9;
  f.metric.push_back(std::move(m));
}

// Every other bound (x4 per bucket, 1 µs .. 16.8 s): cumulative counts at a subset of the
// bounds are a valid, smaller histogram.
void add_histogram(MetricFamily& f, std::vector<ClientMetric::Label> labels, const LogHistogram::Snapshot& h) {
  ClientMetric m;
  m.label = std::move(labels);
  uint64_t cum = 0;
  for (size_t i = 0; i < LogHistogram::kBounds; ++i) {
    cum += h.counts[i];
    if (i % 2 == 0) m.histogram.bucket.push_back({cum, static_cast<double>(LogHistogram::bound_ns(i)) / 1e9});
  }
  m.histogram.bucket.push_back({h.count, std::numeric_limits<double>::infinity()});
  m.histogram.sample_count = h.count;
  m.histogram.sample_sum = static_cast<double>(h.sum_ns) / 1e9;
  f.metric.push_back(std::move(m));
}

}  // namespace

struct Metrics::Registry {
  prometheus::Registry registry;
};

class Metrics::ApplyProbe final : public EngineObserver {
 public:
  explicit ApplyProbe(Metrics& m) : m_(m) {}
  // Each passes the venue's timestamp of what it applied; a candle's stamps its interval,
  // not the message, so it has none to give.
  void on_book(const InstrumentState& s, bool, std::span<const LevelUpdate>) override {
    m_.note_applied(s.book_ts_exchange_us);
  }
  void on_trade(const InstrumentState&, const TradeRecord& t) override { m_.note_applied(t.ts_exchange_us); }
  void on_ticker(const InstrumentState& s) override { m_.note_applied(s.ticker_ts_exchange_us); }
  void on_bbo(const InstrumentState& s) override { m_.note_applied(s.bbo_ts_exchange_us); }
  void on_candle(const InstrumentState&, const CandleRecord&) override { m_.note_applied(kNone); }

 private:
  Metrics& m_;
};

Metrics::Metrics(MetricsSources sources) : src_(std::move(sources)), registry_(std::make_unique<Registry>()) {
  auto& info = prometheus::BuildGauge()
                   .Name("mdhub_build_info")
                   .Help("Build information; always 1")
                   .Register(registry_->registry);
  info.Add({{"version", MDHUB_VERSION}, {"compiler", __VERSION__}}).Set(1);
}

Metrics::~Metrics() = default;

EngineObserver& Metrics::apply_probe() {
  if (!probe_) probe_ = std::make_unique<ApplyProbe>(*this);
  return *probe_;
}

void Metrics::note_applied(int64_t ts_exchange_us) {
  PipelineLatency* lat = src_.latency;
  // The venue's clock against ours: no clock read, so every payload that carries a stamp.
  if (lat && !exchange_seen_ && ts_exchange_us != kNone) {
    exchange_seen_ = true;
    if (auto* h = lat->stage(batch_feed_, LatencyStage::exchange_to_received))
      h->observe((batch_recv_wall_us_ - ts_exchange_us) * 1000);
  }
  // One clock read per sampled payload: later changes of the same payload keep the first stamp.
  if (!(batch_sampled_ || feed_sampled_) || batch_applied_ns_ != 0) return;
  batch_applied_ns_ = mono_ns();
  if (!feed_sampled_) return;
  if (auto* h = lat->stage(batch_feed_, LatencyStage::parsed_to_applied)) h->observe(batch_applied_ns_ - batch_begin_ns_);
  lat->expect_frame(batch_feed_, batch_applied_ns_);
}

Metrics::PerFeed& Metrics::feed(size_t i) {
  if (i >= feeds_.size()) feeds_.resize(i + 1);
  return feeds_[i];
}

void Metrics::count(const InstrumentState& s, Channel c) {
  ++feed(s.feed).messages[c];
  batch_published_ = true;
}

void Metrics::on_events_begin(size_t f, RecvTime t) {
  batch_recv_mono_ns_ = t.mono_ns;
  batch_applied_ns_ = 0;
  batch_published_ = false;
  // Stage latencies are sampled so that most payloads pay for one clock read only (the one
  // tick_to_publish needs); a clock read costs as much as the rest of this observer.
  batch_sampled_ = (++batches_ & (kStageSampleEvery - 1)) == 0;
  batch_feed_ = f;
  batch_recv_wall_us_ = t.wall_ns / 1000;
  exchange_seen_ = false;
  feed_sampled_ = false;
  if (src_.latency && t.mono_ns) {
    PerFeed& pf = feed(f);
    feed_sampled_ = (++pf.payloads & (kStageSampleEvery - 1)) == 0 ||
                    t.mono_ns - pf.last_sampled_recv_ns >= kFeedSampleGapNs;
    if (feed_sampled_) pf.last_sampled_recv_ns = t.mono_ns;
  }
  if (!batch_sampled_ && !feed_sampled_) return;
  batch_begin_ns_ = mono_ns();
  if (batch_sampled_ && t.mono_ns) parse_stage_.observe(batch_begin_ns_ - t.mono_ns);
  if (feed_sampled_) {
    if (auto* h = src_.latency->stage(f, LatencyStage::received_to_parsed)) h->observe(batch_begin_ns_ - t.mono_ns);
  }
}

void Metrics::on_events_end(size_t) {
  if (src_.latency) src_.latency->end_payload();
  if (!batch_published_) return;
  // Observers run in registration order and this one is registered after the websocket
  // fan-out, so "now" is after every subscriber's message was queued.
  const int64_t now = mono_ns();
  if (batch_recv_mono_ns_) tick_to_publish_.observe(now - batch_recv_mono_ns_);
  if (!batch_sampled_) return;
  apply_stage_.observe(now - batch_begin_ns_);
  if (batch_applied_ns_) {
    probe_active_ = true;
    parsed_to_applied_.observe(batch_applied_ns_ - batch_begin_ns_);
    applied_to_published_.observe(now - batch_applied_ns_);
  }
}

void Metrics::on_book(const InstrumentState& s, bool, std::span<const LevelUpdate>) { count(s, kBook); }
void Metrics::on_trade(const InstrumentState& s, const TradeRecord&) { count(s, kTrades); }
void Metrics::on_ticker(const InstrumentState& s) { count(s, kTicker); }
// Quote-only venues publish nothing but BBOs: those payloads count as published too.
void Metrics::on_bbo(const InstrumentState& s) { count(s, kBbo); }
void Metrics::on_candle(const InstrumentState& s, const CandleRecord&) { count(s, kCandles); }

void Metrics::on_raw(size_t f, RawKind kind, int, RecvTime, std::string_view payload) {
  auto& pf = feed(f);
  const auto k = static_cast<size_t>(kind);
  if (k < pf.frames.size()) {
    ++pf.frames[k];
    pf.bytes[k] += payload.size();
  }
}

// Everything the exposition shows, copied out of the live state: plain data that the
// serializer reads on any thread while the network thread goes on changing the originals.
struct Metrics::State {
  struct Feed {
    std::string id;
    FeedStats stats;
  };
  struct Book {
    std::string venue, symbol;
    uint64_t gaps = 0, resyncs = 0, dropped = 0;
    bool has_book = false, in_sync = false, audited = false;
    std::array<uint64_t, kAuditResults> audits{};
  };
  std::vector<MetricFamily> registry;
  int64_t now = 0;
  std::vector<Feed> feeds;
  std::vector<std::string> venues;  ///< the engine's feeds, by index
  std::vector<PerFeed> per_feed;
  std::vector<Book> books;
  LatencyHistogram tick_to_publish, parse_stage, apply_stage, parsed_to_applied, applied_to_published;
  bool probe_active = false;
  /// Per venue, kLatencyStages entries (an absent stage as nullopt); empty without a source.
  std::vector<std::optional<LogHistogram::Snapshot>> latency;
  bool has_latency = false;
  std::optional<WsApiStats> ws;
  std::optional<uint64_t> ws_queued_bytes;
  std::optional<net::ServerStats> server;
  std::optional<uint64_t> overloaded;
  std::string extra;
};

std::shared_ptr<Metrics::State> Metrics::collect() const {
  auto st = std::make_shared<State>();
  State& s = *st;
  s.registry = registry_->registry.Collect();
  s.now = mono_ns();
  if (src_.feeds) {
    for (const auto& [cfg, fs] : src_.feeds()) s.feeds.push_back({cfg->id, *fs});
  }
  s.venues = src_.engine->feeds();
  s.per_feed = feeds_;
  s.books.reserve(src_.engine->instruments().size());
  for (const auto& p : src_.engine->instruments()) {
    s.books.push_back({p->info.venue, p->info.symbol, p->gaps, p->resyncs, p->dropped_out_of_sync, p->has_book,
                       p->in_sync, p->audited, p->audits});
  }
  s.tick_to_publish = tick_to_publish_;
  s.parse_stage = parse_stage_;
  s.apply_stage = apply_stage_;
  s.parsed_to_applied = parsed_to_applied_;
  s.applied_to_published = applied_to_published_;
  s.probe_active = probe_active_;
  if (src_.latency) {
    s.has_latency = true;
    s.latency.reserve(s.venues.size() * kLatencyStages);
    for (size_t i = 0; i < s.venues.size(); ++i) {
      for (size_t k = 0; k < kLatencyStages; ++k) {
        const LogHistogram* h = src_.latency->stage(i, static_cast<LatencyStage>(k));
        s.latency.push_back(h ? std::optional(h->snapshot()) : std::nullopt);
      }
    }
  }
  if (src_.ws) s.ws = *src_.ws;
  if (ws_queued_bytes_) s.ws_queued_bytes = ws_queued_bytes_();
  if (server_stats_) s.server = *server_stats_;
  if (offload_) s.overloaded = offload_->overloaded();
  if (src_.extra) src_.extra(s.extra);
  return st;
}

std::string Metrics::serialize(const State& s) {
  std::vector<MetricFamily> out = s.registry;
  const int64_t now = s.now;

  auto up = family("mdhub_feed_up", "1 when the feed is live", MetricType::Gauge);
  auto state = family("mdhub_feed_state", "Current feed state (1 for the state the feed is in)", MetricType::Gauge);
  auto reconnects = family("mdhub_feed_reconnects_total", "Websocket reconnects", MetricType::Counter);
  auto parse_errors = family("mdhub_parse_errors_total", "Payloads the venue parser rejected", MetricType::Counter);
  auto feed_errors = family("mdhub_feed_errors_total",
                            "Failures inside a feed, by kind (exception: the venue code or its events' handling "
                            "threw; the feed restarted)",
                            MetricType::Counter);
  auto age = family("mdhub_feed_last_message_age_seconds", "Seconds since the feed's last message", MetricType::Gauge);
  auto rest = family("mdhub_rest_requests_total", "REST requests sent", MetricType::Counter);
  auto rest_err = family("mdhub_rest_errors_total", "REST requests that failed (transport, timeout, non-2xx)", MetricType::Counter);
  auto limited = family("mdhub_rest_rate_limited_total", "HTTP 429 answers", MetricType::Counter);
  auto waits = family("mdhub_rest_rate_limit_waits_total", "Requests delayed by the local token bucket", MetricType::Counter);
  auto wait_s = family("mdhub_rest_rate_limit_wait_seconds_total", "Time requests waited for a token-bucket token",
                       MetricType::Counter);
  auto rest_dur = family("mdhub_rest_request_duration_seconds",
                         "REST request duration: sent to answer received or failure (connect and TLS included)",
                         MetricType::Histogram);
  auto rest_codes = family("mdhub_rest_responses_total",
                           "Completed REST requests by outcome: HTTP 200, 2xx, 3xx, 429, 4xx, 5xx, other, timeout, error",
                           MetricType::Counter);
  auto sub_fail = family("mdhub_feed_subscription_failures_total", "Subscriptions the venue refused", MetricType::Counter);
  auto detected = family("mdhub_feed_detected_total",
                         "Protocol variants recognised in the venue's payloads, by name (see README)", MetricType::Counter);
  for (const State::Feed& f : s.feeds) {
    const FeedStats* st = &f.stats;
    const std::vector<ClientMetric::Label> v = {{"venue", f.id}};
    add(sub_fail, v, static_cast<double>(st->subscription_failures));
    for (const auto& [name, count] : st->detected)
      add(detected, {{"venue", f.id}, {"what", name}}, static_cast<double>(count));
    add(up, v, st->state == FeedState::live ? 1 : 0);
    for (auto fs : {FeedState::starting, FeedState::discovering, FeedState::connecting, FeedState::live,
                    FeedState::down, FeedState::stopped})
      add(state, {{"venue", f.id}, {"state", std::string(to_string(fs))}}, st->state == fs ? 1 : 0);
    add(reconnects, v, static_cast<double>(st->reconnects));
    add(parse_errors, v, static_cast<double>(st->parse_errors));
    add(feed_errors, {{"venue", f.id}, {"kind", "exception"}}, static_cast<double>(st->exceptions));
    if (st->last_message_mono_ns) add(age, v, static_cast<double>(now - st->last_message_mono_ns) / 1e9);
    add(rest, v, static_cast<double>(st->rest_requests));
    add(rest_err, v, static_cast<double>(st->rest_errors));
    add(limited, v, static_cast<double>(st->rate_limited));
    add(waits, v, static_cast<double>(st->rate_waits));
    add(wait_s, v, static_cast<double>(st->rest.rate_wait_ns) / 1e9);
    add_histogram(rest_dur, v, st->rest.duration);
    for (size_t c = 0; c < kRestCodes; ++c)
      add(rest_codes, {{"venue", f.id}, {"code", std::string(to_label(static_cast<RestCode>(c)))}},
          static_cast<double>(st->rest.codes[c]));
  }

  auto messages = family("mdhub_feed_messages_total", "Normalized events published, by data channel", MetricType::Counter);
  auto frames = family("mdhub_feed_frames_total", "Raw payloads received, by transport", MetricType::Counter);
  auto bytes = family("mdhub_feed_bytes_total", "Raw bytes received, by transport", MetricType::Counter);
  const auto& venues = s.venues;
  const auto& per_feed = s.per_feed;
  for (size_t i = 0; i < per_feed.size() && i < venues.size(); ++i) {
    for (size_t c = 0; c < kChannels; ++c)
      add(messages, {{"venue", venues[i]}, {"channel", kChannelNames[c]}}, static_cast<double>(per_feed[i].messages[c]));
    for (size_t k = 0; k < 3; ++k) {
      add(frames, {{"venue", venues[i]}, {"transport", kRawNames[k]}}, static_cast<double>(per_feed[i].frames[k]));
      add(bytes, {{"venue", venues[i]}, {"transport", kRawNames[k]}}, static_cast<double>(per_feed[i].bytes[k]));
    }
  }

  auto gaps = family("mdhub_feed_gaps_total", "Sequence gaps and stale messages detected", MetricType::Counter);
  auto resyncs = family("mdhub_book_resyncs_total", "Book resynchronisations", MetricType::Counter);
  auto in_sync = family("mdhub_book_in_sync", "1 when the book is known good and served", MetricType::Gauge);
  auto dropped = family("mdhub_book_deltas_dropped_total", "Deltas dropped while a book was resynchronising", MetricType::Counter);
  for (const State::Book& p : s.books) {
    const std::vector<ClientMetric::Label> l = {{"venue", p.venue}, {"symbol", p.symbol}};
    add(gaps, l, static_cast<double>(p.gaps));
    add(resyncs, l, static_cast<double>(p.resyncs));
    add(dropped, l, static_cast<double>(p.dropped));
    if (p.has_book) add(in_sync, l, p.in_sync ? 1 : 0);
  }
  auto audits = family("mdhub_book_audits_total", "Book audits against REST snapshots, by result", MetricType::Counter);
  for (const State::Book& p : s.books) {
    if (!p.audited) continue;  // only books that are audited: no series for venues that cannot be
    for (size_t r = 0; r < kAuditResults; ++r) {
      const std::string result(to_string(static_cast<AuditResult>(r)));
      add(audits, {{"venue", p.venue}, {"symbol", p.symbol}, {"result", result}},
          static_cast<double>(p.audits[r]));
    }
  }

  auto t2p = family("mdhub_tick_to_publish_seconds", "Frame received to every subscriber's message queued", MetricType::Histogram);
  add_histogram(t2p, {}, s.tick_to_publish);
  auto stages = family("mdhub_stage_seconds",
                       "Latency per pipeline stage, sampled: one payload in " + std::to_string(kStageSampleEvery),
                       MetricType::Histogram);
  add_histogram(stages, {{"stage", "read_to_parsed"}}, s.parse_stage);
  add_histogram(stages, {{"stage", "parsed_to_published"}}, s.apply_stage);
  if (s.probe_active) {
    add_histogram(stages, {{"stage", "parsed_to_applied"}}, s.parsed_to_applied);
    add_histogram(stages, {{"stage", "applied_to_published"}}, s.applied_to_published);
  }

  for (auto* f : {&up, &state, &reconnects, &parse_errors, &feed_errors, &sub_fail, &detected, &age, &rest, &rest_err, &limited, &waits, &wait_s,
                  &rest_dur, &rest_codes, &messages, &frames, &bytes, &gaps, &resyncs, &in_sync, &dropped, &audits,
                  &t2p, &stages})
    out.push_back(std::move(*f));

  if (s.has_latency) {
    auto lat = family("mdhub_feed_latency_seconds",
                      "Per feed and stage, sampled: exchange_to_received (venue timestamp to receive), "
                      "received_to_parsed, parsed_to_applied, applied_to_written (first client's write done)",
                      MetricType::Histogram);
    for (size_t i = 0; i < venues.size(); ++i) {
      for (size_t k = 0; k < kLatencyStages; ++k) {
        const auto stage = static_cast<LatencyStage>(k);
        if (const auto& h = s.latency[i * kLatencyStages + k])
          add_histogram(lat, {{"venue", venues[i]}, {"stage", std::string(stage_name(stage))}}, *h);
      }
    }
    out.push_back(std::move(lat));
  }

  if (s.ws) {
    const WsApiStats& w = *s.ws;
    auto clients = family("mdhub_ws_clients", "Websocket clients connected", MetricType::Gauge);
    add(clients, {}, static_cast<double>(w.clients));
    auto subs = family("mdhub_ws_subscriptions", "Concrete channel subscriptions", MetricType::Gauge);
    add(subs, {}, static_cast<double>(w.subscriptions));
    auto streams = family("mdhub_ws_streams", "Channels held (a channel is freed with its last subscriber)",
                          MetricType::Gauge);
    add(streams, {}, static_cast<double>(w.streams));
    auto sent = family("mdhub_ws_messages_total", "Messages queued to websocket clients", MetricType::Counter);
    add(sent, {}, static_cast<double>(w.messages_out));
    auto drop = family("mdhub_ws_dropped_total", "Messages or clients dropped, by reason", MetricType::Counter);
    add(drop, {{"reason", "conflated"}}, static_cast<double>(w.conflations));
    add(drop, {{"reason", "slow_consumer"}}, static_cast<double>(w.slow_consumers));
    add(drop, {{"reason", "too_many_clients"}}, static_cast<double>(w.rejected_clients));
    add(drop, {{"reason", "rate_limited"}}, static_cast<double>(w.rate_limit_closes));
    auto bad = family("mdhub_ws_bad_requests_total", "Error replies to client input", MetricType::Counter);
    add(bad, {}, static_cast<double>(w.bad_requests));
    auto ws_limited = family("mdhub_ws_rate_limited_total", "Client commands refused by the command rate limit",
                          MetricType::Counter);
    add(ws_limited, {}, static_cast<double>(w.rate_limited));
    for (auto* f : {&clients, &subs, &streams, &sent, &drop, &bad, &ws_limited}) out.push_back(std::move(*f));
  }
  if (s.ws_queued_bytes) {
    auto queued = family("mdhub_ws_queued_bytes", "Bytes queued to websocket clients and not yet written, all clients",
                         MetricType::Gauge);
    add(queued, {}, static_cast<double>(*s.ws_queued_bytes));
    out.push_back(std::move(queued));
  }

  if (s.server) {
    const net::ServerStats& st = *s.server;
    auto refused = family("mdhub_http_refused_total", "Requests and connections refused by the access rules, by reason",
                          MetricType::Counter);
    add(refused, {{"reason", "unauthorized"}}, static_cast<double>(st.unauthorized));
    add(refused, {{"reason", "forbidden_origin"}}, static_cast<double>(st.forbidden_origin));
    add(refused, {{"reason", "per_ip_limit"}}, static_cast<double>(st.per_ip_limit));
    add(refused, {{"reason", "header_timeout"}}, static_cast<double>(st.header_timeout));
    out.push_back(std::move(refused));
  }

  if (s.overloaded) {
    auto overloaded = family("mdhub_http_overloaded_total",
                             "Requests answered 503 overloaded: too many renders were waiting for the render worker",
                             MetricType::Counter);
    add(overloaded, {}, static_cast<double>(*s.overloaded));
    out.push_back(std::move(overloaded));
  }

  std::ostringstream os;
  prometheus::TextSerializer().Serialize(os, out);
  std::string text = std::move(os).str();
  text += s.extra;
  return text;
}


std::string Metrics::render() const { return serialize(*collect()); }

void Metrics::install(net::Server& server, net::Offload* offload) {
  server_stats_ = &server.stats();
  offload_ = offload;
  server.route("/metrics", [this, offload](const net::HttpRequest&, net::Respond respond) {
    auto answer = [](const State& state) {
      net::HttpResponse r;
      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
      r.body = serialize(state);
      return r;
    };
    if (!offload) return respond(answer(*collect()));
    offload->answer(std::move(respond), [answer, state = collect()] { return answer(*state); });
  });
}

}  // namespace mdhub
