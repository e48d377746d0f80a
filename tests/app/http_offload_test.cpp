// Book snapshots and /metrics rendered on the render worker: the answer is the state at the
// moment of the request (the network thread copies it), even when the book changes before
// the worker renders, and it reads as the synchronous rendering does, byte for byte.
#include <future>

#include "src/metrics/metrics.hpp"
#include "src/net/offload.hpp"
#include "src/publish/http_api.hpp"
#include "tests/app/ws_harness.hpp"
#include "tests/net/net_fixture.hpp"

namespace mdhub::test {
namespace {

struct Answer {
  unsigned status = 0;
  std::string body;
};

class HttpOffload : public ::testing::Test {
 protected:
  HttpOffload() {
    install_http_api(hub_.server(), hub_.engine(), [] { return std::vector<FeedView>{}; }, {}, nullptr, &offload_);
  }

  /// GET `target` on a client thread; the hub's io_context runs here when the test waits.
  std::future<Answer> get_async(const std::string& target) {
    return std::async(std::launch::async, [port = hub_.port(), target] {
      auto res = net::test::HttpClient(port).request(net::test::http::verb::get, target);
      return Answer{res.result_int(), res.body()};
    });
  }
  Answer get(const std::string& target) {
    auto f = get_async(target);
    EXPECT_TRUE(hub_.run_until([&] { return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready; }));
    return f.get();
  }

  /// Holds the (single) worker until the returned promise is set.
  std::promise<void> hold_worker() {
    std::promise<void> release;
    offload_.answer([](net::HttpResponse) {}, [f = release.get_future().share()] {
      f.wait();
      return net::HttpResponse{};
    });
    return release;
  }

