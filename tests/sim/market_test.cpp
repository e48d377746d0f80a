// The market model alone: determinism, book invariants, trades, candles, cross-venue prices.
#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <tuple>

#include "src/sim/market.hpp"
#include "src/sim/sim_venue.hpp"

namespace mdhub::sim {
namespace {

constexpr int64_t kStart = 1'700'000'000'000'000;  // a fixed wall clock, µs

std::vector<InstrumentSpec> all_specs() {
  std::vector<InstrumentSpec> out;
  for (const VenueDef* d : venue_defs()) out.insert(out.end(), d->instruments.begin(), d->instruments.end());
  return out;
}

// A step as data, without its wall-clock label.
using Rec = std::tuple<uint32_t, std::vector<LevelUpdate>, std::vector<std::tuple<int64_t, int64_t, int64_t, int8_t>>>;

Rec record(const Step& s) {
  std::vector<std::tuple<int64_t, int64_t, int64_t, int8_t>> trades;
  for (const Trade& t : s.trades) trades.emplace_back(t.id, t.price, t.qty, t.side);
  return {s.instrument, {s.updates.begin(), s.updates.end()}, trades};
}

std::vector<Rec> run(uint64_t seed, int64_t until_us, int64_t chunk_us) {
  Market m(seed, all_specs(), kStart);
  std::vector<Rec> out;
  for (int64_t t = chunk_us; t <= until_us; t += chunk_us)
    m.advance(t, kStart + t, [&](const Step& s) { out.push_back(record(s)); });
  return out;
}

TEST(SimMarket, SameSeedSameStepsWhateverTheTimerGranularity) {
  const auto a = run(42, 3'000'000, 1'000);      // fine-grained timers
  const auto b = run(42, 3'000'000, 750'000);    // late, coarse timers
  ASSERT_GT(a.size(), 200u);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], b[i]) << "step " << i;
}

TEST(SimMarket, DifferentSeedsDiffer) {
  const auto a = run(1, 1'000'000, 100'000);
  const auto b = run(2, 1'000'000, 100'000);
  EXPECT_NE(a, b);
}

TEST(SimMarket, BooksStayValidAtTheVenuesPrecision) {
  Market m(7, all_specs(), kStart);
  size_t trades = 0;
  for (int64_t t = 100'000; t <= 20'000'000; t += 100'000) {
    m.advance(t, kStart + t, [&](const Step& s) { trades += s.trades.size(); });
    for (uint32_t id = 0; id < m.size(); ++id) {
      const auto& sp = m.spec(id);
      const Book& b = m.book(id);
      ASSERT_GE(b.bids.size(), sp.min_levels) << sp.venue << " " << sp.symbol;
      ASSERT_LE(b.bids.size(), sp.max_levels);
      ASSERT_GE(b.asks.size(), sp.min_levels);
      ASSERT_LE(b.asks.size(), sp.max_levels);
      ASSERT_LT(b.bids.begin()->first, b.asks.begin()->first) << sp.venue << " " << sp.symbol << " crossed";
      for (const auto& [p, q] : b.bids) {
        ASSERT_EQ(p % sp.tick, 0);
        ASSERT_GT(q, 0);
        ASSERT_EQ(q % sp.lot, 0);
      }
      for (const auto& [p, q] : b.asks) {
        ASSERT_EQ(p % sp.tick, 0);
        ASSERT_GT(q, 0);
        ASSERT_EQ(q % sp.lot, 0);
      }
    }
  }
  EXPECT_GT(trades, 100u);
}

TEST(SimMarket, BtseBooksAreDeeperThanTheWebsocketWindow) {
  Market m(3, all_specs(), kStart);
  m.advance(5'000'000, kStart + 5'000'000, nullptr);
  size_t deeper = 0;
  for (uint32_t id = 0; id < m.size(); ++id)
    if (m.spec(id).venue == "btse") {
      for (size_t n : {m.book(id).bids.size(), m.book(id).asks.size()}) {
        EXPECT_GE(n, 50u);
        EXPECT_LE(n, 80u);
        deeper += n > 50;
      }
    }
  // Levels below the 50 the websocket shows exist, so leaving and entering the window happens.
  EXPECT_GT(deeper, 0u);
}

TEST(SimMarket, UpdatesReplayOntoThePreviousBook) {
  Market m(11, all_specs(), kStart);
  std::vector<Book> mirror;
  for (uint32_t id = 0; id < m.size(); ++id) mirror.push_back(m.book(id));
  for (int64_t t = 50'000; t <= 5'000'000; t += 50'000)
    m.advance(t, kStart + t, [&](const Step& s) {
      Book& b = mirror[s.instrument];
      for (const auto& u : s.updates) {
        if (u.side == Side::bid) {
          if (u.qty == 0) b.bids.erase(u.price);
          else b.bids[u.price] = u.qty;
        } else {
          if (u.qty == 0) b.asks.erase(u.price);
          else b.asks[u.price] = u.qty;
        }
      }
      ASSERT_EQ(b.bids, m.book(s.instrument).bids);
      ASSERT_EQ(b.asks, m.book(s.instrument).asks);
    });
}

// prev_qty is each updated level's size before the step, and the undo history rebuilds
// every kept sequence number's book from the current one; older and newer seqs are refused.
TEST(SimMarket, BookHistoryRollsBackToEveryKeptSeq) {
  Market m(5, all_specs(), kStart);
  uint32_t id = 0;
  while (m.spec(id).venue != "btse") ++id;
  constexpr uint64_t kFirst = 1000;
  constexpr size_t kKeep = 40;
  BookHistory h(kFirst, 7, kKeep);
  std::map<uint64_t, Book> at{{kFirst, m.book(id)}};  // the test's own full copies
  std::map<uint64_t, int64_t> ts{{kFirst, 7}};
  Book prev = m.book(id);
  for (int64_t t = 50'000; h.last() < kFirst + 100; t += 50'000)
    m.advance(t, kStart + t, [&](const Step& s) {
      if (s.instrument != id || s.updates.empty()) return;
      ASSERT_EQ(s.prev_qty.size(), s.updates.size());
      for (size_t i = 0; i < s.updates.size(); ++i) {
        const auto& u = s.updates[i];
        const int64_t before = u.side == Side::bid ? (prev.bids.contains(u.price) ? prev.bids.at(u.price) : 0)
                                                   : (prev.asks.contains(u.price) ? prev.asks.at(u.price) : 0);
        ASSERT_EQ(s.prev_qty[i], before) << "level " << u.price;
      }
      prev = m.book(id);
      h.record(s.ts_us, s.updates, s.prev_qty);
      at[h.last()] = m.book(id);
      ts[h.last()] = s.ts_us;
    });
  // One advance() may record several steps of the instrument: at least 100 were kept.
  ASSERT_GE(h.last(), kFirst + 100);
  EXPECT_EQ(h.first(), h.last() - kKeep);
  for (uint64_t seq = h.first(); seq <= h.last(); ++seq) {
    Book b = m.book(id);
    ASSERT_TRUE(h.rollback(b, seq)) << seq;
    EXPECT_EQ(b.bids, at[seq].bids) << seq;
    EXPECT_EQ(b.asks, at[seq].asks) << seq;
    EXPECT_EQ(h.ts_us(seq), ts[seq]) << seq;
  }
  for (uint64_t seq : {h.first() - 1, h.last() + 1, uint64_t{0}}) {
    Book b = m.book(id);
    EXPECT_FALSE(h.rollback(b, seq)) << seq;
    EXPECT_EQ(b.bids, m.book(id).bids);  // untouched
  }
}

TEST(SimMarket, TradesTakeLiquidityAndFeedCandlesAndStats) {
  Market m(5, all_specs(), kStart);
  std::map<uint32_t, int64_t> last_id, last_price;
  size_t checked = 0;
  m.advance(10'000'000, kStart + 10'000'000, [&](const Step& s) {
    for (const Trade& t : s.trades) {
      if (last_id.count(s.instrument)) {
        EXPECT_EQ(t.id, last_id[s.instrument] + 1);
      }
      last_id[s.instrument] = t.id;
      last_price[s.instrument] = t.price;
      EXPECT_TRUE(t.side == 1 || t.side == -1);
      // The aggressor took size from the opposite side at the trade price.
      const Side taken = t.side > 0 ? Side::ask : Side::bid;
      bool found = false;
      for (const auto& u : s.updates) found = found || (u.side == taken && u.price == t.price);
      EXPECT_TRUE(found) << "trade at " << t.price << " left no level change";
      ++checked;
    }
  });
  ASSERT_GT(checked, 50u);
  for (const auto& [id, px] : last_price) {
    const Stats st = m.stats(id);
    EXPECT_EQ(st.last, px);
    EXPECT_GE(st.high, st.low);
    EXPECT_GT(st.volume, 0);
    EXPECT_GT(st.trades, 0);
    EXPECT_EQ(m.trades(id).back().price, px);
    const auto c5 = m.candles(id, 300, 0, std::numeric_limits<int64_t>::max(), 1000);
    ASSERT_FALSE(c5.empty());
    EXPECT_EQ(c5.back().close, px);
    EXPECT_EQ(c5.back().open_time_us % 300'000'000, 0);
    EXPECT_GE(m.minute_candles(id).size(), 1440u);  // the synthetic day before the start
  }
}

TEST(SimMarket, VenuesDisagreeAndSometimesCross) {
  Market m(9, all_specs(), kStart);
  uint32_t btse = 0, narkasa = 0;
  for (uint32_t id = 0; id < m.size(); ++id) {
    if (m.spec(id).venue == "btse" && m.spec(id).symbol == "BTC-USDT") btse = id;
    if (m.spec(id).venue == "narkasa" && m.spec(id).symbol == "BTC-USDT") narkasa = id;
  }
  // Both at 0.01 USDT: btse quotes at scale 1, narkasa at scale 2.
  ASSERT_EQ(m.spec(btse).price_scale + 1, m.spec(narkasa).price_scale);
  int crossed = 0, normal = 0;
  for (int64_t t = 100'000; t <= 60'000'000; t += 100'000) {
    m.advance(t, kStart + t, nullptr);
    const int64_t bb = m.book(btse).bids.begin()->first * 10, ba = m.book(btse).asks.begin()->first * 10;
    const int64_t nb = m.book(narkasa).bids.begin()->first, na = m.book(narkasa).asks.begin()->first;
    if (bb > na || nb > ba) ++crossed;
    else ++normal;
    EXPECT_LT(std::abs(bb - nb) * 300, bb) << "venues more than 33 bps apart";
  }
  EXPECT_GT(crossed, 0);
  EXPECT_GT(normal, crossed);
}

}  // namespace
}  // namespace mdhub::sim
