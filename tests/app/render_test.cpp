// One rendering per payload: the same event reads the same over HTTP and the websocket, down
// to the byte, with the `seq` rule of its kind (README "seq"). A websocket data message is
// its head ("type","channel","venue","symbol") followed by exactly the fields the HTTP
// answer has after "venue","symbol".
#include <atomic>
#include <thread>

#include "src/publish/http_api.hpp"
#include "tests/app/ws_harness.hpp"
#include "tests/net/net_fixture.hpp"

namespace mdhub::test {
namespace {

/// GET `target` from the hub's server; the hub's io_context runs on this thread meanwhile.
std::string http_get(Hub& hub, const std::string& target) {
  std::atomic<bool> done{false};
  unsigned status = 0;
  std::string body;
  std::thread t([&] {
    net::test::HttpClient client(hub.port());
    auto res = client.request(net::test::http::verb::get, target);
    status = res.result_int();
    body = res.body();
    done = true;
  });
  EXPECT_TRUE(hub.run_until([&] { return done.load(); }));
  t.join();
  EXPECT_EQ(status, 200u) << target << ": " << body;
  return body;
}

/// The websocket message of `type` on `channel` that carries `payload` (an HTTP object
/// after its `{"venue":"btse","symbol":"BTC-USD",`).
std::string ws_message(std::string_view type, std::string_view channel, std::string_view payload) {
  return R"({"type":")" + std::string(type) + R"(","channel":")" + std::string(channel) +
         R"(","venue":"btse","symbol":"BTC-USD",)" + std::string(payload);
}

constexpr std::string_view kHead = R"({"venue":"btse","symbol":"BTC-USD",)";

std::string after_head(const std::string& http_body) {
  EXPECT_EQ(http_body.rfind(kHead, 0), 0u) << http_body;
  return http_body.substr(std::min(kHead.size(), http_body.size()));
}

class Render : public ::testing::Test {
 protected:
  Render() {
    install_http_api(hub_.server(), hub_.engine(), [] { return std::vector<FeedView>{}; });
  }
  Hub hub_{WsApiConfig{}};
};

TEST_F(Render, TickerHasTheBooksBidAskAndTheSameTimesEverywhere) {
  Client c(hub_);
  c.send_now(R"({"op":"subscribe","channels":["ticker:btse:BTC-USD"],"id":1})");
  ASSERT_TRUE(c.wait_messages(1));
  // Book 990.00 / 1001.00, then the venue's L1 (the book stays the BBO's source, the L1
  // gives the time), then a ticker without bid/ask and without an exchange time, as
  // coinbtr's and btse's tickers come.
  hub_.book(BookMsg::Type::snapshot, 1, 0, {{Side::bid, 99000, 10000000}, {Side::ask, 100100, 20000000}});
  BboMsg l1;
  l1.bid = 98000;
  l1.ask = 102000;
  hub_.bbo(l1);
  TickerMsg t;
  t.last = 100050;
  t.volume_base = 1234500000000;
  hub_.ticker(t, false);
  ASSERT_TRUE(c.wait_messages(2));

  const std::string body = http_get(hub_, "/api/v1/ticker/btse/BTC-USD");
  const std::string payload =
      R"("seq":1,"ts_exchange":1700000000000002,"ts_received":1700000000000003,"bid":"990","ask":"1001",)"
      R"("last":"1000.5","open":null,"high":null,"low":null,"volume_base":"12345","volume_quote":null,"change_pct":null})";
  EXPECT_EQ(body, std::string(kHead) + payload);
  EXPECT_EQ(c.messages()[1], ws_message("ticker", "ticker:btse:BTC-USD", payload));

  // The next ticker counts on; a new subscriber's snapshot repeats the latest, at its seq.
  t.last = 100060;
  hub_.ticker(t);
  ASSERT_TRUE(c.wait_messages(3));
  const std::string second = after_head(http_get(hub_, "/api/v1/ticker/btse/BTC-USD"));
  EXPECT_EQ(second.rfind(R"("seq":2,"ts_exchange":1700000000000004,)", 0), 0u) << second;
  EXPECT_EQ(c.messages()[2], ws_message("ticker", "ticker:btse:BTC-USD", second));
  Client late(hub_);
  late.send_now(R"({"op":"subscribe","channels":["ticker:btse:BTC-USD"],"id":2})");
  ASSERT_TRUE(late.wait_messages(2));
  EXPECT_EQ(late.messages()[1], c.messages()[2]);
}

