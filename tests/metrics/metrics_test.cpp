// The Prometheus collector: REST families from FeedStats, the apply probe's stage split,
// the websocket queue gauge, the text-exposition helpers and the recorder's metrics.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "feeds/common/clock.hpp"
#include "src/app/recording.hpp"
#include "src/engine/engine.hpp"
#include "src/metrics/exposition.hpp"
#include "src/metrics/metrics.hpp"

namespace mdhub {
namespace {

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

/// An engine with one feed "v" and one instrument BTC-USDT.
struct Rig {
  Rig() {
    engine.add_feed("v");
    InstrumentTable t;
    Instrument i;
    i.venue = "v";
    i.symbol = "BTC-USDT";
    i.native = "btcusdt";
    i.base = "BTC";
    i.quote = "USDT";
    t.add(i);
    engine.on_instruments(0, t);
  }
  /// One payload with one trade.
  void trade(int64_t price) {
    ParseOut out;
    Event e;
    e.kind = EventKind::trade;
    e.recv = now();
    e.body = TradeMsg{price, 1, 1, kNone};
    out.events.push_back(e);
    std::vector<uint32_t> resync;
    engine.on_events(0, out, resync);
  }
  Engine engine;
};

/// A publisher that takes at least `spin` per change, like a fan-out to many clients.
class SlowPublisher final : public EngineObserver {
 public:
  explicit SlowPublisher(std::chrono::microseconds spin) : spin_(spin) {}
  void on_trade(const InstrumentState&, const TradeRecord&) override {
    const auto until = std::chrono::steady_clock::now() + spin_;
    while (std::chrono::steady_clock::now() < until) {
    }
  }

 private:
  std::chrono::microseconds spin_;
};

TEST(Metrics, ApplyProbeSplitsParsedToPublished) {
  Rig rig;
  Metrics m({&rig.engine, {}, nullptr, {}});
  SlowPublisher pub(std::chrono::microseconds(300));
  rig.engine.add_observer(&m.apply_probe());
  rig.engine.add_observer(&pub);
  rig.engine.add_observer(&m);
  for (int i = 0; i < 2 * static_cast<int>(Metrics::kStageSampleEvery); ++i) rig.trade(100 + i);
  const std::string text = m.render();
  // Stages are sampled, one payload in 16; tick to publish sees every payload.
  EXPECT_TRUE(has_line(text, R"(mdhub_stage_seconds_count{stage="read_to_parsed"} 2)")) << text;
  EXPECT_TRUE(has_line(text, R"(mdhub_stage_seconds_count{stage="parsed_to_published"} 2)"));
  EXPECT_TRUE(has_line(text, R"(mdhub_stage_seconds_count{stage="parsed_to_applied"} 2)"));
  EXPECT_TRUE(has_line(text, R"(mdhub_stage_seconds_count{stage="applied_to_published"} 2)"));
  // The slow publisher runs after the probe: its time is in applied_to_published only.
  EXPECT_TRUE(has_line(text, R"(mdhub_stage_seconds_bucket{stage="applied_to_published",le="0.00025"} 0)"));
  EXPECT_TRUE(has_line(text, R"(mdhub_tick_to_publish_seconds_count 32)"));
  EXPECT_TRUE(has_line(text, R"(mdhub_feed_messages_total{venue="v",channel="trades"} 32)"));
}

TEST(Metrics, ACollectedStateSerializesAsRenderedAtCollectTime) {
  Rig rig;
  PipelineLatency latency;
  Metrics m({&rig.engine, {}, nullptr, [](std::string& text) { text += "mdhub_extra_total 7\n"; }, &latency});
  rig.engine.add_observer(&m.apply_probe());
  rig.engine.add_observer(&m);
  for (int i = 0; i < 20; ++i) rig.trade(100 + i);
  const std::string at_collect = m.render();
  const auto state = m.collect();
  EXPECT_EQ(Metrics::serialize(*state), at_collect);
  // The live counters move on; the collected state does not.
  for (int i = 0; i < 20; ++i) rig.trade(200 + i);
  const std::string later = m.render();
  EXPECT_NE(later, at_collect);
  EXPECT_TRUE(has_line(later, R"(mdhub_feed_messages_total{venue="v",channel="trades"} 40)")) << later;
  EXPECT_EQ(Metrics::serialize(*state), at_collect);
  EXPECT_TRUE(has_line(at_collect, R"(mdhub_feed_messages_total{venue="v",channel="trades"} 20)")) << at_collect;
  EXPECT_TRUE(has_line(at_collect, "mdhub_extra_total 7"));
}

TEST(Metrics, WithoutTheProbeTheSplitIsNotExported) {
  Rig rig;
  Metrics m({&rig.engine, {}, nullptr, {}});
  rig.engine.add_observer(&m);
  for (int i = 0; i < 40; ++i) rig.trade(100 + i);
  const std::string text = m.render();
  EXPECT_TRUE(has_line(text, R"(mdhub_stage_seconds_count{stage="parsed_to_published"} 2)"));
  EXPECT_TRUE(has_line(text, R"(mdhub_tick_to_publish_seconds_count 40)"));
  EXPECT_EQ(text.find("stage=\"parsed_to_applied\""), std::string::npos);
  EXPECT_EQ(text.find("stage=\"applied_to_published\""), std::string::npos);
}

/// Stands in for the websocket fan-out: offers one frame per trade, as WsApi does.
class FramePublisher final : public EngineObserver {
 public:
  explicit FramePublisher(PipelineLatency& l) : l_(l) {}
  void on_trade(const InstrumentState& s, const TradeRecord&) override {
    frame = std::make_shared<const std::string>("frame");
    l_.offer_frame(s.feed, frame);
  }
  std::shared_ptr<const std::string> frame;

