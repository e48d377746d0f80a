// Websocket views kept from the changed levels: book<N> of a venue and of the consolidated
// book, and the consolidated book itself, over two venues quoting the same prices. Random
// changes inside, at the edge of and beyond the window; every message the client gets is
// a real change of its view, and the client's books end equal to the engine's.
#include <random>

#include "book/decimal.hpp"
#include "tests/app/ws_harness.hpp"

namespace mdhub::test {
namespace {

constexpr size_t kWindow = 10;
constexpr int64_t kLevels = 60;  // prices a side the changes pick from (the window is 10)

int64_t price_at(Side side, int64_t i) { return side == Side::bid ? 99000 - i * 10 : 100100 + i * 10; }

std::vector<LevelUpdate> ladder(int64_t n) {
  std::vector<LevelUpdate> v;
  for (int64_t i = 0; i < n; i += 2) {  // every other price: room for levels to enter
    v.push_back({Side::bid, price_at(Side::bid, i), (i + 1) * 10000000});
    v.push_back({Side::ask, price_at(Side::ask, i), (i + 1) * 10000000});
  }
  return v;
}

using Top = std::vector<Level>;

Top venue_top(const InstrumentState& i, Side s, size_t n) {
  Top out;
  i.book.for_each(s, n, [&](const Level& l) { out.push_back(l); });
  return out;
}

Top merged_top(const ConsolidatedState& c, Side s, size_t n) {
  Top out;
  c.book.for_each(s, n, [&](int64_t p, int64_t q, std::span<const VenueQty>) { out.push_back({p, q}); });
  return out;
}

struct Views {
  Top venue_bid, venue_ask, cons_bid, cons_ask;
  bool operator==(const Views&) const = default;
};

TEST(AppWsViews, WindowsAndTheConsolidatedBookFollowEveryChangeExactly) {
  WsApiConfig cfg;
  cfg.max_lag_ms = 0;  // every message must arrive: nothing may conflate
  Hub hub(cfg);
  const size_t narkasa = hub.add_venue("narkasa");
  hub.book(BookMsg::Type::snapshot, 1, 0, ladder(kLevels));
  hub.book(BookMsg::Type::snapshot, 1, 0, ladder(kLevels), narkasa);
  const InstrumentState& btse = hub.inst();
  const InstrumentState& nark = *hub.engine().find("narkasa", "BTC-USD");
  const ConsolidatedState& cons = *hub.engine().find_consolidated("BTC-USD");
  ASSERT_EQ(nark.consolidated, btse.consolidated);  // one consolidated book, two members
  ASSERT_NE(nark.consolidated_member, btse.consolidated_member);

  const std::vector<std::string> channels = {"book10:btse:BTC-USD", "book:all:BTC-USD", "book10:all:BTC-USD"};
  Client c(hub);
  c.send(R"({"op":"subscribe","channels":["book10:btse:BTC-USD","book:all:BTC-USD","book10:all:BTC-USD"],"id":1})");
  ASSERT_TRUE(c.wait_messages(4));  // subscribed, then a snapshot per channel

  auto views = [&] {
    return Views{venue_top(btse, Side::bid, kWindow), venue_top(btse, Side::ask, kWindow),
                 merged_top(cons, Side::bid, kWindow), merged_top(cons, Side::ask, kWindow)};
  };
  std::mt19937_64 rng(42);
  std::map<std::string, size_t> want = {{channels[0], 1}, {channels[1], 1}, {channels[2], 1}};
  uint64_t seq[2] = {1, 1};
  size_t inside = 0, beyond = 0;
  for (int step = 0; step < 3000; ++step) {
    const size_t feed = rng() % 2;
    const InstrumentState& inst = feed == 0 ? btse : nark;
    std::vector<LevelUpdate> changes;
    const size_t n = 1 + rng() % 3;
    for (size_t k = 0; k < n; ++k) {
      const Side side = rng() % 2 ? Side::bid : Side::ask;
      // Mostly near the top, so levels enter and leave the window often.
      const int64_t i = static_cast<int64_t>(rng() % 4 ? rng() % 16 : rng() % kLevels);
      const int64_t price = price_at(side, i);
      if (std::any_of(changes.begin(), changes.end(), [&](const LevelUpdate& u) { return u.price == price; })) continue;
      int64_t now = 0;
      inst.book.for_each(side, SIZE_MAX, [&](const Level& l) { now = l.price == price ? l.qty : now; });
      // A real change every time: a new size, a removal of a level that exists, or a new level.
      int64_t qty = now != 0 && rng() % 3 == 0 ? 0 : static_cast<int64_t>(1 + rng() % 9) * 10000000;
      if (qty == now) qty += 10000000;
      changes.push_back({side, price, qty});
    }
    const Views before = views();
    hub.book(BookMsg::Type::delta, seq[feed] + 1, seq[feed], changes, feed);
    ++seq[feed];
    const Views after = views();
    const bool venue_view = before.venue_bid != after.venue_bid || before.venue_ask != after.venue_ask;
    const bool cons_view = before.cons_bid != after.cons_bid || before.cons_ask != after.cons_ask;
    if (feed == 0) want[channels[0]] += venue_view;
    ++want[channels[1]];
    want[channels[2]] += cons_view;
    (cons_view ? inside : beyond) += 1;
    if (step % 100 == 99) {
      ASSERT_TRUE(c.wait_messages(1 + want[channels[0]] + want[channels[1]] + want[channels[2]]));
    }
  }
  // Both kinds happened often: changes that moved the windows and changes beyond them.
  EXPECT_GT(inside, 500u);
  EXPECT_GT(beyond, 500u);
  const size_t total = 1 + want[channels[0]] + want[channels[1]] + want[channels[2]];
  ASSERT_TRUE(c.wait_messages(total));
  c.send(R"({"op":"ping","id":2})");
  ASSERT_TRUE(c.wait_messages(total + 1));
  ASSERT_EQ(c.messages().size(), total + 1);  // nothing more than the real changes
  EXPECT_EQ(c.messages().back(), R"({"type":"pong","id":2})");

  std::map<std::string, ReplicaBook> replicas;
  std::map<std::string, size_t> got;
  std::map<std::string, int64_t> last_seq;
  for (size_t i = 1; i + 1 < c.messages().size(); ++i) {
    const Msg m = parse(c.messages()[i]);
    ASSERT_TRUE(m.type == "book_snapshot" || m.type == "book_update") << c.messages()[i];
    if (m.type == "book_update") {
      EXPECT_EQ(m.seq, last_seq[m.channel] + 1) << c.messages()[i];
      EXPECT_FALSE(m.bids.empty() && m.asks.empty()) << c.messages()[i];
    }
    last_seq[m.channel] = m.seq;
    ++got[m.channel];
    replicas[m.channel].apply(m);
  }
  EXPECT_EQ(got, want);
  EXPECT_EQ(replicas[channels[0]].side(Side::bid), venue_top(btse, Side::bid, kWindow));
  EXPECT_EQ(replicas[channels[0]].side(Side::ask), venue_top(btse, Side::ask, kWindow));
  EXPECT_EQ(replicas[channels[1]].side(Side::bid), merged_top(cons, Side::bid, SIZE_MAX));
  EXPECT_EQ(replicas[channels[1]].side(Side::ask), merged_top(cons, Side::ask, SIZE_MAX));
  EXPECT_EQ(replicas[channels[2]].side(Side::bid), merged_top(cons, Side::bid, kWindow));
  EXPECT_EQ(replicas[channels[2]].side(Side::ask), merged_top(cons, Side::ask, kWindow));
  EXPECT_EQ(hub.stats().conflations, 0u);
}

}  // namespace
}  // namespace mdhub::test
