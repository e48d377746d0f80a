// The HTTP API in-process: exact answers for names (canonical or native, any case), for data
// a venue cannot have, and readiness, from an Engine fed by hand.
#include <deque>

#include "feeds/common/clock.hpp"
#include "src/publish/http_api.hpp"
#include "tests/net/net_fixture.hpp"

namespace mdhub {
namespace {

using net::test::HttpClient;
using net::test::ServerHarness;
namespace http = net::test::http;

Instrument inst(std::string venue, std::string symbol, std::string native) {
  Instrument i;
  i.venue = std::move(venue);
  i.base = symbol.substr(0, symbol.find('-'));
  i.quote = symbol.substr(symbol.find('-') + 1);
  i.symbol = std::move(symbol);
  i.native = std::move(native);
  i.price_scale = 2;
  return i;
}

/// btse (everything), narkasa (everything, native names without a dash) and coinmotion
/// (quotes only), each with one instrument; every feed live unless a test says otherwise.
class HttpApi : public ::testing::Test {
 protected:
  HttpApi() {
    VenueCapabilities quotes;
    quotes.book = false;
    quotes.trades = false;
    quotes.venue_candles = 0;
    Instrument btc = inst("btse", "BTC-USD", "BTC-USD");
    btc.tick = 50;  // 0.50
    add("btse", {}, std::move(btc));
    add("narkasa", {}, inst("narkasa", "BTC-TRY", "BTCTRY"));
    add("coinmotion", quotes, inst("coinmotion", "BTC-EUR", "btcEur"));
  }

  void add(const std::string& venue, VenueCapabilities caps, Instrument i) {
    const size_t feed = configs_.size();
    configs_.emplace_back().id = venue;
    stats_.emplace_back().state = FeedState::live;
    engine_.add_feed(venue, {}, caps);
    InstrumentTable& t = tables_.emplace_back();
    t.add(std::move(i));
    engine_.on_instruments(feed, t);
  }

  std::vector<FeedView> views() const {
    std::vector<FeedView> v;
    for (size_t i = 0; i < configs_.size(); ++i) v.push_back({&configs_[i], &stats_[i]});
    return v;
  }

  /// Status and body of GET `target` (the server is started on first use).
  std::pair<unsigned, std::string> get(const std::string& target) {
    if (!server_) {
      server_ = std::make_unique<ServerHarness>(net::ServerOptions{}, [this](net::Server& s) {
        install_http_api(s, engine_, [this] { return views(); }, [this] { return recorder_; }, &latency_);
      });
      client_ = std::make_unique<HttpClient>(server_->port());
    }
    auto res = client_->request(http::verb::get, target);
    return {res.result_int(), res.body()};
  }

