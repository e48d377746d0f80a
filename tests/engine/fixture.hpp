#pragma once
// Drives an Engine exactly as the feed runtime does (add_feed, on_instruments, on_events
// with a resync vector, on_stream_down, ...) with hand-built ParseOuts, and records what an
// EngineObserver receives. Prices and quantities are written as decimal text and parsed at
// the instrument's scales; books are read back as exact decimal text.
#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "book/decimal.hpp"
#include "src/engine/engine.hpp"

namespace mdhub::test {

inline constexpr int64_t kSec = 1'000'000'000;
inline constexpr int64_t kUsPerSec = 1'000'000;
/// Wall clock of mono time 0 in every batch, so receive timestamps are exact.
inline constexpr int64_t kWallBase = 1'700'000'000 * kSec;

inline constexpr size_t kBtse = 0, kNarkasa = 1, kCoinmotion = 2;
inline constexpr uint32_t kBtc = 0, kEth = 1;  // btse ids
inline constexpr uint32_t kNkBtc = 0, kNkTry = 1;  // narkasa ids
inline constexpr uint32_t kCmEur = 0;  // coinmotion id

/// Mantissa of `text` at `scale`; "" stands for kNone (a field the venue leaves out).
inline int64_t dec(std::string_view text, int scale) {
  if (text.empty()) return kNone;
  auto r = parse_decimal(text, scale);
  EXPECT_TRUE(r.has_value()) << "bad decimal in test: " << text;
  return r.value_or(0);
}

struct Lv {
  Side side;
  std::string_view price, qty;
};
inline Lv bid(std::string_view p, std::string_view q) { return {Side::bid, p, q}; }
inline Lv ask(std::string_view p, std::string_view q) { return {Side::ask, p, q}; }

inline std::vector<LevelUpdate> to_updates(const Instrument& inst, std::initializer_list<Lv> levels) {
  std::vector<LevelUpdate> out;
  for (const Lv& l : levels)
    out.push_back({l.side, dec(l.price, inst.price_scale), dec(l.qty, inst.qty_scale)});
  return out;
}

/// The events of one received payload of one feed, all at one receive time.
class Batch {
 public:
  Batch(const InstrumentTable& table, int64_t mono_ns)
      : table_(table), recv_{kWallBase + mono_ns, mono_ns} {}

  /// Exchange timestamp of the events added after this call.
  Batch& exchange_ts(int64_t us) {
    ts_exchange_us_ = us;
    return *this;
  }
  Batch& snapshot(uint32_t inst, uint64_t seq, std::initializer_list<Lv> levels) {
    return book(inst, BookMsg::Type::snapshot, seq, 0, levels);
  }
  Batch& delta(uint32_t inst, uint64_t seq, uint64_t prev_seq, std::initializer_list<Lv> levels) {
    return book(inst, BookMsg::Type::delta, seq, prev_seq, levels);
  }
  Batch& replace(uint32_t inst, std::initializer_list<Lv> levels) {
    return book(inst, BookMsg::Type::replace, 0, 0, levels);
  }
  /// The last book message added only publishes `levels` levels a side.
  Batch& window(uint16_t levels) {
    std::get<BookMsg>(out.events.back().body).window = levels;
    return *this;
  }
  /// A replace that carries only the sides named (the other side is unchanged).
  Batch& replace_sides(uint32_t inst, bool bids, bool asks, std::initializer_list<Lv> levels) {
    book(inst, BookMsg::Type::replace, 0, 0, levels);
    auto& m = std::get<BookMsg>(out.events.back().body);
    m.has_bids = bids;
    m.has_asks = asks;
    return *this;
  }
  /// A book message as given (level range included), for malformed parser output.
  Batch& raw_book(uint32_t inst, const BookMsg& m) { return add(inst, EventKind::book, m); }
  Batch& trade(uint32_t inst, std::string_view price, std::string_view qty, int8_t side,
               int64_t trade_id) {
    const Instrument& i = instrument(inst);
    return add(inst, EventKind::trade,
               TradeMsg{dec(price, i.price_scale), dec(qty, i.qty_scale), side, trade_id});
  }
  Batch& ticker(uint32_t inst, const TickerMsg& t) { return add(inst, EventKind::ticker, t); }
  Batch& bbo(uint32_t inst, const BboMsg& b) { return add(inst, EventKind::bbo, b); }
  Batch& candle(uint32_t inst, const CandleMsg& c) { return add(inst, EventKind::candle, c); }

  ParseOut out;

 private:
  const Instrument& instrument(uint32_t inst) const {
    // Events for ids the table does not know are built at the first instrument's scales.
    return table_[inst < table_.size() ? inst : 0];
  }
  Batch& book(uint32_t inst, BookMsg::Type type, uint64_t seq, uint64_t prev_seq,
              std::initializer_list<Lv> levels) {
    BookMsg m;
    m.type = type;
    m.seq = seq;
    m.prev_seq = prev_seq;
    m.level_begin = static_cast<uint32_t>(out.levels.size());
    for (const LevelUpdate& u : to_updates(instrument(inst), levels)) out.levels.push_back(u);
    m.level_count = static_cast<uint32_t>(out.levels.size()) - m.level_begin;
    return add(inst, EventKind::book, m);
  }
  template <class Body>
  Batch& add(uint32_t inst, EventKind kind, const Body& body) {
    Event e;
    e.kind = kind;
    e.instrument = inst;
    e.ts_exchange_us = ts_exchange_us_;
    e.recv = recv_;
    e.body = body;
    out.events.push_back(e);
    return *this;
  }

