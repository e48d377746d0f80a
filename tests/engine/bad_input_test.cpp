// Bad input reaching the engine: it is counted on the instrument it names (or, when it names
// none, on its feed, or on the engine for a feed never added) and loses nothing else.
#include <limits>
#include <stdexcept>

#include "tests/engine/fixture.hpp"

namespace mdhub::test {
namespace {

using Strings = std::vector<std::string>;
using Ids = std::vector<uint32_t>;

class BadInputTest : public EngineTest {
 protected:
  void SetUp() override {
    send(kBtse, at(kBtse, 10 * kSec)
                    .snapshot(kBtc, 100, {bid("100.0", "2"), ask("100.1", "1")})
                    .snapshot(kEth, 200, {bid("2000.00", "1"), ask("2000.50", "1")}));
    rec_.clear();
  }
  std::vector<std::string> keys_of_books() const {
    std::vector<std::string> out;
    for (const auto& b : rec_.books) out.push_back(b.key);
    return out;
  }
};
using engine_bad_input = BadInputTest;

TEST_F(engine_bad_input, EventsForUnknownInstrumentsAreSkippedAndCounted) {
  TickerMsg t;
  t.last = dec("2000.25", 2);
  EXPECT_EQ(send(kBtse, at(kBtse, 11 * kSec)
                            .delta(kBtc, 101, 100, {bid("100.0", "3")})
                            .delta(2, 1, 0, {bid("1.0", "1")})
                            .trade(7, "1.0", "1", 1, 1)
                            .ticker(std::numeric_limits<uint32_t>::max(), t)
                            .ticker(kEth, t)
                            .delta(kEth, 201, 200, {bid("2000.00", "2")})),
            Ids{});
  EXPECT_EQ(keys_of_books(), (Strings{"btse/BTC-USDT", "btse/ETH-USDT"}));
  EXPECT_EQ(rec_.tickers, Strings{"btse/ETH-USDT"});
  EXPECT_TRUE(rec_.trades.empty());
  EXPECT_TRUE(rec_.lost.empty());
  EXPECT_EQ(engine_.instruments().size(), 5u);
  EXPECT_EQ(side_of(st("btse", "BTC-USDT"), Side::bid), Strings{"100 3"});
  EXPECT_EQ(side_of(st("btse", "ETH-USDT"), Side::bid), Strings{"2000 2"});
  EXPECT_EQ(engine_.feed_stats(kBtse).unknown_instrument_events, 3u);
  EXPECT_EQ(engine_.feed_stats(kNarkasa).unknown_instrument_events, 0u);
  EXPECT_EQ(engine_.feed_stats(kCoinmotion).unknown_instrument_events, 0u);
  EXPECT_EQ(engine_.unknown_feed_events(), 0u);

  // A feed whose discovery has not happened yet knows no instrument at all.
  engine_.add_feed("bitexbit");
  rec_.clear();
  EXPECT_EQ(send(3, at(kBtse, 12 * kSec).delta(kBtc, 102, 101, {bid("100.0", "4")}).trade(kBtc, "1.0", "1", 1, 1)),
            Ids{});
  EXPECT_TRUE(rec_.books.empty());
  EXPECT_TRUE(rec_.trades.empty());
  EXPECT_EQ(side_of(st("btse", "BTC-USDT"), Side::bid), Strings{"100 3"});
  EXPECT_EQ(engine_.feed_stats(3).unknown_instrument_events, 2u);
  EXPECT_EQ(engine_.feed_stats(kBtse).unknown_instrument_events, 3u);
}

// The runtime never does it, but a feed index that was never added must not be read past
// the engine's feed tables: the payload is ignored whole and counted.
TEST_F(engine_bad_input, EventsForAFeedNeverAddedAreIgnoredAndCounted) {
  for (size_t feed : {size_t{3}, size_t{1000}, SIZE_MAX}) {
    EXPECT_EQ(send(feed, at(kBtse, 11 * kSec).delta(kBtc, 101, 100, {bid("100.0", "3")}).trade(kBtc, "1.0", "1", 1, 1)),
              Ids{});
  }
  EXPECT_EQ(engine_.unknown_feed_events(), 6u);
  EXPECT_TRUE(rec_.begins.empty());
  EXPECT_TRUE(rec_.ends.empty());
  EXPECT_TRUE(rec_.books.empty());
  EXPECT_TRUE(rec_.trades.empty());
  EXPECT_EQ(side_of(st("btse", "BTC-USDT"), Side::bid), Strings{"100 2"});
  for (size_t f : {kBtse, kNarkasa, kCoinmotion}) EXPECT_EQ(engine_.feed_stats(f).unknown_instrument_events, 0u);
  EXPECT_THROW((void)engine_.feed_stats(3), std::out_of_range);

  // The same events on the feed they belong to still apply.
  EXPECT_EQ(send(kBtse, at(kBtse, 12 * kSec).delta(kBtc, 101, 100, {bid("100.0", "3")})), Ids{});
  EXPECT_EQ(side_of(st("btse", "BTC-USDT"), Side::bid), Strings{"100 3"});
}

TEST_F(engine_bad_input, BadLevelsLoseOnlyTheirBook) {
  // A zero price: that book is lost and resynced; the rest of the payload goes through.
  EXPECT_EQ(send(kBtse, at(kBtse, 11 * kSec)
                            .delta(kBtc, 101, 100, {bid("0", "1")})
                            .delta(kEth, 201, 200, {bid("2000.00", "2")})
                            .trade(kBtc, "100.0", "1", 1, 9)),
            Ids{kBtc});
  const InstrumentState& btc = st("btse", "BTC-USDT");
  const InstrumentState& eth = st("btse", "ETH-USDT");
  EXPECT_EQ(rec_.lost, Strings{"btse/BTC-USDT"});
  EXPECT_EQ(keys_of_books(), Strings{"btse/ETH-USDT"});
  ASSERT_EQ(rec_.trades.size(), 1u);
  EXPECT_EQ(rec_.trades[0].second.trade_id, 9);
  EXPECT_FALSE(btc.in_sync);
  EXPECT_EQ(btc.book_errors, 1u);
  EXPECT_EQ(btc.resyncs, 1u);
  EXPECT_EQ(btc.gaps, 0u);
  EXPECT_TRUE(eth.in_sync);

  // A negative size, then a negative price.
  EXPECT_EQ(send(kBtse, at(kBtse, 12 * kSec).delta(kEth, 202, 201, {ask("2000.50", "-1")})), Ids{kEth});
  EXPECT_EQ(eth.book_errors, 1u);
  EXPECT_FALSE(eth.in_sync);
  send(kBtse, at(kBtse, 13 * kSec).snapshot(kEth, 300, {bid("2000.00", "1")}));
  EXPECT_EQ(send(kBtse, at(kBtse, 14 * kSec).delta(kEth, 301, 300, {bid("-2000.00", "1")})), Ids{kEth});
  EXPECT_EQ(eth.book_errors, 2u);
  EXPECT_EQ(rec_.lost, (Strings{"btse/BTC-USDT", "btse/ETH-USDT", "btse/ETH-USDT"}));

  // In a snapshot-only venue's book, and in the very first snapshot of a book.
  send(kNarkasa, at(kNarkasa, 15 * kSec).replace(kNkBtc, {bid("100.00", "1")}));
  EXPECT_EQ(send(kNarkasa, at(kNarkasa, 16 * kSec).replace(kNkBtc, {bid("-1", "1")})), Ids{kNkBtc});
  EXPECT_FALSE(st("narkasa", "BTC-USDT").in_sync);
  EXPECT_EQ(rec_.lost.back(), "narkasa/BTC-USDT");
  const size_t lost = rec_.lost.size();
  EXPECT_EQ(send(kNarkasa, at(kNarkasa, 16 * kSec).snapshot(kNkTry, 1, {ask("2000000", "-1")})), Ids{kNkTry});
  EXPECT_EQ(rec_.lost.size(), lost);  // it never was in sync
  EXPECT_EQ(st("narkasa", "BTC-TRY").book_errors, 1u);
}

// A parser bug that points a book message outside the payload's level buffer must not read
// beyond it: the message is a bad level like any other.
TEST_F(engine_bad_input, LevelRangeOutsideThePayloadIsABadLevel) {
  Batch b = at(kBtse, 11 * kSec);
  b.delta(kEth, 201, 200, {bid("2000.00", "2")});
  BookMsg m;
  m.type = BookMsg::Type::delta;
  m.seq = 101;
  m.prev_seq = 100;
  m.level_begin = 0;
  m.level_count = 3;
  b.raw_book(kBtc, m);
  EXPECT_EQ(send(kBtse, b), Ids{kBtc});
  EXPECT_EQ(rec_.lost, Strings{"btse/BTC-USDT"});
  EXPECT_EQ(st("btse", "BTC-USDT").book_errors, 1u);
  EXPECT_EQ(keys_of_books(), Strings{"btse/ETH-USDT"});

  // An end past 2^32 must not wrap around into the buffer.
  m.seq = 202;
  m.prev_seq = 201;
  m.level_begin = std::numeric_limits<uint32_t>::max();
  m.level_count = 2;
  Batch wrap = at(kBtse, 12 * kSec);
  wrap.raw_book(kEth, m);
  EXPECT_EQ(send(kBtse, wrap), Ids{kEth});
  EXPECT_EQ(st("btse", "ETH-USDT").book_errors, 1u);
  EXPECT_FALSE(st("btse", "ETH-USDT").in_sync);
}

}  // namespace
}  // namespace mdhub::test
