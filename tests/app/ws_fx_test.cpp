// The cross-currency websocket channels: a client rebuilding book:fx from its snapshot and
// updates holds the fx book the HTTP endpoint computes, after member-book changes and after
// a rate change; bbo:fx and premium:fx; refusals; nothing computed for unsubscribed pairs.
#include <regex>

#include "src/fx/market.hpp"
#include "src/publish/fx_http.hpp"
#include "tests/app/ws_harness.hpp"

namespace mdhub::test {
namespace {

constexpr int64_t kNowUs = 1'700'000'000'100'000;

/// Hub's btse BTC-USD plus btse USDT-USD, and narkasa BTC-TRY and USDT-TRY (all at price
/// scale 2, qty scale 8): BTC-TRY converts into USD over TRY -> USDT -> USD.
class FxWs : public ::testing::Test {
 protected:
  FxWs() : hub_(WsApiConfig{}) {
    cfg_.publish_interval_ms = 10;
    cfg_.max_age_ms = 0;
    hub_.api().set_fx(cfg_, &stats_, [] { return kNowUs; });
    hub_.add_symbol("USDT-USD");
    hub_.engine().add_feed("narkasa");
    narkasa_.add({"narkasa", "BTC-TRY", "BTCTRY", "BTC", "TRY", kPriceScale, kQtyScale});
    narkasa_.add({"narkasa", "USDT-TRY", "USDTTRY", "USDT", "TRY", kPriceScale, kQtyScale});
    hub_.engine().on_instruments(1, narkasa_);
  }

  /// A full book of instrument `id` of `feed`: "price qty" levels.
  void snapshot(size_t feed, uint32_t id, std::vector<std::pair<std::string, std::string>> bids,
                std::vector<std::pair<std::string, std::string>> asks) {
    std::vector<LevelUpdate> levels;
    for (auto& [p, q] : bids) levels.push_back({Side::bid, *parse_decimal(p, kPriceScale), *parse_decimal(q, kQtyScale)});
    for (auto& [p, q] : asks) levels.push_back({Side::ask, *parse_decimal(p, kPriceScale), *parse_decimal(q, kQtyScale)});
    send(feed, id, BookMsg::Type::snapshot, levels);
  }
  /// Changed levels (qty "0" deletes) of a book already there.
  void delta(size_t feed, uint32_t id, std::vector<std::tuple<Side, std::string, std::string>> changes) {
    std::vector<LevelUpdate> levels;
    for (auto& [s, p, q] : changes) levels.push_back({s, *parse_decimal(p, kPriceScale), *parse_decimal(q, kQtyScale)});
    send(feed, id, BookMsg::Type::delta, levels);
  }
  void send(size_t feed, uint32_t id, BookMsg::Type type, const std::vector<LevelUpdate>& levels) {
    ParseOut out;
    out.levels = levels;
    uint64_t& seq = venue_seq_[{feed, id}];
    BookMsg m;
    m.type = type;
    m.prev_seq = type == BookMsg::Type::delta ? seq : 0;
    m.seq = ++seq;
    m.level_count = static_cast<uint32_t>(levels.size());
    Event e;
    e.kind = EventKind::book;
    e.instrument = id;
    e.recv = {kNowUs * 1000 - 5'000'000, 1};
    e.body = m;
    out.events.push_back(e);
    std::vector<uint32_t> resync;
    hub_.engine().on_events(feed, out, resync);
    ASSERT_TRUE(resync.empty());
  }

  void all_books() {
    snapshot(0, 0, {{"60000.00", "0.5"}, {"59990.00", "1"}}, {{"60010.00", "0.25"}});
    snapshot(0, 1, {{"1.00", "1000"}}, {{"1.02", "1000"}});
    snapshot(1, 0, {{"1950000.00", "0.25"}, {"1949000.00", "2"}}, {{"1952500.00", "0.1"}});
    snapshot(1, 1, {{"32.50", "1000"}}, {{"32.51", "1000"}});
  }

