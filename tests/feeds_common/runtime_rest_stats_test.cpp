// REST accounting of the feed runtime: outcome classes (the `code` label of
// mdhub_rest_responses_total), request durations and token-bucket wait time.
#include <boost/asio/ip/tcp.hpp>
#include <numeric>

#include "tests/feeds_common/runtime_fixture.hpp"

namespace mdhub::test {
namespace {

using namespace std::chrono_literals;

uint64_t code(const FeedStats& s, RestCode c) { return s.rest.codes[static_cast<size_t>(c)]; }
uint64_t completed(const FeedStats& s) {
  return std::accumulate(s.rest.codes.begin(), s.rest.codes.end(), uint64_t{0});
}
/// Duration samples strictly above `ns` (bucket bounds are inclusive upper bounds).
uint64_t samples_above(const RestDurationHistogram& h, int64_t ns) {
  uint64_t n = 0;
  for (size_t i = 0; i < h.counts().size(); ++i)
    if (i > 0 && RestDurationHistogram::kBoundsNs[i - 1] >= ns) n += h.counts()[i];
  return n;
}

TEST(RuntimeRestCode, ClassifiesEveryOutcome) {
  EXPECT_EQ(classify_rest(true, false, 200), RestCode::s200);
  EXPECT_EQ(classify_rest(true, false, 204), RestCode::s2xx);
  EXPECT_EQ(classify_rest(true, false, 299), RestCode::s2xx);
  EXPECT_EQ(classify_rest(true, false, 301), RestCode::s3xx);
  EXPECT_EQ(classify_rest(true, false, 429), RestCode::s429);
  EXPECT_EQ(classify_rest(true, false, 404), RestCode::s4xx);
  EXPECT_EQ(classify_rest(true, false, 500), RestCode::s5xx);
  EXPECT_EQ(classify_rest(true, false, 599), RestCode::s5xx);
  EXPECT_EQ(classify_rest(true, false, 600), RestCode::other);
  EXPECT_EQ(classify_rest(true, false, 101), RestCode::other);
  EXPECT_EQ(classify_rest(false, true, 0), RestCode::timeout);
  EXPECT_EQ(classify_rest(false, false, 0), RestCode::error);
  // A status is meaningless without a complete response.
  EXPECT_EQ(classify_rest(false, false, 200), RestCode::error);
}

TEST(RuntimeRestCode, LabelsAreFixed) {
  std::vector<std::string_view> labels;
  for (size_t i = 0; i < kRestCodes; ++i) labels.push_back(to_label(static_cast<RestCode>(i)));
  EXPECT_EQ(labels, (std::vector<std::string_view>{"200", "2xx", "3xx", "429", "4xx", "5xx", "other", "timeout",
                                                   "error"}));
}

TEST(RuntimeRestCode, HistogramBucketsAreInclusiveUpperBounds) {
  RestDurationHistogram h;
  h.observe(1'000'000);      // exactly 1 ms: first bucket
  h.observe(1'000'001);      // just above: second
  h.observe(-5);             // clock oddity: counted as 0
  h.observe(31'000'000'000); // over the last bound: +Inf
  EXPECT_EQ(h.counts()[0], 2u);
  EXPECT_EQ(h.counts()[1], 1u);
  EXPECT_EQ(h.counts().back(), 1u);
  EXPECT_EQ(h.count(), 4u);
  EXPECT_EQ(h.sum_ns(), 1'000'000u + 1'000'001u + 31'000'000'000u);
}

class RuntimeRestStats : public RuntimeFixture {};

MockReply reply(unsigned status, std::string body = "trade:0:1") {
  return MockReply{status, std::move(body), {}, 0, false, false};
}

TEST_F(RuntimeRestStats, EveryCompletedRequestLandsInOneOutcomeClass) {
  MockVenue v(io);
  // Polls answer, in order: 503, 404, 204, 301, (no answer: timeout), then 200 forever.
  int polls = 0;
  v.on_http = discovery_then([&](const MockRequest&) {
    switch (++polls) {
      case 1: return reply(503, "oops");
      case 2: return reply(404, "{}");
      case 3: return reply(204, "");
      case 4: return MockReply{301, "", {{"Location", "/elsewhere"}}, 0, false, false};
      case 5: return MockReply{200, "", {}, 0, true, false};
      default: return reply(200);
    }
  });
  auto cfg = config(v);
  cfg.options["backoff_base_ms"] = "5";
  cfg.options["backoff_cap_ms"] = "10";
  cfg.options["rest_timeout_ms"] = "150";
  auto script = std::make_shared<FakeScript>();
  script->polls.push_back(PollPlan{"depth", 5ms});
  auto r = make_runner(cfg, script);
  r->start();
  // Discovery plus at least one poll answered 200.
  ASSERT_TRUE(run_until([&] { return code(r->stats(), RestCode::s200) >= 2; }));
  const FeedStats& s = r->stats();
  EXPECT_EQ(code(s, RestCode::s5xx), 1u);
  EXPECT_EQ(code(s, RestCode::s4xx), 1u);
  EXPECT_EQ(code(s, RestCode::s2xx), 1u);
  EXPECT_EQ(code(s, RestCode::s3xx), 1u);
  EXPECT_EQ(code(s, RestCode::timeout), 1u);
  EXPECT_EQ(code(s, RestCode::s429), 0u);
  EXPECT_EQ(code(s, RestCode::error), 0u);
  EXPECT_EQ(code(s, RestCode::other), 0u);
  // 204 is a success for the runner (its empty body is the parser's problem); 503, 404, 301
  // and the timeout are REST errors.
  EXPECT_EQ(s.rest_errors, 4u);
  // One request may be on the wire: counted as sent, not yet completed.
  EXPECT_LE(completed(s), s.rest_requests);
  EXPECT_GE(completed(s) + 1, s.rest_requests);
  EXPECT_EQ(s.rest.duration.count(), completed(s));
  // The timed-out request took at least its deadline.
  EXPECT_GE(samples_above(s.rest.duration, 100'000'000), 1u);
}

TEST_F(RuntimeRestStats, TooManyRequestsIsCode429) {
  MockVenue v(io);
  int polls = 0;
  v.on_http = discovery_then([&](const MockRequest&) {
    if (++polls == 1) return MockReply{429, "slow down", {{"Retry-After", "1"}}, 0, false, false};
    return reply(200);
  });
  auto script = std::make_shared<FakeScript>();
  script->polls.push_back(PollPlan{"depth", 20ms});
  auto r = make_runner(config(v), script);
  r->start();
  ASSERT_TRUE(run_until([&] { return sink.trades.size() == 1; }));
  EXPECT_EQ(code(r->stats(), RestCode::s429), 1u);
  EXPECT_EQ(r->stats().rate_limited, 1u);
  // The pause after a 429 is the venue's limit, not a wait for the local token bucket.
  EXPECT_EQ(r->stats().rate_waits, 0u);
  EXPECT_EQ(r->stats().rest.rate_wait_ns, 0u);
}

TEST_F(RuntimeRestStats, RefusedConnectionIsCodeError) {
  uint16_t dead_port = 0;
  {
    boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    dead_port = a.local_endpoint().port();
  }
  VenueConfig cfg;
  cfg.id = "fake";
  cfg.rest_base = "http://127.0.0.1:" + std::to_string(dead_port) + "/x";
  cfg.options["backoff_base_ms"] = "5";
  cfg.options["backoff_cap_ms"] = "10";
  auto script = std::make_shared<FakeScript>();
  script->polls.push_back(PollPlan{"depth", 10ms});
  auto r = make_runner(cfg, script);
  r->start();
  ASSERT_TRUE(run_until([&] { return code(r->stats(), RestCode::error) >= 2; }));
  EXPECT_EQ(code(r->stats(), RestCode::timeout), 0u);
  EXPECT_EQ(code(r->stats(), RestCode::s200), 0u);
  EXPECT_EQ(r->stats().rest.duration.count(), completed(r->stats()));
}

TEST_F(RuntimeRestStats, DurationCoversTheWholeAnswer) {
  MockVenue v(io);
  v.on_http = discovery_then([&](const MockRequest&) {
    auto rep = reply(200);
    rep.delay_ms = 120;
    return rep;
  });
  auto script = std::make_shared<FakeScript>();
  script->polls.push_back(PollPlan{"depth", 10ms});
  auto r = make_runner(config(v), script);
  r->start();
  ASSERT_TRUE(run_until([&] { return sink.trades.size() >= 2; }));
  const auto& d = r->stats().rest.duration;
  EXPECT_GE(samples_above(d, 100'000'000), 2u);
  EXPECT_GE(d.sum_ns(), 2u * 120'000'000u);
  EXPECT_EQ(code(r->stats(), RestCode::s200), d.count());
}

TEST_F(RuntimeRestStats, TokenBucketWaitTimeIsAccumulated) {
  MockVenue v(io);
  v.on_http = discovery_then([&](const MockRequest&) { return reply(200); });
  auto cfg = config(v);
  cfg.rate_limit_rps = 20;  // one request per 50 ms after a burst of one
  cfg.rate_limit_burst = 1;
  auto script = std::make_shared<FakeScript>();
  script->polls.push_back(PollPlan{"depth", 5ms});
  const auto t0 = Clock::now();
  auto r = make_runner(cfg, script);
  r->start();
  ASSERT_TRUE(run_until([&] { return r->stats().rate_waits >= 3 && v.requests.size() >= 4; }));
  const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
  EXPECT_GT(r->stats().rest.rate_wait_ns, 0u);
  // Requests wait one after another (one at a time per venue), so the total fits the run.
  EXPECT_LE(r->stats().rest.rate_wait_ns, static_cast<uint64_t>(elapsed));
}

}  // namespace
}  // namespace mdhub::test