  const InstrumentTable& table_;
  RecvTime recv_;
  int64_t ts_exchange_us_ = kNone;
};

struct BookCall {
  std::string key;  ///< venue/SYMBOL
  bool snapshot;
  std::vector<std::string> changes;  ///< "bid 100.5 1.25", exact decimals at the instrument's scales
  uint64_t book_seq;
};

struct ConsolidatedCall {
  std::string symbol;
  std::vector<std::string> changes;  ///< empty: a venue's contribution was replaced
  uint64_t seq;
};

std::string key_of(const InstrumentState& s);
std::vector<std::string> render_changes(std::span<const LevelUpdate> changes, int price_scale,
                                        int qty_scale);
/// One side of a venue book, best first: "price qty".
std::vector<std::string> side_of(const InstrumentState& s, Side side);
/// One side of a consolidated book, best first: "price total venue=qty ...".
std::vector<std::string> side_of(const Engine& e, const ConsolidatedState& c, Side side);

/// An instrument of canonical `symbol` (BASE-QUOTE) at the given scales.
Instrument make_instrument(std::string symbol, std::string native, int price_scale, int qty_scale);

/// Records every observer call, in order, as comparable values.
class Recorder : public EngineObserver {
 public:
  void on_events_begin(size_t feed, RecvTime) override { begins.push_back(feed); }
  void on_events_end(size_t feed) override { ends.push_back(feed); }
  void on_instrument_added(const InstrumentState& s) override { added.push_back(key_of(s)); }
  void on_book(const InstrumentState& s, bool snapshot, std::span<const LevelUpdate> changes) override;
  void on_book_lost(const InstrumentState& s) override { lost.push_back(key_of(s)); }
  void on_trade(const InstrumentState& s, const TradeRecord& t) override { trades.emplace_back(key_of(s), t); }
  void on_ticker(const InstrumentState& s) override { tickers.push_back(key_of(s)); }
  void on_bbo(const InstrumentState& s) override { bbos.push_back(key_of(s)); }
  void on_candle(const InstrumentState& s, const CandleRecord& c) override { candles.emplace_back(key_of(s), c); }
  void on_consolidated(const ConsolidatedState& c, std::span<const LevelUpdate> changes) override;
  void on_raw(size_t feed, RawKind kind, int index, RecvTime, std::string_view payload) override {
    raws.push_back(std::to_string(feed) + "/" + std::to_string(static_cast<int>(kind)) + "/" +
                   std::to_string(index) + "/" + std::string(payload));
  }
  void on_feed_state(size_t feed, FeedState state) override { states.emplace_back(feed, state); }
  void on_feed_stale(size_t feed, bool stale) override { stales.emplace_back(feed, stale); }

  void clear();
  /// Trade-built or venue candles of one interval, in arrival order.
  std::vector<CandleRecord> candles_of(CandleInterval i) const;

  std::vector<size_t> begins, ends;
  std::vector<std::string> added, lost, tickers, bbos, raws;
  std::vector<BookCall> books;
  std::vector<ConsolidatedCall> consolidated;
  std::vector<std::pair<std::string, TradeRecord>> trades;
  std::vector<std::pair<std::string, CandleRecord>> candles;
  std::vector<std::pair<size_t, FeedState>> states;
  std::vector<std::pair<size_t, bool>> stales;
};

/// Three feeds, registered and discovered as the runtime does at start-up:
///   0 btse (sequenced): BTC-USDT (price scale 1, qty scale 6), ETH-USDT (2, 4)
///   1 narkasa (snapshot-only): BTC-USDT (2, 8), BTC-TRY (0, 8)
///   2 coinmotion (quotes only): BTC-EUR (2, 8)
/// btse says which of its streams carry books through `btse_stream_books_` (streams past
/// its end: yes); narkasa and coinmotion are registered without an answer (all streams).
/// Every consolidated book is watched from its discovery on, as a websocket subscriber of
/// `book:all:*` would have it (tests of unwatched books unwatch them).
class EngineTest : public ::testing::Test {
 protected:
  EngineTest();
  /// Watches the consolidated books discovered since the last call.
  void watch_new_consolidated();
  size_t watched_ = 0;

  /// Registers and discovers one more feed, as a venue starting late would; returns its index.
  size_t add_feed(std::string venue, std::vector<Instrument> instruments);

  Batch at(size_t feed, int64_t mono_ns) const { return Batch(tables_[feed], mono_ns); }
  /// Delivers one payload's events; returns the instruments the engine asked to resync.
  std::vector<uint32_t> send(size_t feed, const Batch& b) {
    std::vector<uint32_t> resync;
    engine_.on_events(feed, b.out, resync);
    return resync;
  }
  const InstrumentState& st(std::string_view venue, std::string_view symbol) const;
  const ConsolidatedState& cons(std::string_view symbol) const;
  const InstrumentTable& table(size_t feed) const { return tables_[feed]; }
  std::vector<std::string> cons_side(std::string_view symbol, Side side) const {
    return side_of(engine_, cons(symbol), side);
  }

  Engine engine_;
  Recorder rec_;
  std::deque<InstrumentTable> tables_;  ///< a deque: batches keep references while feeds are added
  std::vector<bool> btse_stream_books_;
};
/// Test suite names start with "engine" so that `ctest -R engine` selects them.
using engine = EngineTest;

}  // namespace mdhub::test