  /// Entries "side|venue|symbol|native -> price qty rate" of the fx book HTTP would answer.
  std::map<std::string, std::string> http_book() {
    const fx::FxMarket m = fx::market_of(hub_.engine(), "BTC", 5000, kNowUs);
    fx::FxError err;
    const auto b = fx::fx_book(m, cfg_, fx::static_rates(cfg_), "BTC", "USD", 5000, err);
    EXPECT_TRUE(b) << err.message;
    std::map<std::string, std::string> out;
    if (!b) return out;
    for (int s = 0; s < 2; ++s) {
      for (const auto& e : s == 0 ? b->bids : b->asks) {
        std::string text;
        fx::render_entry(text, *b, e, e.qty);
        apply(out, s, text);
      }
    }
    return out;
  }

  /// Applies the entries of one side's JSON text to a client's book.
  static void apply(std::map<std::string, std::string>& book, int side, const std::string& text) {
    static const std::regex entry(
        R"re(\["([^"]*)","([^"]*)",\{"venue":"([^"]*)","symbol":"([^"]*)","price":"([^"]*)","rate":"([^"]*)"\}\])re");
    for (std::sregex_iterator it(text.begin(), text.end(), entry), end; it != end; ++it) {
      const auto& m = *it;
      const std::string key = std::to_string(side) + "|" + m[3].str() + "|" + m[4].str() + "|" + m[5].str();
      if (m[2].str() == "0") book.erase(key);
      else book[key] = m[1].str() + " " + m[2].str() + " " + m[6].str();
    }
  }
  /// Applies a book_snapshot (after clearing) or book_update message.
  static void apply_message(std::map<std::string, std::string>& book, const std::string& msg) {
    if (msg.find(R"("type":"book_snapshot")") != std::string::npos) book.clear();
    const auto b = msg.find(R"("bids":[)"), a = msg.find(R"("asks":[)");
    ASSERT_NE(b, std::string::npos) << msg;
    ASSERT_NE(a, std::string::npos) << msg;
    apply(book, 0, msg.substr(b, a - b));
    apply(book, 1, msg.substr(a, msg.find(R"("venues":)", a) - a));
  }

