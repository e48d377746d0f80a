#pragma once
// Normalized market-data events: what every venue parser produces and the engine consumes.
// Plain copyable structs; prices and quantities are fixed-point mantissas at the scales of
// the instrument they belong to (see Instrument), kNone where the venue gives no value.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "book/decimal.hpp"
#include "book/types.hpp"

namespace mdhub {

/// Local receive time of the frame an event came from.
struct RecvTime {
  int64_t wall_ns = 0;  ///< CLOCK_REALTIME, ns since the Unix epoch
  int64_t mono_ns = 0;  ///< CLOCK_MONOTONIC, ns
};

enum class EventKind : uint8_t { book, trade, ticker, bbo, candle };

enum class CandleInterval : uint8_t { m1, m3, m5, m15, m30, h1, h2, h4, d1 };
inline constexpr int kCandleIntervals = 9;
/// Interval length in seconds / canonical name ("1m" ... "1d").
int64_t interval_seconds(CandleInterval i);
std::string_view interval_name(CandleInterval i);
bool parse_interval(std::string_view name, CandleInterval& out);

/// Book change. Levels live in ParseOut::levels[level_begin, level_begin + level_count).
struct BookMsg {
  enum class Type : uint8_t {
    delta,     ///< sequenced incremental change
    snapshot,  ///< full book from a sequenced stream (start, or after a resync)
    replace,   ///< full published book from a snapshot-only venue (engine diffs it)
  };
  Type type = Type::delta;
  uint32_t level_begin = 0;
  uint32_t level_count = 0;
  uint64_t seq = 0;       ///< venue sequence after this message; 0 = venue has none
  uint64_t prev_seq = 0;  ///< venue sequence this delta applies on; 0 = none
  /// replace only: whether the message carries that side. A side it does not carry is
  /// unchanged (venues that push only the side that changed); both false is never produced.
  bool has_bids = true;
  bool has_asks = true;
  /// snapshot/delta: the venue publishes only this many levels a side (0 = all). Levels
  /// pushed below it get no delete, so the book is cut to it after every message.
  uint16_t window = 0;
  /// replace only: the venue shows the top *orders* a side, not levels, so a side's last
  /// level may hold only some of its orders and more may lie past it. A book audit then
  /// compares only the prices better than the shallower side's last.
  bool top_orders = false;
};

struct TradeMsg {
  int64_t price = kNone;
  int64_t qty = kNone;
  int8_t side = 0;  ///< aggressor: +1 buy, -1 sell, 0 unknown
  int64_t trade_id = kNone;
};

/// 24h ticker; every field optional (kNone). change_pct is percent at scale kPctScale.
struct TickerMsg {
  int64_t bid = kNone, ask = kNone, last = kNone, open = kNone, high = kNone, low = kNone;
  int64_t volume_base = kNone, volume_quote = kNone, change_pct = kNone;
};
inline constexpr int kPctScale = 8;

/// Top of book; a quote-only venue has no sizes (qty kNone).
struct BboMsg {
  int64_t bid = kNone, bid_qty = kNone, ask = kNone, ask_qty = kNone;
};

struct CandleMsg {
  CandleInterval interval = CandleInterval::m1;
  int64_t open_time_us = 0;
  int64_t close_time_us = kNone;
  int64_t open = kNone, high = kNone, low = kNone, close = kNone, volume = kNone;
  bool closed = false;
};

struct Event {
  EventKind kind = EventKind::book;
  uint32_t instrument = 0;           ///< index into the feed's InstrumentTable
  int64_t ts_exchange_us = kNone;    ///< venue's timestamp, µs since epoch, kNone if absent
  RecvTime recv{};
  std::variant<BookMsg, TradeMsg, TickerMsg, BboMsg, CandleMsg> body;
};

enum class ParseStatus : uint8_t {
  ok,       ///< events (possibly none) appended
  ignored,  ///< a control frame (ack, pong, subscription list): nothing to do
  error,    ///< bad input; `ParseOut::error` says why, nothing was appended
};

/// Bytes a JSON reader may read past the end of its input (simdjson::SIMDJSON_PADDING,
/// checked where the reader is built).
inline constexpr size_t kFramePadding = 64;

/// A received text and how many readable bytes its buffer holds past the text's end. A
/// JSON reader parses the text where it lies when `room` covers kFramePadding and copies it
/// otherwise, so the room changes the cost of a parse, never its result. Any text converts
/// to it with no room: a literal, a std::string or a view is simply copied.
struct FrameView {
  std::string_view text;
  size_t room = 0;
  FrameView(std::string_view t, size_t r) : text(t), room(r) {}
  FrameView(std::string_view t) : text(t) {}  // NOLINT(google-explicit-constructor): any text
  FrameView(const char* t) : text(t) {}       // NOLINT(google-explicit-constructor)
  FrameView(const std::string& t) : text(t) {}  // NOLINT(google-explicit-constructor)
};

/// Caller-owned output buffer, reused across frames (clear() keeps the capacity).
struct ParseOut {
  std::vector<Event> events;
  std::vector<LevelUpdate> levels;
  std::string error;  ///< set when a parser returns ParseStatus::error
  /// Protocol variants recognised in this payload (static names such as "depth_one_sided");
  /// the runner counts them per feed (`detected` in /api/v1/feeds). Dropped on error.
  std::vector<std::string_view> detected;
  /// The venue refused a subscription (status ignored): what it said. The runner counts it
  /// (`subscription_failures`), makes it the feed's last error and logs it.
  std::string subscription_error;
  void clear() {
    events.clear();
    levels.clear();
    error.clear();
    detected.clear();
    subscription_error.clear();
  }
};

}  // namespace mdhub
