#include "book/candles.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace mdhub {
namespace {

constexpr int64_t kS = 1'000'000;  // µs per second
constexpr int64_t kMin = 60 * kS;
const int64_t kOneMinute[] = {60};

Candle flat(int64_t open_time, int64_t price) {
  Candle c;
  c.open_time_us = open_time;
  c.open = c.high = c.low = c.close = price;
  c.closed = true;
  c.first_trade_us = c.last_trade_us = open_time;
  return c;
}

TEST(CandleBuilder, BucketsAlignToTheEpochForAllNineIntervals) {
  CandleBuilder b;
  ASSERT_EQ(b.intervals(), 9u);
  std::vector<CandleEvent> ev;
  const int64_t ts = 1717768045 * kS + 123456;  // 2024-06-07T13:47:25.123456Z
  ASSERT_EQ(b.on_trade(100, 1, ts, ev), TradeResult::ok);
  ASSERT_EQ(ev.size(), 9u);
  const int64_t want[] = {1717768020, 1717767900, 1717767900, 1717767900, 1717767000,
                          1717765200, 1717761600, 1717761600, 1717718400};
  for (size_t i = 0; i < 9; ++i) {
    EXPECT_EQ(ev[i].interval, i);
    EXPECT_EQ(ev[i].change, CandleChange::updated);
    EXPECT_FALSE(ev[i].candle.closed);
    EXPECT_EQ(ev[i].candle.open_time_us, want[i] * kS) << i;
    EXPECT_EQ(b.current(i)->open_time_us, want[i] * kS);
    EXPECT_EQ(b.interval_us(i), kCandleIntervalSeconds[i] * kS);
  }
}

TEST(CandleBuilder, OhlcvWithinOneBucket) {
  CandleBuilder b(kOneMinute, 5);
  std::vector<CandleEvent> ev;
  const int64_t t0 = 1000 * kMin;
  ASSERT_EQ(b.on_trade(100, 2, t0 + 1 * kS, ev), TradeResult::ok);
  ASSERT_EQ(b.on_trade(105, 3, t0 + 2 * kS, ev), TradeResult::ok);
  ASSERT_EQ(b.on_trade(98, 1, t0 + 3 * kS, ev), TradeResult::ok);
  ASSERT_EQ(b.on_trade(101, 4, t0 + 59 * kS, ev), TradeResult::ok);
  ASSERT_EQ(ev.size(), 4u);
  const Candle& c = *b.current(0);
  EXPECT_EQ(c.open_time_us, t0);
  EXPECT_EQ(c.open, 100);
  EXPECT_EQ(c.high, 105);
  EXPECT_EQ(c.low, 98);
  EXPECT_EQ(c.close, 101);
  EXPECT_EQ(c.volume, 10);
  EXPECT_EQ(c.trades, 4u);
  EXPECT_FALSE(c.closed);
  EXPECT_EQ(ev.back().candle, c);
  EXPECT_EQ(b.history_size(0), 0u);
}

TEST(CandleBuilder, TradeOrderNotArrivalOrderSetsOpenAndClose) {
  CandleBuilder b(kOneMinute, 5);
  std::vector<CandleEvent> ev;
  ASSERT_EQ(b.on_trade(10, 1, 30 * kS, ev), TradeResult::ok);
  ASSERT_EQ(b.on_trade(5, 1, 20 * kS, ev), TradeResult::ok);  // earlier: new open
  ASSERT_EQ(b.on_trade(7, 1, 25 * kS, ev), TradeResult::ok);  // in between: neither
  EXPECT_EQ(b.current(0)->open, 5);
  EXPECT_EQ(b.current(0)->close, 10);
  ASSERT_EQ(b.on_trade(8, 1, 30 * kS, ev), TradeResult::ok);  // same time as the last: close
  EXPECT_EQ(b.current(0)->close, 8);
}

TEST(CandleBuilder, LaterTradeClosesAndFillsEmptyIntervalsFlat) {
  CandleBuilder b(kOneMinute, 10);
  std::vector<CandleEvent> ev;
  ASSERT_EQ(b.on_trade(100, 1, 10 * kS, ev), TradeResult::ok);
  ASSERT_EQ(b.on_trade(104, 2, 20 * kS, ev), TradeResult::ok);
  ev.clear();
  ASSERT_EQ(b.on_trade(90, 3, 3 * kMin + 5 * kS, ev), TradeResult::ok);
  ASSERT_EQ(ev.size(), 4u);
  EXPECT_EQ(ev[0].change, CandleChange::closed);
  EXPECT_TRUE(ev[0].candle.closed);
  EXPECT_EQ(ev[0].candle.open_time_us, 0);
  EXPECT_EQ(ev[0].candle.close, 104);
  EXPECT_EQ(ev[1].change, CandleChange::closed);
  EXPECT_EQ(ev[1].candle, flat(1 * kMin, 104));
  EXPECT_EQ(ev[2].candle, flat(2 * kMin, 104));
  EXPECT_EQ(ev[3].change, CandleChange::updated);
  EXPECT_EQ(ev[3].candle.open_time_us, 3 * kMin);
  EXPECT_EQ(ev[3].candle.open, 90);
  ASSERT_EQ(b.history_size(0), 3u);
  EXPECT_EQ(b.history(0, 0).volume, 3);
  EXPECT_EQ(b.history(0, 2), flat(2 * kMin, 104));
}

TEST(CandleBuilder, CloseUntilClosesAndFillsUpToNow) {
  CandleBuilder b(kOneMinute, 10);
  std::vector<CandleEvent> ev;
  b.close_until(5 * kMin, ev);  // nothing before the first trade
  EXPECT_TRUE(ev.empty());
  ASSERT_EQ(b.on_trade(100, 1, 10 * kS, ev), TradeResult::ok);
  ev.clear();
  b.close_until(60 * kS - 1, ev);
  EXPECT_TRUE(ev.empty());
  b.close_until(60 * kS, ev);  // the bucket's end: closed
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].change, CandleChange::closed);
  EXPECT_EQ(b.current(0), nullptr);
  ev.clear();
  b.close_until(200 * kS, ev);  // minutes 1 and 2 ended; minute 3 has not
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].candle, flat(1 * kMin, 100));
  EXPECT_EQ(ev[1].candle, flat(2 * kMin, 100));
  ev.clear();
  b.close_until(200 * kS, ev);  // idempotent
  EXPECT_TRUE(ev.empty());
  ASSERT_EQ(b.on_trade(120, 1, 210 * kS, ev), TradeResult::ok);
  ASSERT_EQ(ev.size(), 1u);  // no fill needed: the bucket follows the newest closed one
  EXPECT_EQ(ev[0].candle.open_time_us, 3 * kMin);
  ev.clear();
  ASSERT_EQ(b.on_trade(121, 1, 7 * kMin, ev), TradeResult::ok);
  ASSERT_EQ(ev.size(), 5u);  // close 3, flats 4 5 6, open 7
  EXPECT_EQ(ev[1].candle, flat(4 * kMin, 120));
}