  Hub hub_;
  fx::FxConfig cfg_;
  FxStats stats_;
  InstrumentTable narkasa_;
  std::map<std::pair<size_t, uint32_t>, uint64_t> venue_seq_;
};

TEST_F(FxWs, ClientBookFromSnapshotAndUpdatesEqualsTheHttpBook) {
  all_books();
  Client c(hub_);
  c.send(R"({"op":"subscribe","id":1,"channels":["book:fx:BTC-USD"]})");
  ASSERT_TRUE(c.wait_messages(2));
  EXPECT_EQ(c.messages()[0], R"({"type":"subscribed","id":1,"channels":["book:fx:BTC-USD"]})");
  const std::string& snap = c.messages()[1];
  EXPECT_EQ(snap.rfind(R"({"type":"book_snapshot","channel":"book:fx:BTC-USD","venue":"fx","symbol":"BTC-USD","seq":1,)", 0), 0u)
      << snap;
  std::map<std::string, std::string> book;
  apply_message(book, snap);
  EXPECT_EQ(book, http_book());
  EXPECT_EQ(book.size(), 6u);
  // round_half_even(1.01 / 32.505, 12) = 0.031072142747; 1950000 x that = 60590.67835665.
  EXPECT_EQ(book["0|narkasa|BTC-TRY|1950000"], "60590.67835665 0.25 0.031072142747");

  // A member book changes: a level leaves, one comes, a qty changes.
  delta(1, 0, {{Side::bid, "1949000.00", "0"}, {Side::bid, "1951000.00", "0.5"}, {Side::ask, "1952500.00", "0.3"}});
  ASSERT_TRUE(c.wait_messages(3));
  const std::string& up = c.messages()[2];
  EXPECT_EQ(up.rfind(R"({"type":"book_update","channel":"book:fx:BTC-USD","venue":"fx","symbol":"BTC-USD","seq":2,)", 0), 0u)
      << up;
  EXPECT_EQ(up.find(R"("venues")"), std::string::npos) << up;  // unchanged: not carried
  apply_message(book, up);
  EXPECT_EQ(book, http_book());

  // A rate moves: every narkasa entry is re-priced, and venues (their rates) come along.
  snapshot(1, 1, {{"32.60", "1000"}}, {{"32.61", "1000"}});
  ASSERT_TRUE(c.wait_messages(4));
  const std::string& rerate = c.messages()[3];
  EXPECT_NE(rerate.find(R"("seq":3,)"), std::string::npos) << rerate;
  EXPECT_NE(rerate.find(R"("venues":[)"), std::string::npos) << rerate;
  apply_message(book, rerate);
  EXPECT_EQ(book, http_book());
  EXPECT_EQ(stats_.published_count[2].load(), 3u);  // ws_book
}

TEST_F(FxWs, BboAndPremiumChannels) {
  all_books();
  Client c(hub_);
  c.send(R"({"op":"subscribe","id":1,"channels":["bbo:fx:BTC-USD","premium:fx:BTC-USD"]})");
  ASSERT_TRUE(c.wait_messages(3));
  std::string bbo, premium;
  for (const auto& m : c.messages()) {
    if (m.rfind(R"({"type":"bbo")", 0) == 0) bbo = m;
    if (m.rfind(R"({"type":"premium")", 0) == 0) premium = m;
  }
  EXPECT_EQ(bbo, R"({"type":"bbo","channel":"bbo:fx:BTC-USD","venue":"fx","symbol":"BTC-USD","seq":1,)"
                 R"("ts_received":1700000000095000,"bid":"60590.67835665","bid_qty":"0.25","bid_venue":"narkasa",)"
                 R"("bid_symbol":"BTC-TRY","ask":"60010","ask_qty":"0.25","ask_venue":"btse","ask_symbol":"BTC-USD"})");
  EXPECT_EQ(premium.rfind(R"({"type":"premium","channel":"premium:fx:BTC-USD","base":"BTC","quote":"USD","seq":1,)", 0), 0u)
      << premium;
  // The best ask moves: one new bbo message.
  delta(0, 0, {{Side::ask, "60005.00", "1"}});
  ASSERT_TRUE(c.wait_messages(5));
  bbo.clear();
  for (size_t i = 3; i < c.messages().size(); ++i)
    if (c.messages()[i].rfind(R"({"type":"bbo")", 0) == 0) bbo = c.messages()[i];
  EXPECT_NE(bbo.find(R"("seq":2,)"), std::string::npos) << bbo;
  EXPECT_NE(bbo.find(R"("ask":"60005","ask_qty":"1","ask_venue":"btse","ask_symbol":"BTC-USD"})"), std::string::npos) << bbo;
}

TEST_F(FxWs, EveryVenueGoneIsSaidNotLeftStanding) {
  all_books();
  Client c(hub_);
  c.send(R"({"op":"subscribe","id":1,"channels":["premium:fx:BTC-USD","book:fx:BTC-USD"]})");
  ASSERT_TRUE(c.wait_messages(3));  // subscribed, premium, book_snapshot
  // Both venues' streams go down: no book, no rate is served any more.
  hub_.engine().on_stream_down(0, 0);
  hub_.engine().on_stream_down(1, 0);
  ASSERT_TRUE(c.wait_messages(5));
  std::string premium, update;
  for (size_t i = 3; i < c.messages().size(); ++i) {
    const std::string& m = c.messages()[i];
    if (m.rfind(R"({"type":"premium")", 0) == 0) premium = m;
    if (m.rfind(R"({"type":"book_update")", 0) == 0) update = m;
  }
  // The premium view has no rows and says why, instead of its last prices standing as live.
  EXPECT_NE(premium.find(R"("best_bid":null,"best_ask":null,"venues":[],"excluded":[{"venue":"btse","symbol":"BTC-USD","reason":"book_unavailable")"),
            std::string::npos) << premium;
  // (narkasa's own book is gone too, but its rate is found wanting first)
  EXPECT_NE(premium.find(R"({"venue":"narkasa","symbol":"BTC-TRY","reason":"rate_stale")"), std::string::npos) << premium;
  // The book deletes every entry it had sent.
  std::map<std::string, std::string> book;
  for (const auto& m : c.messages())
    if (m.find(R"("channel":"book:fx:BTC-USD")") != std::string::npos) apply_message(book, m);
  EXPECT_TRUE(book.empty()) << update;
  EXPECT_NE(update.find(R"("venues":[])"), std::string::npos) << update;
}

TEST_F(FxWs, RefusalsAndLateServablePairs) {
  Client c(hub_);
  c.send(R"({"op":"subscribe","id":1,"channels":["book:fx:DOGE-USD"]})");
  c.send(R"({"op":"subscribe","id":2,"channels":["book:fx:BTC-JPY"]})");
  c.send(R"({"op":"subscribe","id":3,"channels":["book:fx:*"]})");
  c.send(R"({"op":"subscribe","id":4,"channels":["book10:fx:BTC-USD"]})");
  c.send(R"({"op":"subscribe","id":5,"channels":["book:fx:BTC-USD"]})");
  ASSERT_TRUE(c.wait_messages(5));
  EXPECT_EQ(c.messages()[0], R"({"type":"error","id":1,"code":"unknown_symbol","message":"no venue lists DOGE in any quote","channel":"book:fx:DOGE-USD"})");
  EXPECT_EQ(c.messages()[1].rfind(R"({"type":"error","id":2,"code":"no_fx_path","message":"no conversion of BTC into JPY: )", 0), 0u)
      << c.messages()[1];
  EXPECT_EQ(c.messages()[2], R"({"type":"error","id":3,"code":"bad_channel","message":"wildcards (*) are not accepted for fx channels","channel":"book:fx:*"})");
  EXPECT_EQ(c.messages()[3], R"({"type":"error","id":4,"code":"bad_channel","message":"fx channels are book:fx:BASE-QUOTE, bbo:fx:BASE-QUOTE and premium:fx:BASE-QUOTE","channel":"book10:fx:BTC-USD"})");
  // No book has come yet: accepted, and the snapshot follows once one can be served.
  EXPECT_EQ(c.messages()[4], R"({"type":"subscribed","id":5,"channels":["book:fx:BTC-USD"]})");
  all_books();
  ASSERT_TRUE(c.wait_messages(6));
  EXPECT_EQ(c.messages()[5].rfind(R"({"type":"book_snapshot","channel":"book:fx:BTC-USD",)", 0), 0u) << c.messages()[5];
  c.send(R"({"op":"list","id":6})");
  ASSERT_TRUE(c.wait_messages(7));
  EXPECT_EQ(c.messages()[6], R"({"type":"list","id":6,"channels":["book:fx:BTC-USD"]})");
}

TEST_F(FxWs, NothingIsComputedForPairsNobodySubscribes) {
  Client c(hub_);
  c.send(R"({"op":"subscribe","id":1,"channels":["book:btse:BTC-USD"]})");
  ASSERT_TRUE(c.wait_messages(1));
  all_books();
  delta(0, 0, {{Side::bid, "59995.00", "1"}});
  ASSERT_TRUE(c.wait_messages(3));  // the btse book's snapshot and update went out
  EXPECT_EQ(stats_.computed.load(), 0u);
  c.send(R"({"op":"subscribe","id":2,"channels":["book:fx:BTC-USD"]})");
  ASSERT_TRUE(c.wait_messages(5));
  EXPECT_GT(stats_.computed.load(), 0u);
  c.send(R"({"op":"unsubscribe","id":3,"channels":["book:fx:BTC-USD"]})");
  ASSERT_TRUE(c.wait_messages(6));
  EXPECT_EQ(c.messages()[5], R"({"type":"unsubscribed","id":3,"channels":["book:fx:BTC-USD"]})");
  const uint64_t computed = stats_.computed.load();
  // Another btse change: its update arrives, and still no fx computation.
  delta(0, 0, {{Side::bid, "59996.00", "1"}});
  ASSERT_TRUE(c.wait_messages(7));
  EXPECT_EQ(stats_.computed.load(), computed);
  EXPECT_EQ(hub_.stats().subscriptions, 1u);
}

}  // namespace
}  // namespace mdhub::test
