// REST side of the feed runtime: polls, keep-alive, 429, 5xx, timeouts, token bucket,
// discovery retries and a venue that is down next to one that works.
#include <boost/asio/ip/tcp.hpp>

#include <algorithm>
#include <chrono>

#include "tests/feeds_common/runtime_fixture.hpp"

namespace mdhub::test {
namespace {

using namespace std::chrono_literals;

class RuntimeRest : public RuntimeFixture {
 protected:
  static std::shared_ptr<FakeScript> polling(std::chrono::milliseconds interval) {
    auto s = std::make_shared<FakeScript>();
    s->polls.push_back(PollPlan{"depth", interval});
    return s;
  }
  static std::vector<MockRequest> polls_seen(const MockVenue& v) {
    std::vector<MockRequest> r;
    for (const auto& q : v.requests)
      if (q.target == "/fake/api/poll/0") r.push_back(q);
    return r;
  }
  static int64_t gap_ms(const MockRequest& a, const MockRequest& b) { return (b.mono_ns - a.mono_ns) / 1'000'000; }
};

MockReply ok(std::string body) { return MockReply{200, std::move(body), {}, 0, false, false}; }

TEST_F(RuntimeRest, PollsReuseOneKeptAliveConnection) {
  MockVenue v(io);
  int n = 0;
  v.on_http = discovery_then([&](const MockRequest&) { return ok("trade:0:" + std::to_string(++n)); });
  auto script = polling(15ms);
  auto r = make_runner(config(v), script);
  r->start();
  ASSERT_TRUE(run_until([&] { return sink.trades.size() >= 5; }));
  EXPECT_EQ(v.connections, 1);
  EXPECT_EQ(sink.trades[0].price, 1);
  EXPECT_EQ(sink.trades[4].price, 5);
  EXPECT_EQ(script->polled[0], (std::pair<size_t, std::string>{0, "trade:0:1"}));
  EXPECT_EQ(r->stats().state, FeedState::live);
  EXPECT_EQ(r->stats().rest_errors, 0u);
  EXPECT_GE(r->stats().rest_requests, 6u);  // discovery + polls
  bool saw_poll_raw = false;
  for (const auto& raw : sink.raws) saw_poll_raw |= raw.kind == RawKind::poll && raw.index == 0 && raw.payload == "trade:0:1";
  EXPECT_TRUE(saw_poll_raw);
  EXPECT_EQ(v.max_concurrent_http, 1);
}

TEST_F(RuntimeRest, AuditsTakeTheInstrumentsInTurnThroughRestAndCanResync) {
  MockVenue v(io);
  v.on_http = discovery_then([&](const MockRequest& q) {
    // Instrument 1's snapshot asks the sink for a resync (a trade at resync_price).
    if (q.target == "/fake/api/audit/1") return ok("trade:1:7");
    if (q.target.starts_with("/fake/api/audit/")) return ok("trade:0:3");
    return ok("trade:0:1");
  });
  sink.resync_price = 7;
  auto script = polling(50ms);
  script->audit_prefix = "/audit/";
  auto cfg = config(v);
  cfg.options["audit_interval_ms"] = "200";
  auto r = make_runner(cfg, script);
  r->start();
  ASSERT_TRUE(run_until([&] { return sink.audits.size() >= 4; }));
  // Round robin, one instrument per half interval, each parsed by parse_audit only.
  for (size_t i = 0; i < 4; ++i)
    EXPECT_EQ(sink.audits[i], (std::pair<size_t, uint32_t>{0, static_cast<uint32_t>(i % 2)}));
  for (const auto& [inst, body] : script->audited) EXPECT_EQ(body, inst == 1 ? "trade:1:7" : "trade:0:3");
  for (const auto& [poll, body] : script->polled) EXPECT_EQ(body, "trade:0:1");
  for (const auto& t : sink.trades) EXPECT_EQ(t.price, 1) << "an audit snapshot is never applied";
  EXPECT_GE(std::count(script->resyncs.begin(), script->resyncs.end(), 1u), 2);
  EXPECT_EQ(std::count(script->resyncs.begin(), script->resyncs.end(), 0u), 0);
  size_t audit_requests = 0;
  for (const auto& q : v.requests) audit_requests += q.target.starts_with("/fake/api/audit/");
  EXPECT_GE(audit_requests, script->audited.size());
}

TEST_F(RuntimeRest, NoAuditsWhenTurnedOffOrNothingToAudit) {
  MockVenue v(io);
  v.on_http = discovery_then([&](const MockRequest&) { return ok("trade:0:1"); });
  auto off = polling(20ms);
  off->audit_prefix = "/audit/";
  auto cfg = config(v);
  cfg.options["audit_interval_ms"] = "0";
  auto r1 = make_runner(cfg, off, 0);
  cfg.options["audit_interval_ms"] = "100";
  auto r2 = make_runner(cfg, polling(20ms), 1);  // the feed names no audit target
  r1->start();
  r2->start();
  run_for(500ms);
  EXPECT_GE(sink.trades.size(), 4u);
  EXPECT_TRUE(sink.audits.empty());
  for (const auto& q : v.requests) EXPECT_FALSE(q.target.starts_with("/fake/api/audit/")) << q.target;
}

TEST_F(RuntimeRest, ServerClosingKeepAliveIsReopened) {
  MockVenue v(io);
  v.on_http = discovery_then([&](const MockRequest&) {
    auto rep = ok("trade:0:1");
    rep.close = true;
    return rep;
  });
  auto r = make_runner(config(v), polling(10ms));
  r->start();
  ASSERT_TRUE(run_until([&] { return sink.trades.size() >= 3; }));
  EXPECT_EQ(r->stats().rest_errors, 0u);
  EXPECT_GE(v.connections, 3);
}

TEST_F(RuntimeRest, Http429PausesForRetryAfterThenRecovers) {
  MockVenue v(io);
  int polls = 0;
  v.on_http = discovery_then([&](const MockRequest&) {
    if (++polls == 1) return MockReply{429, "slow down", {{"Retry-After", "1"}}, 0, false, false};
    return ok("trade:0:1");
  });
  auto script = polling(20ms);
  auto r = make_runner(config(v), script);
  r->start();
  ASSERT_TRUE(run_until([&] { return sink.trades.size() == 1; }));
  auto seen = polls_seen(v);
  ASSERT_GE(seen.size(), 2u);
  EXPECT_GE(gap_ms(seen[0], seen[1]), 950);
  EXPECT_EQ(r->stats().rate_limited, 1u);
  EXPECT_EQ(r->stats().rest_errors, 1u);
  for (const auto& [i, body] : script->polled) EXPECT_NE(body, "slow down");
  EXPECT_EQ(r->stats().state, FeedState::live);
}

TEST_F(RuntimeRest, RetryAfterTimestampIsHeldToSixtySecondsAndItsFormCounted) {
  MockVenue v(io);
  v.on_http = discovery_then([&](const MockRequest&) {
    // The venue says "unlocked in an hour", as an epoch time in seconds.
    const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch()).count();
    return MockReply{429, "slow down", {{"Retry-After", std::to_string(now_s + 3600)}}, 0, false, false};
  });
  auto script = polling(20ms);
  auto r = make_runner(config(v), script);
  r->start();
  ASSERT_TRUE(run_until([&] { return r->stats().rate_limited == 1; }));
  EXPECT_EQ(r->stats().last_error, "GET /poll/0: HTTP 429, REST paused for 60000 ms");
  EXPECT_EQ(r->stats().detected, (std::vector<std::pair<std::string, uint64_t>>{{"retry_after_epoch_s", 1}}));
}

TEST_F(RuntimeRest, ServerErrorsBackOffAndNeverReachTheParser) {
  MockVenue v(io);
  int polls = 0;
  v.on_http = discovery_then([&](const MockRequest&) {
    if (++polls <= 3) return MockReply{503, "oops", {}, 0, false, false};
    return ok("trade:0:1");
  });
  auto cfg = config(v);
  cfg.options["backoff_base_ms"] = "100";
  auto script = polling(5ms);
  auto r = make_runner(cfg, script);
  r->start();
  ASSERT_TRUE(run_until([&] { return sink.trades.size() == 1; }));
  auto seen = polls_seen(v);
  ASSERT_GE(seen.size(), 4u);
  for (size_t i = 1; i < 4; ++i) EXPECT_GE(gap_ms(seen[i - 1], seen[i]), 45) << i;
  EXPECT_EQ(r->stats().rest_errors, 3u);
  EXPECT_EQ(r->stats().last_error, "GET /poll/0: HTTP 503");
  EXPECT_EQ(script->polled.size(), 1u);
  EXPECT_TRUE(sink.saw_state(0, FeedState::down));  // three failures in a row
  EXPECT_EQ(r->stats().state, FeedState::live);
}

TEST_F(RuntimeRest, TimeoutDropsTheConnectionAndRetries) {
  MockVenue v(io);
  int polls = 0;
  v.on_http = discovery_then([&](const MockRequest&) {
    if (++polls == 1) return MockReply{200, "", {}, 0, true, false};  // never answers
    return ok("trade:0:1");
  });
  auto cfg = config(v);
  cfg.options["rest_timeout_ms"] = "150";
  auto r = make_runner(cfg, polling(10ms));
  r->start();
  ASSERT_TRUE(run_until([&] { return sink.trades.size() == 1; }));
  EXPECT_EQ(r->stats().rest_errors, 1u);
  EXPECT_EQ(v.connections, 2);
  auto seen = polls_seen(v);
  ASSERT_GE(seen.size(), 2u);
  EXPECT_GE(gap_ms(seen[0], seen[1]), 150);
}

TEST_F(RuntimeRest, SlowPollIsSkippedNotPiledUp) {
  MockVenue v(io);
  v.on_http = discovery_then([&](const MockRequest&) {
    auto rep = ok("trade:0:1");
    rep.delay_ms = 100;
    return rep;
  });
  auto r = make_runner(config(v), polling(10ms));
  r->start();
  ASSERT_TRUE(run_until([&] { return sink.trades.size() == 3; }));
  EXPECT_EQ(polls_seen(v).size(), 3u);
  EXPECT_EQ(v.max_concurrent_http, 1);
  EXPECT_EQ(r->stats().rest_errors, 0u);
}

TEST_F(RuntimeRest, TokenBucketDelaysRequests) {
  MockVenue v(io);
  v.on_http = discovery_then([&](const MockRequest&) { return ok("trade:0:1"); });
  auto cfg = config(v);
  cfg.rate_limit_rps = 20;  // one request per 50 ms after a burst of one
  cfg.rate_limit_burst = 1;
  auto r = make_runner(cfg, polling(5ms));
  r->start();
  ASSERT_TRUE(run_until([&] { return v.requests.size() >= 5; }));
  // Cumulative, not pairwise: a request the loop served late leaves a shorter gap before the
  // next one. The bucket never grants the i-th request before i * 50 ms after the first
  // grant; the times here are when the mock venue read each request, and the first one may
  // have been read late on a loaded machine, so one interval is allowed for it (the exact
  // arithmetic is RuntimeTokenBucket's, with a clock of its own).
  for (size_t i = 2; i < v.requests.size(); ++i)
    EXPECT_GE(gap_ms(v.requests[0], v.requests[i]), 50 * static_cast<int64_t>(i - 1)) << i;
  EXPECT_GE(r->stats().rate_waits, 3u);
}

TEST_F(RuntimeRest, DiscoveryFailureIsRetried) {
  MockVenue v(io);
  int calls = 0;
  v.on_http = [&](const MockRequest& q) {
    if (q.target == "/fake/api/markets" && ++calls <= 2) return MockReply{500, "down", {}, 0, false, false};
    return discovery_then([](const MockRequest&) { return ok("trade:0:1"); })(q);
  };
  auto r = make_runner(config(v), polling(20ms));
  r->start();
  ASSERT_TRUE(run_until([&] { return r->stats().state == FeedState::live; }));
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(sink.instruments.size(), 1u);
  EXPECT_EQ(sink.states[0].second, FeedState::discovering);
  EXPECT_EQ(sink.states[1].second, FeedState::down);
  EXPECT_EQ(r->stats().rest_errors, 2u);
}

TEST_F(RuntimeRest, MalformedDiscoveryIsAParseErrorAndRetried) {
  MockVenue v(io);
  int calls = 0;
  v.on_http = [&](const MockRequest& q) {
    if (q.target == "/fake/api/markets" && ++calls == 1) return ok("garbage");
    return discovery_then(nullptr)(q);
  };
  auto r = make_runner(config(v), polling(1000ms));
  r->start();
  ASSERT_TRUE(run_until([&] { return sink.instruments.size() == 1; }));
  EXPECT_EQ(r->stats().parse_errors, 1u);
  EXPECT_TRUE(sink.saw_state(0, FeedState::down));
}

TEST_F(RuntimeRest, PagedDiscoveryReadsEveryPageBeforeChoosing) {
  MockVenue v(io);
  int page2 = 0;
  v.on_http = [&](const MockRequest& q) {
    if (q.target == "/fake/api/markets") return ok("BTC-USDT:btcusdt|/markets?page=2");
    // The second page fails once: discovery starts over from the first.
    if (q.target == "/fake/api/markets?page=2")
      return ++page2 == 1 ? MockReply{500, "down", {}, 0, false, false} : ok("ETH-USDT:ethusdt");
    return ok("trade:0:1");
  };
  VenueConfig cfg = config(v);
  cfg.symbols = {"ETH-USDT", "BTC-USDT"};
  auto r = make_runner(cfg, polling(1000ms));
  r->start();
  ASSERT_TRUE(run_until([&] { return r->stats().state == FeedState::live; }));
  // One choice, from both pages, published once.
  ASSERT_EQ(sink.instruments.size(), 1u);
  EXPECT_EQ(sink.instruments[0], (std::vector<std::string>{"BTC-USDT", "ETH-USDT"}));
  std::vector<std::string> targets;
  for (const auto& q : v.requests)
    if (q.target.starts_with("/fake/api/markets")) targets.push_back(q.target);
  EXPECT_EQ(targets, (std::vector<std::string>{"/fake/api/markets", "/fake/api/markets?page=2", "/fake/api/markets",
                                               "/fake/api/markets?page=2"}));
  EXPECT_TRUE(r->stats().last_error.find("symbols not listed") == std::string::npos) << r->stats().last_error;
}

TEST_F(RuntimeRest, EndlessDiscoveryPagingIsCutAndRetried) {
  MockVenue v(io);
  v.on_http = [&](const MockRequest&) { return ok("BTC-USDT:btcusdt|/markets?again"); };
  auto r = make_runner(config(v), polling(1000ms));
  r->start();
  ASSERT_TRUE(run_until([&] { return r->stats().last_error == "discovery: more than 100 pages"; }));
  EXPECT_EQ(v.requests.size(), 100u);
  EXPECT_TRUE(sink.instruments.empty());
  EXPECT_EQ(r->stats().state, FeedState::down);
}

TEST_F(RuntimeRest, RefusedVenueIsDownWhileAnotherRunnerWorks) {
  // A port nobody listens on: bind, read the port, close.
  uint16_t dead_port = 0;
  {
    boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    dead_port = a.local_endpoint().port();
  }
  MockVenue v(io);
  v.on_http = discovery_then([&](const MockRequest&) { return ok("trade:0:1"); });
  auto bad_cfg = config(v);
  bad_cfg.rest_base = "http://127.0.0.1:" + std::to_string(dead_port) + "/x";
  auto bad = make_runner(bad_cfg, polling(10ms), 1);
  auto good = make_runner(config(v), polling(10ms), 0);
  bad->start();
  good->start();
  ASSERT_TRUE(run_until([&] { return bad->stats().rest_errors >= 3 && sink.trades.size() >= 3; }));
  EXPECT_EQ(bad->stats().state, FeedState::down);
  EXPECT_NE(bad->stats().last_error.find("Connection refused"), std::string::npos) << bad->stats().last_error;
  EXPECT_EQ(good->stats().state, FeedState::live);
  for (const auto& t : sink.trades) EXPECT_EQ(t.feed, 0u);
}

TEST_F(RuntimeRest, RestOnlyVenueGoesDownAfterRepeatedFailuresAndComesBack) {
  MockVenue v(io);
  bool failing = false;
  v.on_http = discovery_then([&](const MockRequest&) {
    return failing ? MockReply{502, "", {}, 0, false, false} : ok("trade:0:1");
  });
  auto cfg = config(v);
  cfg.options["backoff_base_ms"] = "10";
  cfg.options["backoff_cap_ms"] = "20";
  auto r = make_runner(cfg, polling(5ms));
  r->start();
  ASSERT_TRUE(run_until([&] { return r->stats().state == FeedState::live; }));
  failing = true;
  ASSERT_TRUE(run_until([&] { return r->stats().state == FeedState::down; }));
  EXPECT_EQ(r->stats().connected_since_wall_ns, 0);
  failing = false;
  ASSERT_TRUE(run_until([&] { return r->stats().state == FeedState::live; }));
}

TEST_F(RuntimeRest, BadRestBaseIsReported) {
  VenueConfig cfg;
  cfg.id = "fake";
  cfg.rest_base = "ftp://nowhere";
  auto r = make_runner(cfg, polling(10ms));
  r->start();
  EXPECT_EQ(r->stats().state, FeedState::down);
  EXPECT_EQ(r->stats().last_error, "rest_base: unsupported url scheme 'ftp'");
}

}  // namespace
}  // namespace mdhub::test