  Hub hub_{WsApiConfig{}};
  net::Offload offload_;  // after the hub: joined before the server goes
};

TEST_F(HttpOffload, TheBookIsTheOneAtTheRequestThoughItChangesBeforeTheWorkerRenders) {
  hub_.book(BookMsg::Type::snapshot, 1, 0, {{Side::bid, 99000, 10000000}, {Side::ask, 100100, 20000000}});
  for (const std::string target : {"/api/v1/book/btse/BTC-USD", "/api/v1/book/all/BTC-USD?depth=10"}) {
    hub_.book(BookMsg::Type::delta, 2, 1, {{Side::bid, 99500, 30000000}});
    const Answer before = get(target);
    ASSERT_EQ(before.status, 200u) << before.body;
    EXPECT_NE(before.body.find(R"(["995","0.3")"), std::string::npos) << before.body;

    // The request is copied on this thread and waits for the held worker; then the book changes.
    auto release = hold_worker();
    auto held = get_async(target);
    ASSERT_TRUE(hub_.run_until([&] { return offload_.pending() == 2; }));
    hub_.book(BookMsg::Type::delta, 3, 2, {{Side::bid, 99500, 0}, {Side::ask, 100000, 40000000}});
    release.set_value();
    ASSERT_TRUE(hub_.run_until([&] { return held.wait_for(std::chrono::seconds(0)) == std::future_status::ready; }));
    const Answer answer = held.get();
    EXPECT_EQ(answer.status, 200u);
    EXPECT_EQ(answer.body, before.body);

    // The next request sees the change.
    const Answer after = get(target);
    EXPECT_EQ(after.body.find(R"(["995","0.3")"), std::string::npos) << after.body;
    EXPECT_NE(after.body.find(R"(["1000","0.4")"), std::string::npos) << after.body;
    // A new snapshot for the next round.
    hub_.book(BookMsg::Type::snapshot, 1, 0, {{Side::bid, 99000, 10000000}, {Side::ask, 100100, 20000000}});
  }
}

/// From `"bids":` to the end: the levels of a book answer or of a book_snapshot message.
std::string levels_of(const std::string& body) {
  const size_t at = body.find(R"("bids":)");
  EXPECT_NE(at, std::string::npos) << body;
  return at == std::string::npos ? body : body.substr(at);
}

TEST_F(HttpOffload, TheBooksReadAsTheWebsocketSnapshotsRenderedFromTheLiveBooks) {
  hub_.book(BookMsg::Type::snapshot, 7, 0,
            {{Side::bid, 99000, 10000000}, {Side::bid, 98990, 1}, {Side::ask, 100100, 20000000}, {Side::ask, 100200, 5}});
  Client c(hub_);
  c.send_now(R"({"op":"subscribe","channels":["book:btse:BTC-USD","book:all:BTC-USD"],"id":1})");
  ASSERT_TRUE(c.wait_messages(3));
  std::string ws_venue, ws_all;
  for (const std::string& m : c.messages()) {
    if (m.find(R"("channel":"book:btse:BTC-USD")") != std::string::npos) ws_venue = m;
    if (m.find(R"("channel":"book:all:BTC-USD")") != std::string::npos) ws_all = m;
  }
  const Answer venue = get("/api/v1/book/btse/BTC-USD");
  EXPECT_EQ(venue.body, R"({"venue":"btse","symbol":"BTC-USD",)" +
                            ws_venue.substr(ws_venue.find(R"("seq":)")));
  EXPECT_EQ(levels_of(get("/api/v1/book/all/BTC-USD").body), levels_of(ws_all));
  EXPECT_EQ(levels_of(ws_all),
            R"("bids":[["990","0.1",{"btse":"0.1"}],["989.9","0.00000001",{"btse":"0.00000001"}]],)"
            R"("asks":[["1001","0.2",{"btse":"0.2"}],["1002","0.00000005",{"btse":"0.00000005"}]]})");
  // A depth cuts both sides; errors are answered at once, on the network thread, as before.
  EXPECT_EQ(levels_of(get("/api/v1/book/all/BTC-USD?depth=1").body),
            R"("bids":[["990","0.1",{"btse":"0.1"}]],"asks":[["1001","0.2",{"btse":"0.2"}]]})");
  EXPECT_EQ(get("/api/v1/book/btse/ETH-USD").status, 404u);
  EXPECT_EQ(offload_.pending(), 0u);
}

TEST_F(HttpOffload, PastTheBoundABookRequestIs503Overloaded) {
  net::Offload small(1, 1);
  net::test::ServerHarness h({}, [&](net::Server& s) {
    install_http_api(s, hub_.engine(), [] { return std::vector<FeedView>{}; }, {}, nullptr, &small);
  });
  std::promise<void> release;
  h.on_io([&] {
    small.answer([](net::HttpResponse) {}, [f = release.get_future().share()] {
      f.wait();
      return net::HttpResponse{};
    });
    return 0;
  });
  hub_.book(BookMsg::Type::snapshot, 1, 0, {{Side::bid, 99000, 10000000}, {Side::ask, 100100, 20000000}});
  auto res = net::test::HttpClient(h.port()).request(net::test::http::verb::get, "/api/v1/book/btse/BTC-USD");
  EXPECT_EQ(res.result_int(), 503u);
  EXPECT_EQ(res.body(), R"({"error":{"code":"overloaded","message":"too many answers are being rendered; retry shortly"}})");
  EXPECT_EQ(small.overloaded(), 1u);
  release.set_value();
}

TEST_F(HttpOffload, MetricsServedByTheWorkerAreTheSynchronousRendering) {
  Metrics metrics({&hub_.engine(), {}, &hub_.stats(), {}});
  hub_.engine().add_observer(&metrics);
  metrics.install(hub_.server(), &offload_);
  hub_.trade(1);
  hub_.book(BookMsg::Type::snapshot, 1, 0, {{Side::bid, 99000, 10000000}, {Side::ask, 100100, 20000000}});
  const Answer a = get("/metrics");
  EXPECT_EQ(a.status, 200u);
  EXPECT_EQ(a.body, metrics.render());
  EXPECT_NE(a.body.find("\nmdhub_http_overloaded_total 0\n"), std::string::npos) << a.body;
  EXPECT_NE(a.body.find(R"(mdhub_feed_messages_total{venue="btse",channel="trades"} 1)"), std::string::npos);
}

}  // namespace
}  // namespace mdhub::test