  Engine engine_;
  PipelineLatency latency_;
  std::optional<RecorderView> recorder_;  ///< nullopt: not recording
  std::deque<VenueConfig> configs_;
  std::deque<FeedStats> stats_;
  std::deque<InstrumentTable> tables_;
  std::unique_ptr<ServerHarness> server_;
  std::unique_ptr<HttpClient> client_;
};

using Answer = std::pair<unsigned, std::string>;

TEST_F(HttpApi, NamesResolveInAnyCaseAndTheAnswerIsCanonical) {
  for (const char* target : {"/api/v1/trades/narkasa/BTCTRY", "/api/v1/trades/narkasa/btctry",
                             "/api/v1/trades/narkasa/btc-try", "/api/v1/trades/narkasa/BTC-TRY"}) {
    const auto [status, body] = get(target);
    EXPECT_EQ(status, 200u) << target;
    EXPECT_EQ(body.rfind(R"({"venue":"narkasa","symbol":"BTC-TRY",)", 0), 0u) << target << " " << body;
  }
  EXPECT_EQ(get("/api/v1/trades/btse/btc-usd").second.rfind(R"({"venue":"btse","symbol":"BTC-USD",)", 0), 0u);
  EXPECT_EQ(get("/api/v1/book/all/btctry").second.rfind(R"({"venue":"all","symbol":"BTC-TRY",)", 0), 0u);
  EXPECT_EQ(get("/api/v1/trades/btse/BTCTRY"),
            Answer(404, R"({"error":{"code":"unknown_symbol","message":"venue 'btse' has no instrument 'BTCTRY'"}})"));
}

TEST_F(HttpApi, WhatAVenueCannotHaveIsSaid) {
  const std::string all = R"({"error":{"code":"unsupported_channel","message":"venue 'all' (consolidated) exists for book, book<N> and bbo only"}})";
  EXPECT_EQ(get("/api/v1/ticker/all/BTC-USD"), Answer(404, all));
  EXPECT_EQ(get("/api/v1/candles/all/BTC-USD"), Answer(404, all));
  EXPECT_EQ(get("/api/v1/trades/coinmotion/btceur"),
            Answer(404, R"({"error":{"code":"unsupported_channel","message":"venue 'coinmotion' provides bbo and ticker, not trades"}})"));
  EXPECT_EQ(get("/api/v1/book/coinmotion/BTC-EUR"),
            Answer(404, R"({"error":{"code":"no_book","message":"venue 'coinmotion' provides bbo and ticker, not book"}})"));
  EXPECT_EQ(get("/api/v1/candles/coinmotion/BTC-EUR?interval=4h"),
            Answer(404, R"({"error":{"code":"unsupported_channel","message":"venue 'coinmotion' provides bbo and ticker, not candles.4h"}})"));
  // A venue with a book whose book has not come yet: unavailable, not absent.
  EXPECT_EQ(get("/api/v1/book/btse/BTC-USD"),
            Answer(503, R"({"error":{"code":"book_unavailable","message":"no btse BTC-USD book has arrived yet"}})"));
}

TEST_F(HttpApi, FeedsSayInSyncOnlyWhereThereIsABook) {
  const std::string body = get("/api/v1/feeds").second;
  EXPECT_NE(body.find(R"("symbols":{"BTC-EUR":{"gaps":0,"resyncs":0,"in_sync":null,"levels_trimmed":0,"audit":null}})"),
            std::string::npos) << body;
  EXPECT_NE(body.find(R"("symbols":{"BTC-USD":{"gaps":0,"resyncs":0,"in_sync":false,"levels_trimmed":0,"audit":null}})"),
            std::string::npos) << body;
}

TEST_F(HttpApi, FeedsShowEachStagesCountAndPercentilesInMicroseconds) {
  // narkasa (feed 1): 100 parses of 3 µs, in (2 µs, 4 µs]; 99 writes of 500 µs and one of
  // 1.5 ms, in (256, 512] µs and (1.024, 2.048] ms.
  for (int i = 0; i < 100; ++i) latency_.stage(1, LatencyStage::received_to_parsed)->observe(3'000);
  for (int i = 0; i < 99; ++i) latency_.stage(1, LatencyStage::applied_to_written)->observe_shared(500'000);
  latency_.stage(1, LatencyStage::applied_to_written)->observe_shared(1'500'000);
  const std::string body = get("/api/v1/feeds").second;
  const std::string none = R"({"count":0,"p50_us":null,"p99_us":null})";
  // Write p50: rank 50 of the 99 in (256, 512] µs, 256 + 256 * 50 / 99 = 385.3; p99: rank 99,
  // the top of that bucket.
  EXPECT_NE(body.find(R"("last_error":null,"latency":{"exchange_to_received":)" + none +
                      R"(,"received_to_parsed":{"count":100,"p50_us":3,"p99_us":4},"parsed_to_applied":)" + none +
                      R"(,"applied_to_written":{"count":100,"p50_us":385,"p99_us":512}},"symbols":{"BTC-TRY")"),
            std::string::npos) << body;
  EXPECT_NE(body.find(R"("latency":{"exchange_to_received":)" + none + R"(,"received_to_parsed":)" + none +
                      R"(,"parsed_to_applied":)" + none + R"(,"applied_to_written":)" + none + R"(},"symbols":{"BTC-USD")"),
            std::string::npos) << body;
}

TEST_F(HttpApi, InstrumentsNameTheirTickAndBook) {
  const std::string body = get("/api/v1/instruments").second;
  // btse publishes its tick; narkasa's is inferred by the ladder; coinmotion has no book.
  for (const char* want : {R"("native":"BTC-USD","base":"BTC","quote":"USD","price_scale":2,"qty_scale":8,"tick":"0.5","book":"ladder"})",
                           R"("native":"BTCTRY","base":"BTC","quote":"TRY","price_scale":2,"qty_scale":8,"tick":null,"book":"ladder"})",
                           R"("native":"btcEur","base":"BTC","quote":"EUR","price_scale":2,"qty_scale":8,"tick":null,"book":null})"})
    EXPECT_NE(body.find(want), std::string::npos) << want << "\n" << body;
}

TEST_F(HttpApi, AStaleFeedsBooksAreStale) {
  engine_.on_state(1, FeedState::down);
  const int64_t t = now().mono_ns;
  engine_.check_stale(t - 6'000'000'000);
  engine_.check_stale(t);
  ASSERT_TRUE(engine_.feed_stale(1));
  const auto [status, body] = get("/api/v1/book/narkasa/btctry");
  EXPECT_EQ(status, 503u);
  const std::string head = R"({"error":{"code":"book_stale","message":"the narkasa feed is down and has not been live for 6)";
  const std::string tail = R"( ms: its BTC-TRY book is stale"}})";
  EXPECT_EQ(body.rfind(head, 0), 0u) << body;
  ASSERT_GE(body.size(), head.size() + tail.size());
  EXPECT_EQ(body.substr(body.size() - tail.size()), tail) << body;
  // The other venues' books are what they were.
  EXPECT_EQ(get("/api/v1/book/btse/BTC-USD").second,
            R"({"error":{"code":"book_unavailable","message":"no btse BTC-USD book has arrived yet"}})");
}

TEST_F(HttpApi, AConfiguredSymbolOfAFeedThatIsDownIsFeedDown) {
  // bitexbit never got through discovery: the engine knows none of its instruments.
  const size_t feed = configs_.size();
  VenueConfig& c = configs_.emplace_back();
  c.id = "bitexbit";
  c.symbols = {"BTC-USDT", "eth_usdt"};
  FeedStats& st = stats_.emplace_back();
  st.state = FeedState::down;
  st.last_error = "discovery: HTTP 503";
  engine_.add_feed("bitexbit");
  ASSERT_EQ(feed, 3u);
  EXPECT_EQ(get("/api/v1/book/bitexbit/btc-usdt"),
            Answer(503, R"({"error":{"code":"feed_down","message":"venue 'bitexbit' is down and has not listed 'btc-usdt' yet; last error: discovery: HTTP 503"}})"));
  EXPECT_EQ(get("/api/v1/trades/bitexbit/ETH_USDT").first, 503u);
  EXPECT_EQ(get("/api/v1/book/bitexbit/BTC-EUR"),
            Answer(404, R"({"error":{"code":"unknown_symbol","message":"venue 'bitexbit' has no instrument 'BTC-EUR'"}})"));
  // Once live (and still without it: the venue does not list it), it is simply unknown.
  server_->on_io([this] {
    stats_[3].state = FeedState::live;
    return 0;
  });
  EXPECT_EQ(get("/api/v1/book/bitexbit/BTC-USDT").first, 404u);
}

TEST_F(HttpApi, ReadyOnlyWithEveryFeedLive) {
  EXPECT_EQ(get("/readyz").first, 200u);
  server_->on_io([this] {  // the server reads the stats on its own thread
    stats_[1].state = FeedState::down;
    return 0;
  });
  EXPECT_EQ(get("/readyz").first, 503u);
}

TEST_F(HttpApi, AFailingRecorderIsNotReadyAndSaysWhy) {
  EXPECT_NE(get("/api/v1/feeds").second.find(R"(],"recorder":null})"), std::string::npos);
  recorder_ = RecorderView{true, 12, 0, 0, 0, 1, 0, ""};
  auto [status, body] = get("/readyz");
  EXPECT_EQ(status, 200u);
  EXPECT_NE(body.find(R"(,"recorder":{"healthy":true,"records_written":12,"dropped":0,"lost":0,"errors":0,"segments":1,"segments_deleted":0,"last_error":""}})"),
            std::string::npos) << body;
  recorder_ = RecorderView{false, 12, 1, 7, 3, 2, 1, "recorder: write to seg failed: No space left on device"};
  const std::string failing =
      R"("recorder":{"healthy":false,"records_written":12,"dropped":1,"lost":7,"errors":3,"segments":2,"segments_deleted":1,"last_error":"recorder: write to seg failed: No space left on device"}})";
  std::tie(status, body) = get("/readyz");
  EXPECT_EQ(status, 503u);
  EXPECT_EQ(body.rfind(R"({"status":"not_ready",)", 0), 0u) << body;
  EXPECT_NE(body.find(failing), std::string::npos) << body;
  EXPECT_EQ(get("/healthz").first, 200u);  // alive all the same
  body = get("/api/v1/feeds").second;
  EXPECT_NE(body.find(R"(],)" + failing), std::string::npos) << body;
}

TEST_F(HttpApi, NeverReadyWithNoFeed) {
  configs_.clear();
  stats_.clear();
  EXPECT_EQ(get("/readyz"), Answer(503, R"({"status":"not_ready","feeds":{}})"));
  EXPECT_EQ(get("/healthz"), Answer(200, R"({"status":"ok","feeds":{}})"));
}

/// A book snapshot of `feed`'s first instrument, received at `recv_us`, as its parser hands it over.
void snapshot(Engine& e, size_t feed, std::vector<LevelUpdate> levels, int64_t recv_us) {
  ParseOut out;
  BookMsg m;
  m.type = BookMsg::Type::snapshot;
  m.seq = 1;
  m.level_count = static_cast<uint32_t>(levels.size());
  out.levels = std::move(levels);
  Event ev;
  ev.kind = EventKind::book;
  ev.recv = {recv_us * 1000, recv_us * 1000};
  ev.body = m;
  out.events.push_back(ev);
  std::vector<uint32_t> resync;
  e.on_events(feed, out, resync);
  EXPECT_TRUE(resync.empty());
}

// The consolidated book is kept only while a websocket channel watches it; unwatched, the
// answer is merged from the member books for the request, byte for byte the kept book's.
TEST_F(HttpApi, ConsolidatedBookAnswersTheSameWatchedOrNot) {
  Instrument fine = inst("bitexbit", "BTC-USD", "btc_usd");
  fine.price_scale = 3;
  fine.qty_scale = 4;
  add("bitexbit", {}, std::move(fine));  // finer prices, coarser sizes: merged at 3 and 8
  snapshot(engine_, 0, {{Side::bid, 10050, 150000000}, {Side::bid, 10000, 200000000}, {Side::ask, 10100, 100000000}},
           1'700'000'000'000'001);
  snapshot(engine_, 3,
           {{Side::bid, 100500, 2500}, {Side::bid, 100250, 30000}, {Side::ask, 101000, 5000}, {Side::ask, 101125, 10000}},
           1'700'000'000'000'002);
  const ConsolidatedState& c = *engine_.find_consolidated("BTC-USD");
  ASSERT_FALSE(c.maintained());
  const Answer want(200,
      R"({"venue":"all","symbol":"BTC-USD","seq":2,"ts_exchange":null,"ts_received":1700000000000002,"venues":["btse","bitexbit"],)"
      R"("bids":[["100.5","1.75",{"btse":"1.5","bitexbit":"0.25"}],["100.25","3",{"bitexbit":"3"}],["100","2",{"btse":"2"}]],)"
      R"("asks":[["101","1.5",{"btse":"1","bitexbit":"0.5"}],["101.125","1",{"bitexbit":"1"}]]})");
  EXPECT_EQ(get("/api/v1/book/all/BTC-USD"), want);
  EXPECT_EQ(c.book.size(Side::bid), 0u);  // answered, not kept
  engine_.watch_consolidated(c.index);
  EXPECT_EQ(get("/api/v1/book/all/BTC-USD"), want);

  // Changed while watched, then unwatched: both answers follow the same books.
  snapshot(engine_, 3, {{Side::bid, 100750, 10000}, {Side::ask, 101125, 10000}}, 1'700'000'000'000'003);
  const auto watched = get("/api/v1/book/all/BTC-USD?depth=2");
  EXPECT_EQ(watched, Answer(200,
      R"({"venue":"all","symbol":"BTC-USD","seq":3,"ts_exchange":null,"ts_received":1700000000000003,"venues":["btse","bitexbit"],)"
      R"("bids":[["100.75","1",{"bitexbit":"1"}],["100.5","1.5",{"btse":"1.5"}]],)"
      R"("asks":[["101","1",{"btse":"1"}],["101.125","1",{"bitexbit":"1"}]]})"));
  engine_.unwatch_consolidated(c.index);
  ASSERT_FALSE(c.maintained());
  EXPECT_EQ(get("/api/v1/book/all/BTC-USD?depth=2"), watched);
}

}  // namespace
}  // namespace mdhub