TEST(CandleBuilder, LateTradesReviseHistoryOrAreDropped) {
  CandleBuilder b(kOneMinute, 3);
  std::vector<CandleEvent> ev;
  ASSERT_EQ(b.on_trade(100, 1, 0 * kMin + kS, ev), TradeResult::ok);
  ASSERT_EQ(b.on_trade(101, 1, 1 * kMin + kS, ev), TradeResult::ok);
  ASSERT_EQ(b.on_trade(102, 1, 2 * kMin + kS, ev), TradeResult::ok);
  ASSERT_EQ(b.on_trade(103, 1, 3 * kMin + kS, ev), TradeResult::ok);
  ASSERT_EQ(b.on_trade(104, 1, 4 * kMin + kS, ev), TradeResult::ok);
  // History holds minutes 1, 2, 3; minute 4 is open.
  ASSERT_EQ(b.history_size(0), 3u);
  EXPECT_EQ(b.history(0, 0).open_time_us, 1 * kMin);
  ev.clear();
  // A late trade for minute 2, before its first trade: new open, new low.
  EXPECT_EQ(b.on_trade(90, 5, 2 * kMin, ev), TradeResult::revised);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].change, CandleChange::revised);
  const Candle& c = b.history(0, 1);
  EXPECT_EQ(ev[0].candle, c);
  EXPECT_TRUE(c.closed);
  EXPECT_EQ(c.open, 90);
  EXPECT_EQ(c.low, 90);
  EXPECT_EQ(c.high, 102);
  EXPECT_EQ(c.close, 102);
  EXPECT_EQ(c.volume, 6);
  EXPECT_EQ(c.trades, 2u);
  // The oldest held minute can still be revised; anything older is dropped and counted.
  ev.clear();
  EXPECT_EQ(b.on_trade(110, 1, 1 * kMin + 30 * kS, ev), TradeResult::revised);
  EXPECT_EQ(b.history(0, 0).close, 110);
  EXPECT_EQ(b.history(0, 0).high, 110);
  ev.clear();
  EXPECT_EQ(b.on_trade(110, 1, 0 * kMin + 30 * kS, ev), TradeResult::dropped);
  EXPECT_TRUE(ev.empty());
  EXPECT_EQ(b.dropped(), 1u);
  // The open candle is untouched by all of it.
  EXPECT_EQ(b.current(0)->open_time_us, 4 * kMin);
  EXPECT_EQ(b.current(0)->volume, 1);
}

