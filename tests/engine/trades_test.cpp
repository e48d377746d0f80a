// Trades, trade-built and venue candles, tickers and venue BBOs.
#include "tests/engine/fixture.hpp"

namespace mdhub::test {
namespace {

using Strings = std::vector<std::string>;
using Ids = std::vector<uint32_t>;

// A one-minute boundary (µs since the epoch), 40 s after kWallBase.
constexpr int64_t kMinute = 60 * kUsPerSec;
constexpr int64_t M = 1'700'000'040 * kUsPerSec;
static_assert(M % kMinute == 0);

TEST_F(engine, TradeHistoryIsBoundedNewestLast) {
  Batch b = at(kBtse, 20 * kSec);
  b.exchange_ts(M + kUsPerSec);
  const int64_t n = static_cast<int64_t>(kTradeHistory) + 5;
  for (int64_t i = 1; i <= n; ++i) b.trade(kBtc, "100.5", "0.001", static_cast<int8_t>(i % 2 ? 1 : -1), i);
  send(kBtse, b);

  const InstrumentState& s = st("btse", "BTC-USDT");
  ASSERT_EQ(s.trades.size(), kTradeHistory);
  EXPECT_EQ(s.trades.front().trade_id, 6);
  EXPECT_EQ(s.trades.back().trade_id, n);
  ASSERT_EQ(rec_.trades.size(), static_cast<size_t>(n));
  const TradeRecord& t = rec_.trades[0].second;
  EXPECT_EQ(rec_.trades[0].first, "btse/BTC-USDT");
  EXPECT_EQ(t.price, 1005);
  EXPECT_EQ(t.qty, 1000);
  EXPECT_EQ(t.side, 1);
  EXPECT_EQ(t.trade_id, 1);
  EXPECT_EQ(t.ts_exchange_us, M + kUsPerSec);
  EXPECT_EQ(t.ts_received_us, 1'700'000'020 * kUsPerSec);
  EXPECT_EQ(rec_.trades[1].second.side, -1);
  for (size_t i = 1; i < rec_.trades.size(); ++i)
    EXPECT_LT(rec_.trades[i - 1].second.seq, rec_.trades[i].second.seq);
  EXPECT_EQ(s.trades.back().seq, rec_.trades.back().second.seq);
  EXPECT_TRUE(st("btse", "ETH-USDT").trades.empty());
}

// `seq` of each payload kind (README "seq"): trades count per instrument, candles per series
// (instrument, interval, source), tickers per instrument.
TEST_F(engine, SeqCountsPerInstrumentAndPerCandleSeries) {
  send(kBtse, at(kBtse, 50 * kSec)
                  .exchange_ts(M + 1 * kUsPerSec).trade(kBtc, "100.0", "1", 1, 1)
                  .exchange_ts(M + 2 * kUsPerSec).trade(kEth, "10.0", "1", 1, 7)
                  .exchange_ts(M + 3 * kUsPerSec).trade(kBtc, "101.0", "1", 1, 2));
  ASSERT_EQ(rec_.trades.size(), 3u);
  EXPECT_EQ(rec_.trades[0].second.seq, 1u);
  EXPECT_EQ(rec_.trades[1].second.seq, 1u);  // ETH-USDT's first
  EXPECT_EQ(rec_.trades[2].second.seq, 2u);
  EXPECT_EQ(st("btse", "BTC-USDT").trades.back().seq, 2u);

  // BTC-USDT's trade-built 1m series has had two updates; a venue 1m candle starts its own.
  std::vector<uint64_t> m1, m5;
  for (const auto& [k, c] : rec_.candles) {
    if (k != "btse/BTC-USDT") continue;
    if (c.candle.interval == CandleInterval::m1) m1.push_back(c.seq);
    if (c.candle.interval == CandleInterval::m5) m5.push_back(c.seq);
  }
  EXPECT_EQ(m1, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(m5, (std::vector<uint64_t>{1, 2}));
  CandleMsg c;
  c.interval = CandleInterval::m1;
  c.open_time_us = M;
  c.open = c.high = c.low = c.close = 1000;
  c.volume = 100;
  rec_.clear();
  send(kBtse, at(kBtse, 51 * kSec).candle(kBtc, c).exchange_ts(M + 4 * kUsPerSec).trade(kBtc, "102.0", "1", 1, 3));
  std::vector<std::pair<bool, uint64_t>> got;
  for (const auto& [k, r] : rec_.candles)
    if (r.candle.interval == CandleInterval::m1) got.emplace_back(r.from_venue, r.seq);
  EXPECT_EQ(got, (std::vector<std::pair<bool, uint64_t>>{{true, 1}, {false, 3}}));

  TickerMsg t;
  t.last = 1000;
  send(kBtse, at(kBtse, 52 * kSec).ticker(kBtc, t).ticker(kBtc, t).ticker(kEth, t));
  EXPECT_EQ(st("btse", "BTC-USDT").ticker_seq, 2u);
  EXPECT_EQ(st("btse", "ETH-USDT").ticker_seq, 1u);
}

TEST_F(engine, TradeCandlesOpenOnTradesAndCloseOnTheTimer) {
  send(kBtse, at(kBtse, 50 * kSec)
                  .exchange_ts(M + 1 * kUsPerSec).trade(kBtc, "100.0", "1", 1, 1)
                  .exchange_ts(M + 20 * kUsPerSec).trade(kBtc, "101.0", "2", -1, 2)
                  .exchange_ts(M + 40 * kUsPerSec).trade(kBtc, "99.5", "0.5", 1, 3));
  std::vector<CandleRecord> m1 = rec_.candles_of(CandleInterval::m1);
  ASSERT_EQ(m1.size(), 3u);
  const CandleMsg& open = m1.back().candle;
  EXPECT_FALSE(m1.back().from_venue);
  EXPECT_EQ(m1.back().ts_received_us, 1'700'000'050 * kUsPerSec);
  EXPECT_EQ(open.open_time_us, M);
  EXPECT_EQ(open.close_time_us, M + kMinute);
  EXPECT_EQ(open.open, 1000);
  EXPECT_EQ(open.high, 1010);
  EXPECT_EQ(open.low, 995);
  EXPECT_EQ(open.close, 995);
  EXPECT_EQ(open.volume, 3'500'000);
  EXPECT_FALSE(open.closed);
  for (const auto& [k, c] : rec_.candles) EXPECT_EQ(k, "btse/BTC-USDT");

  rec_.clear();
  engine_.close_candles(M + kMinute - 1);
  EXPECT_TRUE(rec_.candles_of(CandleInterval::m1).empty());

  engine_.close_candles(M + kMinute);
  m1 = rec_.candles_of(CandleInterval::m1);
  ASSERT_EQ(m1.size(), 1u);
  EXPECT_TRUE(m1[0].candle.closed);
  EXPECT_EQ(m1[0].candle.open_time_us, M);
  EXPECT_EQ(m1[0].candle.open, 1000);
  EXPECT_EQ(m1[0].candle.high, 1010);
  EXPECT_EQ(m1[0].candle.low, 995);
  EXPECT_EQ(m1[0].candle.close, 995);
  EXPECT_EQ(m1[0].candle.volume, 3'500'000);
  EXPECT_EQ(m1[0].ts_received_us, M + kMinute);
  EXPECT_FALSE(m1[0].from_venue);

  // Quiet minutes still get their (flat) candles.
  rec_.clear();
  engine_.close_candles(M + 3 * kMinute);
  m1 = rec_.candles_of(CandleInterval::m1);
  ASSERT_EQ(m1.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const CandleMsg& c = m1[i].candle;
    EXPECT_EQ(c.open_time_us, M + static_cast<int64_t>(i + 1) * kMinute);
    EXPECT_TRUE(c.closed);
    EXPECT_EQ(c.open, 995);
    EXPECT_EQ(c.high, 995);
    EXPECT_EQ(c.low, 995);
    EXPECT_EQ(c.close, 995);
    EXPECT_EQ(c.volume, 0);
  }
  for (const auto& [k, c] : rec_.candles) EXPECT_EQ(k, "btse/BTC-USDT");  // no trades, no candles

  // Without an exchange time the receive time places the trade: mono 240 s is wall M + 200 s.
  rec_.clear();
  send(kBtse, at(kBtse, 240 * kSec).trade(kBtc, "102.0", "1", 0, 4));
  EXPECT_EQ(rec_.trades.back().second.ts_exchange_us, kNone);
  m1 = rec_.candles_of(CandleInterval::m1);
  ASSERT_EQ(m1.size(), 1u);
  EXPECT_EQ(m1[0].candle.open_time_us, M + 3 * kMinute);
  EXPECT_EQ(m1[0].candle.open, 1020);
  EXPECT_FALSE(m1[0].candle.closed);

  // A trade without a price is kept and published but builds no candle.
  rec_.clear();
  send(kBtse, at(kBtse, 241 * kSec).trade(kBtc, "", "1", 0, 5));
  ASSERT_EQ(rec_.trades.size(), 1u);
  EXPECT_EQ(rec_.trades[0].second.price, kNone);
  EXPECT_EQ(st("btse", "BTC-USDT").trades.back().trade_id, 5);
  EXPECT_TRUE(rec_.candles.empty());
}

CandleMsg candle(CandleInterval i, int64_t open_time_us, std::string_view close) {
  CandleMsg c;
  c.interval = i;
  c.open_time_us = open_time_us;
  c.open = c.high = c.low = dec("100.00", 2);
  c.close = dec(close, 2);
  c.volume = dec("1.5", 8);
  c.closed = true;
  return c;
}

TEST_F(engine, VenueCandlesAreKeptPerIntervalAndBounded) {
  Batch b = at(kNarkasa, 10 * kSec);
  for (int64_t i = 0; i <= static_cast<int64_t>(kCandleHistory); ++i)
    b.candle(kNkBtc, candle(CandleInterval::m1, i * kMinute, "100.00"));
  b.candle(kNkBtc, candle(CandleInterval::m5, 0, "100.00"));
  send(kNarkasa, b);

  const InstrumentState& s = st("narkasa", "BTC-USDT");
  ASSERT_EQ(s.venue_candles.size(), kCandleHistory + 1);
  EXPECT_EQ(s.venue_candles.begin()->first, (std::pair<int, int64_t>{0, kMinute}));  // the oldest 1m went
  EXPECT_EQ(s.venue_candles.rbegin()->first, (std::pair<int, int64_t>{2, 0}));
  ASSERT_EQ(rec_.candles.size(), kCandleHistory + 2);
  for (const auto& [k, c] : rec_.candles) EXPECT_TRUE(c.from_venue);
  EXPECT_EQ(rec_.candles[0].second.ts_received_us, 1'700'000'010 * kUsPerSec);

  // The same candle again (an update of it) replaces it.
  const int64_t last = static_cast<int64_t>(kCandleHistory) * kMinute;
  send(kNarkasa, at(kNarkasa, 11 * kSec).candle(kNkBtc, candle(CandleInterval::m1, last, "100.25")));
  EXPECT_EQ(s.venue_candles.size(), kCandleHistory + 1);
  EXPECT_EQ(s.venue_candles.at({0, last}).candle.close, 10025);
}

TEST_F(engine, VenueCandlesCloseWhenTheNextStartsOrTheirIntervalEnds) {
  // Narkasa never marks its candles closed.
  CandleMsg a = candle(CandleInterval::m1, M, "100.00");
  a.closed = false;
  send(kNarkasa, at(kNarkasa, 45 * kSec).candle(kNkBtc, a));  // received at M + 5 s
  std::vector<CandleRecord> m1 = rec_.candles_of(CandleInterval::m1);
  ASSERT_EQ(m1.size(), 1u);
  EXPECT_FALSE(m1[0].candle.closed);
  EXPECT_EQ(m1[0].candle.close_time_us, M + kMinute);

  // The next minute starts: the previous one is published again, closed, then the new one.
  CandleMsg b = candle(CandleInterval::m1, M + kMinute, "100.50");
  b.closed = false;
  rec_.clear();
  send(kNarkasa, at(kNarkasa, 105 * kSec).candle(kNkBtc, b));  // M + 65 s
  m1 = rec_.candles_of(CandleInterval::m1);
  ASSERT_EQ(m1.size(), 2u);
  EXPECT_EQ(m1[0].candle.open_time_us, M);
  EXPECT_TRUE(m1[0].candle.closed);
  EXPECT_EQ(m1[0].candle.close, 10000);
  EXPECT_TRUE(m1[0].from_venue);
  EXPECT_EQ(m1[0].ts_received_us, M + 65 * kUsPerSec);
  EXPECT_EQ(m1[1].candle.open_time_us, M + kMinute);
  EXPECT_FALSE(m1[1].candle.closed);
  const InstrumentState& s = st("narkasa", "BTC-USDT");
  EXPECT_TRUE(s.venue_candles.at({0, M}).candle.closed);

  // A late update of the closed minute stays closed.
  rec_.clear();
  send(kNarkasa, at(kNarkasa, 106 * kSec).candle(kNkBtc, a));
  m1 = rec_.candles_of(CandleInterval::m1);
  ASSERT_EQ(m1.size(), 1u);
  EXPECT_TRUE(m1[0].candle.closed);

  // The timer closes the latest once its minute is over, once.
  rec_.clear();
  engine_.close_candles(M + 2 * kMinute - 1);
  EXPECT_TRUE(rec_.candles.empty());
  engine_.close_candles(M + 2 * kMinute);
  m1 = rec_.candles_of(CandleInterval::m1);
  ASSERT_EQ(m1.size(), 1u);
  EXPECT_EQ(m1[0].candle.open_time_us, M + kMinute);
  EXPECT_TRUE(m1[0].candle.closed);
  EXPECT_EQ(m1[0].candle.close, 10050);
  EXPECT_EQ(m1[0].ts_received_us, M + 2 * kMinute);
  rec_.clear();
  engine_.close_candles(M + 3 * kMinute);
  EXPECT_TRUE(rec_.candles.empty());

  // A candle received after its interval ended is closed on arrival.
  CandleMsg late = candle(CandleInterval::m5, M - 5 * kMinute, "99.00");
  late.closed = false;
  send(kNarkasa, at(kNarkasa, 45 * kSec).candle(kNkBtc, late));
  const std::vector<CandleRecord> m5 = rec_.candles_of(CandleInterval::m5);
  ASSERT_EQ(m5.size(), 1u);
  EXPECT_TRUE(m5[0].candle.closed);
}

TEST_F(engine, PartialTickersMergeIntoTheLastKnownValues) {
  TickerMsg a;
  a.bid = dec("100.00", 2);
  a.last = dec("100.10", 2);
  a.volume_base = dec("12.5", 8);
  TickerMsg b;
  b.ask = dec("100.20", 2);
  b.last = dec("100.15", 2);
  send(kNarkasa, at(kNarkasa, 10 * kSec).exchange_ts(M).ticker(kNkBtc, a));
  send(kNarkasa, at(kNarkasa, 11 * kSec).ticker(kNkBtc, b));
  const InstrumentState& s = st("narkasa", "BTC-USDT");
  EXPECT_TRUE(s.has_ticker);
  EXPECT_EQ(s.ticker.bid, 10000);
  EXPECT_EQ(s.ticker.ask, 10020);
  EXPECT_EQ(s.ticker.last, 10015);
  EXPECT_EQ(s.ticker.volume_base, 1'250'000'000);
  EXPECT_EQ(s.ticker.open, kNone);
  EXPECT_EQ(s.ticker.change_pct, kNone);
  EXPECT_EQ(s.ticker_ts_exchange_us, kNone);  // the latest ticker's, not invented
  EXPECT_EQ(s.ticker_ts_received_us, 1'700'000'011 * kUsPerSec);
  EXPECT_EQ(rec_.tickers, (Strings{"narkasa/BTC-USDT", "narkasa/BTC-USDT"}));
}

TEST_F(engine, VenueBboIsPublishedOnlyWhereThereIsNoBook) {
  BboMsg q;
  q.bid = dec("50000.10", 2);
  q.ask = dec("50010.20", 2);
  send(kCoinmotion, at(kCoinmotion, 10 * kSec).bbo(kCmEur, q));
  const InstrumentState& eur = st("coinmotion", "BTC-EUR");
  EXPECT_FALSE(eur.has_book);
  EXPECT_EQ(rec_.bbos, Strings{"coinmotion/BTC-EUR"});
  BboMsg got = eur.bbo();
  EXPECT_EQ(got.bid, 5'000'010);
  EXPECT_EQ(got.bid_qty, kNone);
  EXPECT_EQ(got.ask, 5'001'020);
  EXPECT_EQ(got.ask_qty, kNone);

  // One side only: the other keeps its last value; a size comes with its price.
  BboMsg one;
  one.bid = dec("50001.00", 2);
  one.bid_qty = dec("0.5", 8);
  send(kCoinmotion, at(kCoinmotion, 11 * kSec).bbo(kCmEur, one));
  got = eur.bbo();
  EXPECT_EQ(got.bid, 5'000'100);
  EXPECT_EQ(got.bid_qty, 50'000'000);
  EXPECT_EQ(got.ask, 5'001'020);
  EXPECT_EQ(got.ask_qty, kNone);
  EXPECT_EQ(eur.bbo_ts_received_us, 1'700'000'011 * kUsPerSec);

  // Where the venue publishes a book, the BBO is the book's.
  send(kBtse, at(kBtse, 12 * kSec).snapshot(kBtc, 100, {bid("100.0", "2"), ask("100.1", "1")}));
  rec_.clear();
  BboMsg l1;
  l1.bid = dec("99.0", 1);
  l1.bid_qty = dec("7", 6);
  send(kBtse, at(kBtse, 13 * kSec).bbo(kBtc, l1));
  EXPECT_TRUE(rec_.bbos.empty());
  const InstrumentState& btc = st("btse", "BTC-USDT");
  EXPECT_EQ(btc.venue_bbo.bid, 990);
  EXPECT_EQ(btc.bbo().bid, 1000);
  EXPECT_EQ(btc.bbo().bid_qty, 2'000'000);
}

}  // namespace
}  // namespace mdhub::test
