#pragma once
// Candles (OHLC + volume) built from trades, for several intervals at once.
//
// Rules:
//   - Buckets are aligned to the Unix epoch in UTC: a trade at ts belongs to the bucket
//     opening at floor(ts / interval) * interval. Timestamps are µs since the epoch.
//   - The current candle of an interval is open (closed = false) until a trade in a later
//     bucket arrives or close_until(now) passes its end; it is then closed and kept in a
//     bounded history (a ring of `history` closed candles per interval).
//   - Empty intervals are filled with flat candles: open = high = low = close = the previous
//     close, volume 0, trades 0, closed. They are produced when a later trade arrives and by
//     close_until() up to `now`, so a quiet market still gets one candle per interval. Only
//     intervals after the first trade are filled; a gap longer than the history fills just
//     the last `history` candles.
//   - Open and close follow trade time, not arrival order: a trade earlier than the
//     candle's first trade becomes its open, one at or after its last trade its close.
//   - Late trades: a trade for an already-closed bucket still in the history updates that
//     candle and is reported as a revision (flat candles after it are not re-derived);
//     a trade older than the history is dropped and counted.
//   - Rejected (counted, nothing changes): price <= 0, qty < 0, ts < 0 or ts > 2^62.
//
// Thread safety: none; one owner thread. Copyable and movable.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace mdhub {

/// The contract's nine intervals in seconds: 1m 3m 5m 15m 30m 1h 2h 4h 1d, in the same order
/// as the values of CandleInterval, so an interval index converts with a static_cast.
inline constexpr std::array<int64_t, 9> kCandleIntervalSeconds = {60,   180,  300,   900,  1800,
                                                                  3600, 7200, 14400, 86400};

struct Candle {
  int64_t open_time_us = 0;  ///< bucket start; the bucket ends (exclusive) one interval later
  int64_t open = 0, high = 0, low = 0, close = 0;  ///< price mantissas
  int64_t volume = 0;         ///< sum of trade quantities (mantissa), saturating at INT64_MAX
  uint32_t trades = 0;        ///< 0 for a flat candle
  bool closed = false;
  int64_t first_trade_us = 0;  ///< time of the trade that set `open` (flat: open_time_us)
  int64_t last_trade_us = 0;   ///< time of the trade that set `close` (flat: open_time_us)
  friend bool operator==(const Candle&, const Candle&) = default;
};

enum class CandleChange : uint8_t {
  updated,  ///< the open candle changed (or was opened)
  closed,   ///< a candle was closed (including flat fill candles)
  revised,  ///< a closed candle in the history changed (late trade)
};

struct CandleEvent {
  uint8_t interval;  ///< index into the builder's intervals
  CandleChange change;
  Candle candle;
};

enum class TradeResult : uint8_t {
  ok,        ///< applied to every interval's open candle (possibly after closing others)
  revised,   ///< applied, and at least one closed candle was revised
  dropped,   ///< too old for at least one interval's history (counted there)
  rejected,  ///< invalid trade, nothing changed
};

class CandleBuilder {
 public:
  /// `interval_seconds`: the intervals (each > 0), events refer to them by index.
  explicit CandleBuilder(std::span<const int64_t> interval_seconds = kCandleIntervalSeconds,
                         size_t history = 1000);

  /// Adds one trade; appends the resulting events to `out` (not cleared), per interval in
  /// time order.
  TradeResult on_trade(int64_t price, int64_t qty, int64_t ts_us, std::vector<CandleEvent>& out);
  /// Closes every candle whose interval ended at or before `now_us` and fills the empty
  /// intervals since with flat candles; appends the events to `out`.
  void close_until(int64_t now_us, std::vector<CandleEvent>& out);

  size_t intervals() const { return series_.size(); }
  int64_t interval_us(size_t i) const { return series_[i].len_us; }
  /// The open candle of an interval, nullptr when there is none.
  const Candle* current(size_t interval) const;
  /// Closed candles held for an interval; index 0 is the oldest. Consecutive buckets.
  size_t history_size(size_t interval) const { return series_[interval].count; }
  const Candle& history(size_t interval, size_t i) const;
  /// The latest `n` candles of an interval (closed history then the open one), oldest first,
  /// into `out` (cleared first).
  void last(size_t interval, size_t n, std::vector<Candle>& out) const;

  uint64_t dropped() const { return dropped_; }
  uint64_t rejected() const { return rejected_; }

 private:
  struct Series {
    int64_t len_us = 0;
    std::vector<Candle> ring;
    size_t head = 0;   // oldest
    size_t count = 0;  // closed candles held
    Candle cur{};
    bool has_cur = false;
    bool started = false;   // a trade was seen
    int64_t next_open = 0;  // open time of the bucket after the newest closed one
  };

  void push_closed(Series& s, uint8_t idx, const Candle& c, std::vector<CandleEvent>& out);
  void fill_flat(Series& s, uint8_t idx, int64_t from_open, int64_t count,
                 std::vector<CandleEvent>& out);
  const Candle& newest_closed(const Series& s) const;

  std::vector<Series> series_;
  size_t history_;
  uint64_t dropped_ = 0;
  uint64_t rejected_ = 0;
};

}  // namespace mdhub
