#pragma once
// The simulated market: one shared mid-price random walk per asset, fixed FX rates for fiat
// quotes, and per venue instrument an L2 book (fixed-point, at the venue's tick and lot),
// trades that take liquidity from it, 1-minute candles and 24 h statistics.
//
// Deterministic: everything is driven by a virtual clock (µs since the market started) and
// RNGs derived from the seed, so the same seed yields the same sequence of steps however
// late the timers that drive advance() fire. Wall-clock timestamps are passed in and only
// label the output. No I/O; not thread-safe (used from the simulator's io_context).
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "book/types.hpp"

namespace mdhub::sim {

/// One instrument of one venue, as the venue lists it.
struct InstrumentSpec {
  std::string venue;
  std::string symbol;  ///< canonical BASE-QUOTE
  std::string native;  ///< as the venue writes it
  std::string base, quote;
  int price_scale = 2;
  int64_t tick = 1;  ///< price increment, mantissa at price_scale
  int qty_scale = 4;
  int64_t lot = 1;   ///< size increment, mantissa at qty_scale
  size_t min_levels = 50;  ///< per side, refilled at the back after every step
  size_t max_levels = 80;  ///< per side, trimmed at the back after every step
};

struct Book {
  std::map<int64_t, int64_t, std::greater<>> bids;  ///< price -> qty, best first
  std::map<int64_t, int64_t> asks;
};

struct Trade {
  int64_t id = 0;
  int64_t price = 0, qty = 0;
  int8_t side = 0;  ///< aggressor: +1 buy, -1 sell
  int64_t ts_us = 0;
};

/// One minute (or, aggregated, one interval) of trading.
struct Candle {
  int64_t open_time_us = 0;
  int64_t open = 0, high = 0, low = 0, close = 0;
  int64_t volume = 0;        ///< base, at qty_scale
  int64_t quote_volume = 0;  ///< at price_scale + qty_scale
  int64_t trades = 0;
};

/// Rolling 24 h statistics from the candles.
struct Stats {
  int64_t open = 0, high = 0, low = 0, last = 0;
  int64_t volume = 0, quote_volume = 0;  ///< scales as in Candle
  int64_t trades = 0;
  int64_t open_time_us = 0;
};

/// What one market step did to one instrument. The spans are valid during the sink call only.
struct Step {
  uint32_t instrument = 0;
  int64_t ts_us = 0;
  std::span<const LevelUpdate> updates;  ///< final size per touched level (0 = gone)
  std::span<const Trade> trades;
  std::span<const int64_t> prev_qty;     ///< size of each updated level before the step (0 = new)
};

/// The recent past of one book as an undo log: per sequence number, the levels it changed
/// with their sizes before. The book as it was right after a recent sequence number is
/// rebuilt by rolling the current one back, so no book copies are kept. Bounded to the last
/// `max_seqs` sequence numbers. Not thread-safe.
class BookHistory {
 public:
  /// Starts at sequence number `seq`, a book published at `ts_us`.
  explicit BookHistory(uint64_t seq = 0, int64_t ts_us = 0, size_t max_seqs = 200'000);
  /// Records sequence number last() + 1, published at `ts_us`: its level changes and each
  /// level's size before (`prev_qty[i]` for `updates[i]`; a missing entry counts as 0).
  void record(int64_t ts_us, std::span<const LevelUpdate> updates, std::span<const int64_t> prev_qty);
  uint64_t first() const { return last_ - marks_.size(); }  ///< oldest that can be rebuilt
  uint64_t last() const { return last_; }
  /// When the book at `seq` (in [first(), last()]) was published.
  int64_t ts_us(uint64_t seq) const;
  /// Rolls `book`, the book at last(), back to the book right after `seq`. False, and
  /// `book` untouched, when `seq` is outside [first(), last()].
  bool rollback(Book& book, uint64_t seq) const;

 private:
  struct Undo {
    int64_t price;  // negated for asks: packs the side into 16 bytes per change
    int64_t prev_qty;
  };
  struct Mark {
    int64_t ts_us;
    uint32_t changes;
  };
  uint64_t last_;
  int64_t first_ts_us_;
  size_t max_seqs_;
  std::deque<Undo> undo_;
  std::deque<Mark> marks_;  // one per sequence number in (first(), last()]
};

class Market {
 public:
  /// `start_wall_us` anchors the synthetic candle history that precedes the market start.
  Market(uint64_t seed, std::vector<InstrumentSpec> specs, int64_t start_wall_us);
  ~Market();
  Market(const Market&) = delete;
  Market& operator=(const Market&) = delete;

  size_t size() const;
  const InstrumentSpec& spec(uint32_t id) const;
  const Book& book(uint32_t id) const;
  /// Most recent trades, oldest first (bounded).
  std::span<const Trade> trades(uint32_t id) const;
  /// 1-minute candles, oldest first (bounded: about two days).
  std::span<const Candle> minute_candles(uint32_t id) const;
  /// Candles of `interval_s` (a multiple of 60) aggregated from the minute candles, oldest
  /// first, whose open time lies in [from_us, to_us], at most `limit` (the most recent).
  std::vector<Candle> candles(uint32_t id, int64_t interval_s, int64_t from_us, int64_t to_us,
                              size_t limit) const;
  /// 24 h window ending at the instrument's last step (frozen while the market is paused).
  Stats stats(uint32_t id) const;

  /// Virtual time of the next due step.
  int64_t next_due_us() const;
  /// Steps per second over all instruments, spread evenly (each instrument's gaps uniform
  /// in [0.5, 1.5] x the mean); 0 restores the natural pace (20-100 ms per instrument).
  void set_rate(double steps_per_s);
  /// Runs every step due at or before virtual time `t_us`, in order; each is labelled with
  /// `wall_us` and handed to `sink` right after it is applied.
  void advance(int64_t t_us, int64_t wall_us, const std::function<void(const Step&)>& sink);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mdhub::sim