TEST(CandleBuilder, LateTradeIntoAFlatCandleMakesItReal) {
  CandleBuilder b(kOneMinute, 10);
  std::vector<CandleEvent> ev;
  ASSERT_EQ(b.on_trade(100, 1, 0, ev), TradeResult::ok);
  ASSERT_EQ(b.on_trade(100, 1, 3 * kMin, ev), TradeResult::ok);  // flats at 1 and 2
  ev.clear();
  ASSERT_EQ(b.on_trade(95, 2, 2 * kMin + 5 * kS, ev), TradeResult::revised);
  const Candle& c = b.history(0, 2);
  EXPECT_EQ(c.open_time_us, 2 * kMin);
  EXPECT_EQ(c.open, 95);
  EXPECT_EQ(c.high, 95);
  EXPECT_EQ(c.low, 95);
  EXPECT_EQ(c.close, 95);
  EXPECT_EQ(c.volume, 2);
  EXPECT_EQ(c.trades, 1u);
  EXPECT_TRUE(c.closed);
}

TEST(CandleBuilder, TradeBeforeTheFirstCandleIsDropped) {
  CandleBuilder b(kOneMinute, 10);
  std::vector<CandleEvent> ev;
  ASSERT_EQ(b.on_trade(100, 1, 5 * kMin, ev), TradeResult::ok);
  EXPECT_EQ(b.on_trade(100, 1, 4 * kMin, ev), TradeResult::dropped);
  EXPECT_EQ(b.dropped(), 1u);
}

