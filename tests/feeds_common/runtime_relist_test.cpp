// A running feed reads the venue's listing again every discovery_interval_ms: instruments
// listed since are followed (the feed starts over with them), an unchanged listing changes
// nothing, and a listing that cannot be read leaves the feed running as it was.
#include <string>

#include "tests/feeds_common/runtime_fixture.hpp"

namespace mdhub::test {
namespace {

using namespace std::chrono_literals;

class RuntimeRelist : public RuntimeFixture {
 protected:
  // The venue's listing (what /markets answers) and its status, changeable mid-test.
  std::string listing = "BTC-USDT:btcusdt";
  unsigned listing_status = 200;

  std::function<MockReply(const MockRequest&)> venue() {
    return [this](const MockRequest& q) {
      if (q.target == "/fake/api/markets") return MockReply{listing_status, listing, {}, 0, false, false};
      return MockReply{200, "pong", {}, 0, false, false};
    };
  }
  static std::shared_ptr<FakeScript> polling() {
    auto s = std::make_shared<FakeScript>();
    s->polls.push_back(PollPlan{"depth", 20ms});
    return s;
  }
  static size_t listings_read(const MockVenue& v) {
    size_t n = 0;
    for (const auto& q : v.requests) n += q.target == "/fake/api/markets";
    return n;
  }
  size_t discoveries_recorded() const {
    size_t n = 0;
    for (const auto& r : sink.raws) n += r.kind == RawKind::discovery;
    return n;
  }
};

TEST_F(RuntimeRelist, NewlyListedInstrumentsAreFollowed) {
  MockVenue v(io);
  v.on_http = venue();
  auto cfg = config(v);
  cfg.options["discovery_interval_ms"] = "100";
  auto script = polling();
  auto r = make_runner(cfg, script);
  r->start();
  ASSERT_TRUE(run_until([&] { return r->stats().state == FeedState::live; }));
  ASSERT_EQ(sink.instruments, (std::vector<std::vector<std::string>>{{"BTC-USDT"}}));
  // Re-read twice with nothing new: nothing happens, nothing is recorded.
  ASSERT_TRUE(run_until([&] { return listings_read(v) >= 3; }));
  EXPECT_EQ(sink.instruments.size(), 1u);
  EXPECT_EQ(script->starts, 1);
  EXPECT_EQ(r->stats().relistings, 0u);
  EXPECT_EQ(discoveries_recorded(), 1u);

  listing = "BTC-USDT:btcusdt,ETH-USDT:ethusdt";
  ASSERT_TRUE(run_until([&] { return sink.instruments.size() == 2 && r->stats().state == FeedState::live; }));
  EXPECT_EQ(sink.instruments[1], (std::vector<std::string>{"BTC-USDT", "ETH-USDT"}));
  EXPECT_EQ(script->starts, 2);
  EXPECT_EQ(r->stats().relistings, 1u);
  EXPECT_EQ(r->instruments().size(), 2u);
  EXPECT_EQ(discoveries_recorded(), 2u);  // the restart's discovery, which replay needs
  r->stop();
}

TEST_F(RuntimeRelist, OnlyWhatTheConfigSelectsIsFollowed) {
  MockVenue v(io);
  v.on_http = venue();
  auto cfg = config(v);
  cfg.options["discovery_interval_ms"] = "100";
  cfg.symbols = {"BTC-USDT"};
  auto script = polling();
  auto r = make_runner(cfg, script);
  r->start();
  ASSERT_TRUE(run_until([&] { return r->stats().state == FeedState::live; }));
  listing = "BTC-USDT:btcusdt,ETH-USDT:ethusdt";
  const size_t before = listings_read(v);
  ASSERT_TRUE(run_until([&] { return listings_read(v) >= before + 2; }));
  EXPECT_EQ(sink.instruments.size(), 1u);
  EXPECT_EQ(script->starts, 1);
  EXPECT_EQ(r->stats().relistings, 0u);
  r->stop();
}

TEST_F(RuntimeRelist, AListingThatCannotBeReadLeavesTheFeedRunning) {
  MockVenue v(io);
  v.on_http = venue();
  auto cfg = config(v);
  cfg.options["discovery_interval_ms"] = "100";
  auto script = polling();
  auto r = make_runner(cfg, script);
  r->start();
  ASSERT_TRUE(run_until([&] { return r->stats().state == FeedState::live; }));
  listing_status = 503;
  const size_t before = listings_read(v);
  ASSERT_TRUE(run_until([&] { return listings_read(v) >= before + 2; }));
  EXPECT_EQ(r->stats().state, FeedState::live);
  EXPECT_FALSE(sink.saw_state(0, FeedState::down));
  EXPECT_EQ(r->stats().last_error, "re-listing: discovery: HTTP 503");
  EXPECT_EQ(script->starts, 1);
  listing_status = 200;
  listing = "garbage";
  ASSERT_TRUE(run_until([&] { return r->stats().last_error.starts_with("re-listing: discovery: bad instrument"); }));
  EXPECT_EQ(r->stats().state, FeedState::live);
  EXPECT_EQ(r->stats().parse_errors, 1u);
  EXPECT_EQ(script->starts, 1);
  r->stop();
}

TEST_F(RuntimeRelist, ZeroNeverReadsTheListingAgain) {
  MockVenue v(io);
  v.on_http = venue();
  auto cfg = config(v);
  cfg.options["discovery_interval_ms"] = "0";
  auto r = make_runner(cfg, polling());
  r->start();
  ASSERT_TRUE(run_until([&] { return r->stats().state == FeedState::live; }));
  run_for(300ms);
  EXPECT_EQ(listings_read(v), 1u);
  r->stop();
}

}  // namespace
}  // namespace mdhub::test