TEST_F(Render, TradesCarryTheInstrumentsTradeSequenceEverywhere) {
  hub_.trade(1);  // before anyone subscribes: the channel still says it was trade 2 next
  Client c(hub_);
  c.send_now(R"({"op":"subscribe","channels":["trades:btse:BTC-USD"],"id":1})");
  ASSERT_TRUE(c.wait_messages(1));
  hub_.trade(2);
  hub_.trade(3);
  ASSERT_TRUE(c.wait_messages(3));

  const std::string body = http_get(hub_, "/api/v1/trades/btse/BTC-USD?limit=2");
  const std::string t2 =
      R"({"seq":2,"ts_exchange":1700000000000002,"ts_received":1700000000000002,"price":"1000.02","qty":"0.02","side":"buy","trade_id":"2"})";
  const std::string t3 =
      R"({"seq":3,"ts_exchange":1700000000000003,"ts_received":1700000000000003,"price":"1000.03","qty":"0.03","side":"buy","trade_id":"3"})";
  EXPECT_EQ(body, std::string(kHead) + R"("trades":[)" + t2 + "," + t3 + "]}");
  EXPECT_EQ(c.messages()[1], ws_message("trade", "trades:btse:BTC-USD", t2.substr(1)));
  EXPECT_EQ(c.messages()[2], ws_message("trade", "trades:btse:BTC-USD", t3.substr(1)));
}

TEST_F(Render, BookSnapshotIsTheHttpBookAtTheBooksOwnSeq) {
  hub_.book(BookMsg::Type::snapshot, 7, 0, {{Side::bid, 99000, 10000000}, {Side::ask, 100100, 20000000}});
  hub_.book(BookMsg::Type::delta, 8, 7, {{Side::bid, 99010, 5000000}});
  Client c(hub_);
  c.send_now(R"({"op":"subscribe","channels":["book:btse:BTC-USD","bbo:btse:BTC-USD"],"id":1})");
  ASSERT_TRUE(c.wait_messages(3));

  const std::string payload =
      R"("seq":2,"ts_exchange":1700000000000002,"ts_received":1700000000000002,"venue_seq":8,)"
      R"("bids":[["990.1","0.05"],["990","0.1"]],"asks":[["1001","0.2"]]})";
  EXPECT_EQ(http_get(hub_, "/api/v1/book/btse/BTC-USD"), std::string(kHead) + payload);
  EXPECT_EQ(c.messages()[1], ws_message("book_snapshot", "book:btse:BTC-USD", payload));
  // The BBO follows every book change: two so far.
  EXPECT_EQ(c.messages()[2],
            ws_message("bbo", "bbo:btse:BTC-USD",
                       R"("seq":2,"ts_exchange":1700000000000002,"ts_received":1700000000000002,)"
                       R"("bid":"990.1","bid_qty":"0.05","ask":"1001","ask_qty":"0.2"})"));

  hub_.book(BookMsg::Type::delta, 9, 8, {{Side::ask, 100100, 0}, {Side::ask, 100200, 30000000}});
  ASSERT_TRUE(c.wait_messages(5));
  EXPECT_EQ(c.messages()[3],
            ws_message("book_update", "book:btse:BTC-USD",
                       R"("seq":3,"ts_exchange":1700000000000003,"ts_received":1700000000000003,"venue_seq":9,)"
                       R"("bids":[],"asks":[["1001","0"],["1002","0.3"]]})"));
  EXPECT_EQ(parse(c.messages()[4]).seq, 3);
  EXPECT_EQ(after_head(http_get(hub_, "/api/v1/book/btse/BTC-USD")).rfind(R"("seq":3,)", 0), 0u);
}

}  // namespace
}  // namespace mdhub::test
