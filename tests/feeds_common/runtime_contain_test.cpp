// An exception from a feed's code, or from handling its events, stays inside that feed: it is
// counted, the feed restarts through discovery and reconnect, and other feeds never notice.
#include "tests/feeds_common/runtime_fixture.hpp"

namespace mdhub::test {
namespace {

using namespace std::chrono_literals;

class RuntimeContain : public RuntimeFixture {
 protected:
  static std::shared_ptr<FakeScript> script(const MockVenue& v, const std::string& path) {
    auto s = std::make_shared<FakeScript>();
    StreamPlan p;
    p.name = "main";
    p.url = v.ws_url(path);
    p.subscribe = {"sub"};
    p.ping_interval = 0ms;
    p.idle_timeout = 5000ms;
    s->streams.push_back(p);
    return s;
  }
  size_t trades_of(size_t feed) const {
    size_t n = 0;
    for (const auto& t : sink.trades) n += t.feed == feed;
    return n;
  }
};

TEST_F(RuntimeContain, ThrowingFeedRestartsAndTheOtherKeepsGoing) {
  MockVenue v(io);
  v.on_http = discovery_then(nullptr);
  auto bad_script = script(v, "/bad");
  auto good_script = script(v, "/good");
  auto bad = make_runner(config(v), bad_script, 0);
  auto good = make_runner(config(v), good_script, 1);
  bad->start();
  good->start();
  ASSERT_TRUE(run_until([&] { return bad->stats().state == FeedState::live && good->stats().state == FeedState::live; }));
  ASSERT_EQ(v.peers_on("/bad").size(), 1u);
  ASSERT_EQ(v.peers_on("/good").size(), 1u);
  const size_t discoveries = v.requests.size();

  v.peers_on("/bad")[0]->send("throw");
  v.peers_on("/good")[0]->send("trade:0:1");
  ASSERT_TRUE(run_until([&] { return bad->stats().exceptions == 1 && trades_of(1) == 1; }));
  EXPECT_EQ(bad->stats().last_error, "frame: exception: boom");
  EXPECT_EQ(bad->stats().reconnects, 1u);
  EXPECT_EQ(sink.streams_down, (std::vector<std::pair<size_t, int>>{{0, 0}}));

  // The restart: discovery again, a fresh connection, the subscription sent anew, live.
  ASSERT_TRUE(run_until([&] {
    return v.peers_on("/bad").size() == 2 && v.peers_on("/bad")[1]->received.size() == 1 &&
           bad->stats().state == FeedState::live;
  }));
  EXPECT_EQ(v.requests.size(), discoveries + 1);
  EXPECT_EQ(v.requests.back().target, "/fake/api/markets");
  EXPECT_EQ(bad_script->starts, 2);
  EXPECT_TRUE(sink.saw_state(0, FeedState::down));
  v.peers_on("/bad")[1]->send("trade:1:5");
  ASSERT_TRUE(run_until([&] { return trades_of(0) == 1; }));

  // The other feed kept its one connection and its events throughout.
  v.peers_on("/good")[0]->send("trade:0:2");
  ASSERT_TRUE(run_until([&] { return trades_of(1) == 2; }));
  EXPECT_EQ(v.peers_on("/good").size(), 1u);
  EXPECT_EQ(good->stats().exceptions, 0u);
  EXPECT_EQ(good->stats().reconnects, 0u);
  EXPECT_EQ(good->stats().state, FeedState::live);
  EXPECT_FALSE(sink.saw_state(1, FeedState::down));
}

TEST_F(RuntimeContain, ExceptionWhileHandlingEventsIsTheFeedsToo) {
  MockVenue v(io);
  v.on_http = discovery_then(nullptr);
  auto s = script(v, "/ws");
  auto r = make_runner(config(v), s);
  sink.throw_price = 13;
  r->start();
  ASSERT_TRUE(run_until([&] { return r->stats().state == FeedState::live; }));
  v.peers_on("/ws")[0]->send("trade:0:13");
  v.peers_on("/ws")[0]->send("trade:0:14");  // after the throw: the old connection is done
  ASSERT_TRUE(run_until([&] { return r->stats().exceptions == 1; }));
  EXPECT_EQ(r->stats().last_error, "frame: exception: engine bug");
  ASSERT_TRUE(run_until([&] { return v.peers_on("/ws").size() == 2 && r->stats().state == FeedState::live; }));
  EXPECT_EQ(s->frames.size(), 1u);  // "trade:0:14" never reached the feed
  EXPECT_EQ(r->stats().exceptions, 1u);
}

TEST_F(RuntimeContain, ThrowingPollIsContainedToo) {
  MockVenue v(io);
  int polls = 0;
  v.on_http = discovery_then([&](const MockRequest&) {
    ++polls;
    return MockReply{200, polls == 1 ? "throw" : "trade:1:9", {}, 0, false, false};
  });
  auto s = std::make_shared<FakeScript>();
  s->polls.push_back(PollPlan{"p", 50ms});
  auto r = make_runner(config(v), s);
  r->start();
  ASSERT_TRUE(run_until([&] { return r->stats().exceptions == 1; }));
  EXPECT_EQ(r->stats().last_error, "poll: exception: boom");
  // Rediscovered, then polled again: the next answer parses.
  ASSERT_TRUE(run_until([&] { return !sink.trades.empty(); }));
  EXPECT_EQ(s->starts, 2);
  EXPECT_EQ(sink.trades[0].price, 9);
  EXPECT_EQ(r->stats().exceptions, 1u);
}

}  // namespace
}  // namespace mdhub::test