TEST(CandleBuilder, LongGapKeepsOnlyTheHistory) {
  CandleBuilder b(kOneMinute, 4);
  std::vector<CandleEvent> ev;
  ASSERT_EQ(b.on_trade(100, 1, 0, ev), TradeResult::ok);
  ev.clear();
  ASSERT_EQ(b.on_trade(101, 1, 100000 * kMin, ev), TradeResult::ok);
  ASSERT_EQ(ev.size(), 1u + 4u + 1u);  // close, then only the last four flats, then open
  EXPECT_EQ(ev[1].candle, flat(99996 * kMin, 100));
  EXPECT_EQ(ev[4].candle, flat(99999 * kMin, 100));
  ASSERT_EQ(b.history_size(0), 4u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(b.history(0, i), flat((99996 + static_cast<int64_t>(i)) * kMin, 100));
  // And with close_until.
  ev.clear();
  b.close_until(300000 * kMin, ev);
  EXPECT_EQ(ev.size(), 1u + 4u);
  EXPECT_EQ(b.history(0, 3), flat(299999 * kMin, 101));
  // Revisions still address the right (consecutive) bucket.
  ev.clear();
  ASSERT_EQ(b.on_trade(50, 1, 299997 * kMin, ev), TradeResult::revised);
  EXPECT_EQ(b.history(0, 1).open_time_us, 299997 * kMin);
  EXPECT_EQ(b.history(0, 1).low, 50);
}

TEST(CandleBuilder, RejectsInvalidTrades) {
  CandleBuilder b(kOneMinute, 4);
  std::vector<CandleEvent> ev;
  EXPECT_EQ(b.on_trade(0, 1, kS, ev), TradeResult::rejected);
  EXPECT_EQ(b.on_trade(-5, 1, kS, ev), TradeResult::rejected);
  EXPECT_EQ(b.on_trade(5, -1, kS, ev), TradeResult::rejected);
  EXPECT_EQ(b.on_trade(5, 1, -1, ev), TradeResult::rejected);
  EXPECT_EQ(b.on_trade(5, 1, std::numeric_limits<int64_t>::max(), ev), TradeResult::rejected);
  EXPECT_EQ(b.rejected(), 5u);
  EXPECT_TRUE(ev.empty());
  EXPECT_EQ(b.current(0), nullptr);
}

TEST(CandleBuilder, VolumeSaturates) {
  CandleBuilder b(kOneMinute, 4);
  std::vector<CandleEvent> ev;
  const int64_t big = std::numeric_limits<int64_t>::max() - 1;
  ASSERT_EQ(b.on_trade(5, big, kS, ev), TradeResult::ok);
  ASSERT_EQ(b.on_trade(5, big, 2 * kS, ev), TradeResult::ok);
  EXPECT_EQ(b.current(0)->volume, std::numeric_limits<int64_t>::max());
}

TEST(CandleBuilder, LastReturnsHistoryThenOpenCandle) {
  CandleBuilder b(kOneMinute, 3);
  std::vector<CandleEvent> ev;
  std::vector<Candle> out{Candle{}};
  b.last(0, 10, out);
  EXPECT_TRUE(out.empty());
  for (int64_t m = 0; m < 5; ++m) ASSERT_EQ(b.on_trade(100 + m, 1, m * kMin, ev), TradeResult::ok);
  b.last(0, 10, out);
  ASSERT_EQ(out.size(), 4u);  // three closed + the open one
  EXPECT_EQ(out[0].open_time_us, 1 * kMin);
  EXPECT_EQ(out[3].open_time_us, 4 * kMin);
  EXPECT_FALSE(out[3].closed);
  b.last(0, 2, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].open_time_us, 3 * kMin);
  EXPECT_EQ(out[1].open_time_us, 4 * kMin);
  b.last(0, 1, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].open_time_us, 4 * kMin);
  b.last(0, 0, out);
  EXPECT_TRUE(out.empty());
}

TEST(CandleBuilder, IntervalsAreIndependent) {
  CandleBuilder b;  // all nine
  std::vector<CandleEvent> ev;
  ASSERT_EQ(b.on_trade(100, 1, 0, ev), TradeResult::ok);
  ev.clear();
  ASSERT_EQ(b.on_trade(110, 2, 4 * kMin, ev), TradeResult::ok);
  // 1m: close 0, flats 1-3, open 4 (5 events); 3m: close 0, open 3 (2); 5m and up: update (1 each).
  ASSERT_EQ(ev.size(), 5u + 2u + 7u);
  EXPECT_EQ(b.current(2)->volume, 3);
  EXPECT_EQ(b.current(8)->high, 110);
  EXPECT_EQ(b.history_size(0), 4u);
  EXPECT_EQ(b.history_size(1), 1u);
  EXPECT_EQ(b.history_size(8), 0u);
}

}  // namespace
}  // namespace mdhub
