// Websocket side of the feed runtime against a mock venue on loopback.
#include <algorithm>

#include "tests/feeds_common/runtime_fixture.hpp"

namespace mdhub::test {
namespace {

using namespace std::chrono_literals;

class RuntimeWs : public RuntimeFixture {
 protected:
  std::shared_ptr<FakeScript> script_with_stream(const MockVenue& v, std::vector<std::string> subscribe,
                                                 const std::string& path = "/ws") {
    auto s = std::make_shared<FakeScript>();
    StreamPlan p;
    p.name = "main";
    p.url = v.ws_url(path);
    p.subscribe = std::move(subscribe);
    p.ping_interval = 0ms;
    p.idle_timeout = 5000ms;
    s->streams.push_back(p);
    return s;
  }
  static std::vector<std::string> received(const MockVenue& v, size_t peer) {
    return peer < v.peers.size() ? v.peers[peer]->received : std::vector<std::string>{};
  }
};

TEST_F(RuntimeWs, DiscoveryThenSubscribeFramesInOrder) {
  MockVenue v(io);
  v.on_http = discovery_then(nullptr);
  auto script = script_with_stream(v, {"sub-1", "sub-2", "sub-3"});
  auto cfg = config(v);
  cfg.symbols = {"btc-usdt"};  // canonical, any case
  auto r = make_runner(cfg, script);
  r->start();
  ASSERT_TRUE(run_until([&] { return received(v, 0).size() == 3; }));
  EXPECT_EQ(received(v, 0), (std::vector<std::string>{"sub-1", "sub-2", "sub-3"}));
  ASSERT_EQ(v.requests.size(), 1u);
  EXPECT_EQ(v.requests[0].target, "/fake/api/markets");
  ASSERT_EQ(sink.instruments.size(), 1u);
  EXPECT_EQ(sink.instruments[0], (std::vector<std::string>{"BTC-USDT"}));
  EXPECT_EQ(script->starts, 1);
  ASSERT_FALSE(sink.raws.empty());
  EXPECT_EQ(sink.raws[0].kind, RawKind::discovery);
  EXPECT_EQ(sink.raws[0].payload, "BTC-USDT:btcusdt,ETH-USDT:ethusdt");
  ASSERT_TRUE(run_until([&] { return r->stats().state == FeedState::live; }));
  EXPECT_GT(r->stats().connected_since_wall_ns, 0);
  EXPECT_EQ(sink.states, (std::vector<std::pair<size_t, FeedState>>{
                             {0, FeedState::discovering}, {0, FeedState::connecting}, {0, FeedState::live}}));
  r->stop();
  EXPECT_EQ(sink.states.back().second, FeedState::stopped);
  EXPECT_EQ(r->stats().state, FeedState::stopped);
}

TEST_F(RuntimeWs, NativeSymbolFilterAndEmptyMeansAll) {
  MockVenue v(io);
  v.on_http = discovery_then(nullptr);
  auto cfg = config(v);
  cfg.symbols = {"ETHUSDT", "DOGE-USDT"};  // native name; one the venue does not list
  auto r = make_runner(cfg, script_with_stream(v, {}));
  r->start();
  ASSERT_TRUE(run_until([&] { return !sink.instruments.empty(); }));
  EXPECT_EQ(sink.instruments[0], (std::vector<std::string>{"ETH-USDT"}));
  EXPECT_EQ(r->instruments().size(), 1u);
  EXPECT_EQ(r->stats().last_error, "symbols not listed by the venue: DOGE-USDT");

  auto r2 = make_runner(config(v), script_with_stream(v, {}), 1);
  r2->start();
  ASSERT_TRUE(run_until([&] { return sink.instruments.size() == 2; }));
  EXPECT_EQ(sink.instruments[1], (std::vector<std::string>{"BTC-USDT", "ETH-USDT"}));
}

TEST_F(RuntimeWs, FramesReachFeedAndEventsReachSink) {
  MockVenue v(io);
  v.on_http = discovery_then(nullptr);
  auto script = script_with_stream(v, {"sub"});
  auto r = make_runner(config(v), script);
  r->start();
  ASSERT_TRUE(run_until([&] { return received(v, 0).size() == 1; }));
  v.peers[0]->send("trade:1:4200000");
  v.peers[0]->send("pong");
  ASSERT_TRUE(run_until([&] { return script->frames.size() == 2; }));
  ASSERT_EQ(sink.trades.size(), 1u);
  EXPECT_EQ(sink.trades[0].instrument, 1u);
  EXPECT_EQ(sink.trades[0].price, 4200000);
  EXPECT_EQ(script->frames[0], (std::pair<size_t, std::string>{0, "trade:1:4200000"}));
  // Each frame reaches the feed with room for a JSON reader to parse it where it lies.
  EXPECT_EQ(script->frame_rooms, (std::vector<size_t>{kFramePadding, kFramePadding}));
  const auto& st = r->stats();
  EXPECT_EQ(st.messages, 2u);
  EXPECT_EQ(st.bytes, 15u + 4u);
  EXPECT_GT(st.last_message_mono_ns, 0);
  EXPECT_EQ(st.parse_errors, 0u);
  ASSERT_EQ(r->stream_stats().size(), 1u);
  EXPECT_EQ(r->stream_stats()[0].name, "main");
  EXPECT_EQ(r->stream_stats()[0].messages, 2u);
  EXPECT_TRUE(r->stream_stats()[0].connected);
  const auto& raw = sink.raws.back();
  EXPECT_EQ(raw.kind, RawKind::ws);
  EXPECT_EQ(raw.index, 0);
  EXPECT_EQ(raw.payload, "pong");
}

TEST_F(RuntimeWs, MalformedFrameIsCountedAndConnectionSurvives) {
  MockVenue v(io);
  v.on_http = discovery_then(nullptr);
  auto script = script_with_stream(v, {"sub"});
  auto r = make_runner(config(v), script);
  r->start();
  ASSERT_TRUE(run_until([&] { return received(v, 0).size() == 1; }));
  v.peers[0]->send("{not json");
  v.peers[0]->send("trade:0:7");
  ASSERT_TRUE(run_until([&] { return sink.trades.size() == 1; }));
  EXPECT_EQ(r->stats().parse_errors, 1u);
  EXPECT_EQ(r->stats().last_error, "main: unparsable frame '{not json'");
  EXPECT_EQ(r->stats().reconnects, 0u);
  EXPECT_EQ(v.peers.size(), 1u);
  EXPECT_TRUE(sink.streams_down.empty());
  EXPECT_EQ(r->stats().state, FeedState::live);
}

TEST_F(RuntimeWs, RefusedSubscriptionsAndRecognisedVariantsAreCounted) {
  MockVenue v(io);
  v.on_http = discovery_then(nullptr);
  auto script = script_with_stream(v, {"sub"});
  auto r = make_runner(config(v), script);
  r->start();
  ASSERT_TRUE(run_until([&] { return received(v, 0).size() == 1; }));
  v.peers[0]->send("seen:a");
  v.peers[0]->send("refused:depth BTCTRY: failed");
  v.peers[0]->send("seen:b");
  v.peers[0]->send("seen:a");
  v.peers[0]->send("trade:0:7");
  ASSERT_TRUE(run_until([&] { return sink.trades.size() == 1; }));
  const FeedStats& st = r->stats();
  EXPECT_EQ(st.subscription_failures, 1u);
  EXPECT_EQ(st.last_error, "subscription refused: depth BTCTRY: failed");
  EXPECT_EQ(st.detected, (std::vector<std::pair<std::string, uint64_t>>{{"variant_a", 2}, {"variant_b", 1}}));
  EXPECT_EQ(st.parse_errors, 0u);
  EXPECT_EQ(st.state, FeedState::live);  // the other subscriptions still deliver
}

TEST_F(RuntimeWs, PeerCloseReconnectsWithBackoffAndResubscribes) {
  MockVenue v(io);
  v.on_http = discovery_then(nullptr);
  auto r = make_runner(config(v), script_with_stream(v, {"a", "b"}));
  r->start();
  ASSERT_TRUE(run_until([&] { return received(v, 0).size() == 2; }));
  ASSERT_TRUE(run_until([&] { return r->stats().state == FeedState::live; }));
  const auto t0 = Clock::now();
  v.peers[0]->close();
  ASSERT_TRUE(run_until([&] { return !sink.streams_down.empty(); }));
  EXPECT_EQ(sink.streams_down[0], (std::pair<size_t, int>{0, 0}));
  EXPECT_EQ(r->stats().state, FeedState::connecting);
  EXPECT_NE(r->stats().last_error.find("closed by peer (code 1000"), std::string::npos) << r->stats().last_error;
  ASSERT_TRUE(run_until([&] { return received(v, 1).size() == 2; }));
  EXPECT_GE(Clock::now() - t0, 20ms);  // at least half the 40 ms backoff base
  EXPECT_EQ(received(v, 1), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r->stats().reconnects, 1u);
  EXPECT_EQ(r->stream_stats()[0].reconnects, 1u);
  ASSERT_TRUE(run_until([&] { return r->stats().state == FeedState::live; }));

  // An abrupt TCP drop (no close frame) is handled the same way.
  v.peers[1]->drop();
  ASSERT_TRUE(run_until([&] { return received(v, 2).size() == 2; }));
  EXPECT_EQ(sink.streams_down.size(), 2u);
  EXPECT_EQ(r->stats().reconnects, 2u);
}

TEST_F(RuntimeWs, IdleConnectionIsReplaced) {
  MockVenue v(io);
  v.on_http = discovery_then(nullptr);
  v.ws_read = false;  // never answers pings
  auto script = script_with_stream(v, {"sub"});
  script->streams[0].idle_timeout = 300ms;
  auto r = make_runner(config(v), script);
  r->start();
  ASSERT_TRUE(run_until([&] { return v.peers.size() == 1; }));
  const auto t0 = Clock::now();
  ASSERT_TRUE(run_until([&] { return v.peers.size() == 2; }));
  EXPECT_GE(Clock::now() - t0, 280ms);
  EXPECT_EQ(r->stats().reconnects, 1u);
  EXPECT_EQ(sink.streams_down.size(), 1u);
  EXPECT_NE(r->stats().last_error.find("nothing received for 300 ms"), std::string::npos) << r->stats().last_error;
}

TEST_F(RuntimeWs, QuietButAnsweringPingsIsNotIdle) {
  MockVenue v(io);
  v.on_http = discovery_then(nullptr);
  auto script = script_with_stream(v, {"sub"});
  script->streams[0].idle_timeout = 200ms;
  auto r = make_runner(config(v), script);
  r->start();
  ASSERT_TRUE(run_until([&] { return v.peers.size() == 1; }));
  run_for(700ms);
  EXPECT_EQ(v.peers.size(), 1u);
  EXPECT_EQ(r->stats().reconnects, 0u);
  EXPECT_GE(v.peers[0]->pings, 3);  // a protocol ping every ~100 ms of silence
}

TEST_F(RuntimeWs, AppLevelPingIsSent) {
  MockVenue v(io);
  v.on_http = discovery_then(nullptr);
  auto script = script_with_stream(v, {"sub"});
  script->streams[0].ping_text = R"({"op":"ping"})";
  script->streams[0].ping_interval = 40ms;
  auto r = make_runner(config(v), script);
  r->start();
  ASSERT_TRUE(run_until([&] { return received(v, 0).size() >= 4; }));
  auto got = received(v, 0);
  EXPECT_EQ(got[0], "sub");
  for (size_t i = 1; i < got.size(); ++i) EXPECT_EQ(got[i], R"({"op":"ping"})");
}

TEST_F(RuntimeWs, ResyncSendsFramesOnlyOnTheNamedStream) {
  MockVenue v(io);
  v.on_http = discovery_then(nullptr);
  auto script = script_with_stream(v, {"sub-a"}, "/a");
  StreamPlan b = script->streams[0];
  b.name = "b";
  b.url = v.ws_url("/b");
  b.subscribe = {"sub-b"};
  script->streams.push_back(b);
  script->resync_action.stream = 1;
  script->resync_action.frames = {"snapshot-please"};
  sink.resync_price = 999;
  auto r = make_runner(config(v), script);
  r->start();
  ASSERT_TRUE(run_until([&] { return v.peers_on("/a").size() == 1 && v.peers_on("/b").size() == 1; }));
  auto a = v.peers_on("/a")[0];
  auto bp = v.peers_on("/b")[0];
  ASSERT_TRUE(run_until([&] { return a->received.size() == 1 && bp->received.size() == 1; }));
  a->send("trade:1:999");
  ASSERT_TRUE(run_until([&] { return bp->received.size() == 2; }));
  EXPECT_EQ(bp->received[1], "snapshot-please");
  EXPECT_EQ(script->resyncs, (std::vector<uint32_t>{1}));
  // The public entry point does the same.
  r->resync(0);
  ASSERT_TRUE(run_until([&] { return bp->received.size() == 3; }));
  EXPECT_EQ(script->resyncs, (std::vector<uint32_t>{1, 0}));
  run_for(20ms);
  EXPECT_EQ(a->received, (std::vector<std::string>{"sub-a"}));
  EXPECT_EQ(r->stats().reconnects, 0u);
}

TEST_F(RuntimeWs, OversizedMessageIsAConnectionError) {
  MockVenue v(io);
  v.on_http = discovery_then(nullptr);
  auto script = script_with_stream(v, {"sub"});
  auto r = make_runner(config(v), script);
  r->start();
  ASSERT_TRUE(run_until([&] { return received(v, 0).size() == 1; }));
  v.peers[0]->send(std::string((size_t{16} << 20) + 1, 'x'));
  ASSERT_TRUE(run_until([&] { return received(v, 1).size() == 1; }));
  EXPECT_EQ(r->stats().parse_errors, 1u);
  EXPECT_EQ(r->stats().reconnects, 1u);
  EXPECT_EQ(sink.streams_down.size(), 1u);
  EXPECT_TRUE(script->frames.empty());
  v.peers[1]->send("trade:0:5");
  ASSERT_TRUE(run_until([&] { return sink.trades.size() == 1; }));
}

TEST_F(RuntimeWs, StoppedRunnerIsSafeWithQueuedHandlers) {
  MockVenue v(io);
  v.on_http = discovery_then(nullptr);
  auto r = make_runner(config(v), script_with_stream(v, {"sub"}));
  r->start();
  ASSERT_TRUE(run_until([&] { return received(v, 0).size() == 1; }));
  v.peers[0]->send("trade:0:1");
  r->stop();
  const auto states = sink.states.size();
  run_for(30ms);
  EXPECT_TRUE(sink.trades.empty());
  EXPECT_EQ(sink.states.size(), states);
  EXPECT_TRUE(run_until([&] { return !v.peers[0]->open; }));  // close frame reached the venue
  // Destroyed with a reconnect pending and data in flight.
  auto r2 = make_runner(config(v), script_with_stream(v, {"sub"}), 1);
  r2->start();
  ASSERT_TRUE(run_until([&] { return v.peers.size() == 2 && v.peers[1]->received.size() == 1; }));
  v.peers[1]->send("trade:0:2");
  v.peers[1]->drop();
  r2.reset();
  run_for(50ms);
  EXPECT_TRUE(sink.trades.empty());
}

}  // namespace
}  // namespace mdhub::test