 private:
  PipelineLatency& l_;
};

TEST(Metrics, PerFeedStagesSampledAndExported) {
  Rig rig;
  PipelineLatency lat;
  Metrics m({&rig.engine, {}, nullptr, {}, &lat});
  FramePublisher pub(lat);
  rig.engine.add_observer(&m.apply_probe());
  rig.engine.add_observer(&pub);
  rig.engine.add_observer(&m);
  // 32 payloads received within a few ns of each other: the feed's first (nothing sampled
  // before it) and every 16th are sampled, the gap rule takes no other.
  const RecvTime base = now();
  uint64_t written = 0;
  for (int i = 0; i < 32; ++i) {
    ParseOut out;
    Event e;
    e.kind = EventKind::trade;
    e.recv = RecvTime{base.wall_ns + i, base.mono_ns + i};
    e.ts_exchange_us = i == 5 ? kNone : base.wall_ns / 1000 - 2'500;  // 2.5 ms before receive
    e.body = TradeMsg{100 + i, 1, 1, kNone};
    out.events.push_back(e);
    std::vector<uint32_t> resync;
    rig.engine.on_events(0, out, resync);
    lat.frame_written(pub.frame.get());  // a client's write completes
    written = lat.stage(0, LatencyStage::applied_to_written)->snapshot().count;
  }
  const auto count = [&](LatencyStage s) { return lat.stage(0, s)->snapshot().count; };
  EXPECT_EQ(count(LatencyStage::exchange_to_received), 31u);  // every payload with a stamp
  EXPECT_EQ(count(LatencyStage::received_to_parsed), 3u);
  EXPECT_EQ(count(LatencyStage::parsed_to_applied), 3u);
  EXPECT_EQ(written, 3u);
  const auto ex = lat.stage(0, LatencyStage::exchange_to_received)->snapshot();
  EXPECT_EQ(ex.counts[LogHistogram::bucket_of(2'500'000)], 31u);  // (2.048 ms, 4.096 ms]
  const std::string text = m.render();
  EXPECT_TRUE(has_line(text, R"(mdhub_feed_latency_seconds_count{venue="v",stage="exchange_to_received"} 31)")) << text;
  EXPECT_TRUE(has_line(text, R"(mdhub_feed_latency_seconds_bucket{venue="v",stage="exchange_to_received",le="0.001024"} 0)"));
  EXPECT_TRUE(has_line(text, R"(mdhub_feed_latency_seconds_bucket{venue="v",stage="exchange_to_received",le="0.004096"} 31)"));
  EXPECT_TRUE(has_line(text, R"(mdhub_feed_latency_seconds_count{venue="v",stage="received_to_parsed"} 3)"));
  EXPECT_TRUE(has_line(text, R"(mdhub_feed_latency_seconds_count{venue="v",stage="parsed_to_applied"} 3)"));
  EXPECT_TRUE(has_line(text, R"(mdhub_feed_latency_seconds_count{venue="v",stage="applied_to_written"} 3)"));
  // The global stages keep their one in 16.
  EXPECT_TRUE(has_line(text, R"(mdhub_stage_seconds_count{stage="read_to_parsed"} 2)"));
}

TEST(Metrics, WithoutALatencySourceNoPerFeedFamily) {
  Rig rig;
  Metrics m({&rig.engine, {}, nullptr, {}});
  rig.engine.add_observer(&m.apply_probe());
  rig.engine.add_observer(&m);
  rig.trade(100);
  EXPECT_EQ(m.render().find("mdhub_feed_latency_seconds"), std::string::npos);
}

TEST(Metrics, RestFamiliesPerVenue) {
  Rig rig;
  VenueConfig cfg;
  cfg.id = "v";
  FeedStats st;
  st.rest_requests = 7;
  st.rest.codes[static_cast<size_t>(RestCode::s200)] = 4;
  st.rest.codes[static_cast<size_t>(RestCode::s429)] = 1;
  st.rest.codes[static_cast<size_t>(RestCode::timeout)] = 1;
  st.rest.duration.observe(3'000'000);       // 3 ms
  st.rest.duration.observe(3'000'000);
  st.rest.duration.observe(40'000'000);      // 40 ms
  st.rest.duration.observe(10'000'000'000);  // 10 s: the default deadline
  st.rest.duration.observe(1'000'000);
  st.rest.duration.observe(1'000'000);
  st.rest.rate_wait_ns = 1'500'000'000;
  st.rate_waits = 3;
  Metrics m({&rig.engine, [&] { return std::vector<std::pair<const VenueConfig*, const FeedStats*>>{{&cfg, &st}}; },
             nullptr, {}});
  const std::string text = m.render();
  EXPECT_TRUE(has_line(text, R"(mdhub_rest_responses_total{venue="v",code="200"} 4)")) << text;
  EXPECT_TRUE(has_line(text, R"(mdhub_rest_responses_total{venue="v",code="429"} 1)"));
  EXPECT_TRUE(has_line(text, R"(mdhub_rest_responses_total{venue="v",code="timeout"} 1)"));
  EXPECT_TRUE(has_line(text, R"(mdhub_rest_responses_total{venue="v",code="5xx"} 0)"));
  EXPECT_TRUE(has_line(text, R"(mdhub_rest_responses_total{venue="v",code="error"} 0)"));
  EXPECT_TRUE(has_line(text, R"(mdhub_rest_request_duration_seconds_bucket{venue="v",le="0.001"} 2)"));
  EXPECT_TRUE(has_line(text, R"(mdhub_rest_request_duration_seconds_bucket{venue="v",le="0.005"} 4)"));
  EXPECT_TRUE(has_line(text, R"(mdhub_rest_request_duration_seconds_bucket{venue="v",le="0.05"} 5)"));
  EXPECT_TRUE(has_line(text, R"(mdhub_rest_request_duration_seconds_bucket{venue="v",le="10"} 6)"));
  EXPECT_TRUE(has_line(text, R"(mdhub_rest_request_duration_seconds_bucket{venue="v",le="+Inf"} 6)"));
  EXPECT_TRUE(has_line(text, R"(mdhub_rest_request_duration_seconds_count{venue="v"} 6)"));
  EXPECT_TRUE(has_line(text, R"(mdhub_rest_request_duration_seconds_sum{venue="v"} 10.048)"));
  EXPECT_TRUE(has_line(text, R"(mdhub_rest_rate_limit_wait_seconds_total{venue="v"} 1.5)"));
  EXPECT_TRUE(has_line(text, R"(mdhub_rest_rate_limit_waits_total{venue="v"} 3)"));
}

TEST(Metrics, WebsocketQueuedBytesGaugeWhenASourceIsSet) {
  Rig rig;
  Metrics m({&rig.engine, {}, nullptr, {}});
  EXPECT_EQ(m.render().find("mdhub_ws_queued_bytes"), std::string::npos);
  uint64_t queued = 12345;
  m.set_ws_queued_bytes([&] { return queued; });
  EXPECT_TRUE(has_line(m.render(), "mdhub_ws_queued_bytes 12345"));
  queued = 0;
  EXPECT_TRUE(has_line(m.render(), "mdhub_ws_queued_bytes 0"));
}

TEST(Exposition, SecondsAreExactDecimals) {
  EXPECT_EQ(prom::seconds_text(0), "0");
  EXPECT_EQ(prom::seconds_text(50'000), "0.00005");
  EXPECT_EQ(prom::seconds_text(1), "0.000000001");
  EXPECT_EQ(prom::seconds_text(2'500'000'000), "2.5");
  EXPECT_EQ(prom::seconds_text(10'000'000'000), "10");
  EXPECT_EQ(prom::seconds_text(1'000'000'123), "1.000000123");
}

TEST(Exposition, HistogramText) {
  std::string out;
  const int64_t bounds[] = {1'000'000, 500'000'000};
  const uint64_t counts[] = {2, 0, 1};
  prom::append_histogram(out, "x_seconds", "Help.", bounds, counts, 3'600'000'000);
  EXPECT_EQ(out,
            "# HELP x_seconds Help.\n# TYPE x_seconds histogram\n"
            "x_seconds_bucket{le=\"0.001\"} 2\nx_seconds_bucket{le=\"0.5\"} 2\nx_seconds_bucket{le=\"+Inf\"} 3\n"
            "x_seconds_sum 3.6\nx_seconds_count 3\n");
  std::string bad;
  prom::append_histogram(bad, "y", "Mismatched sizes.", bounds, std::span<const uint64_t>(counts, 2), 0);
  EXPECT_EQ(bad, "");
}

TEST(RecorderMetrics, FsyncHistogramAndCounters) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("mdhub-metrics-test-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  {
    RecordingConfig rc;
    rc.dir = dir.string();
    VenueConfig v;
    v.id = "v";
    RecordingObserver rec(rc, {&v});
    rec.on_raw(0, RawKind::ws, 0, now(), R"({"hello":"world"})");
    rec.close();  // drains, writes and fsyncs
    std::string text;
    rec.append_metrics(text);
    EXPECT_TRUE(has_line(text, "# TYPE mdhub_recorder_fsync_seconds histogram")) << text;
    EXPECT_EQ(text.find("mdhub_recorder_fsync_seconds_count 0\n"), std::string::npos) << text;
    EXPECT_TRUE(has_line(text, "mdhub_recorder_records_total 2"));  // the config meta record + one frame
    EXPECT_TRUE(has_line(text, "mdhub_recorder_records_written_total 2"));
    EXPECT_TRUE(has_line(text, "mdhub_recorder_dropped_total 0"));
    EXPECT_TRUE(has_line(text, "mdhub_recorder_overflow_total 0"));
    EXPECT_TRUE(has_line(text, "mdhub_recorder_too_large_total 0"));
    EXPECT_TRUE(has_line(text, "mdhub_recorder_lost_total 0"));
    EXPECT_TRUE(has_line(text, "mdhub_recorder_queue_bytes 0"));
    EXPECT_EQ(text.find("mdhub_recorder_bytes_total 0\n"), std::string::npos);
    // +Inf bucket equals the count.
    const auto inf = text.find("mdhub_recorder_fsync_seconds_bucket{le=\"+Inf\"} ");
    const auto cnt = text.find("mdhub_recorder_fsync_seconds_count ");
    ASSERT_NE(inf, std::string::npos);
    ASSERT_NE(cnt, std::string::npos);
    const auto value = [&](size_t at) {  // the last field of the line starting at `at`
      const auto line_end = text.find('\n', at);
      const auto last_space = text.rfind(' ', line_end);
      return text.substr(last_space + 1, line_end - last_space - 1);
    };
    EXPECT_EQ(value(inf), value(cnt));
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mdhub
