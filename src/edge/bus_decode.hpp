#pragma once
// Reading the scale-out bus (README "Scale-out"): subject names, and the websocket API's
// payloads turned back into normalized events, so an edge feeds them to the same engine a
// venue feed does. Pure: bytes, instrument and receive time in, events out; no I/O.
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "feeds/common/events.hpp"
#include "feeds/common/instruments.hpp"
#include "feeds/common/json.hpp"

namespace mdhub::edge {

enum class BusKind : uint8_t { book, bbo, trades, ticker, candles, snapshot };

/// One subject `<prefix>.<kind>.<venue>.<symbol>`; candles are
/// `<prefix>.candles.<interval>.<venue>.<symbol>`. Views into the subject.
struct BusSubject {
  BusKind kind = BusKind::book;
  std::string_view venue, symbol;
  CandleInterval interval = CandleInterval::m1;  ///< candles only
};

/// False for a subject outside `prefix` or not of that shape (an unknown kind, an unknown
/// candle interval, an empty token).
bool parse_subject(std::string_view subject, std::string_view prefix, BusSubject& out);
/// The names an edge makes instruments of: venue ids are lower-case (`[a-z0-9_]`, at most 32),
/// canonical symbols upper-case `BASE-QUOTE` (`[A-Z0-9_-]`, at most 40).
bool valid_venue(std::string_view venue);
bool valid_symbol(std::string_view symbol);

/// `<prefix>.snapshot.<venue>.<symbol>`.
std::string snapshot_subject(std::string_view prefix, std::string_view venue, std::string_view symbol);

/// The fraction digits of the finest price and quantity in a book payload (at least the
/// defaults, kDefaultPriceScale / kDefaultQtyScale): the scales an instrument first seen on
/// the bus is read at. False with `err` when the payload is not a book message.
bool book_scales(std::string_view payload, int& price_scale, int& qty_scale, std::string& err);

/// Decodes websocket API payloads (book_snapshot, book_update, trade, ticker, bbo, candle)
/// of one instrument. A book snapshot is a BookMsg snapshot and an update a delta whose
/// `seq` is the payload's and `prev_seq` the one before it, so the engine's sequence check
/// finds a gap in the bus' own numbering. Candles built from trades (`"source":"trades"`)
/// are ignored: the engine builds those itself from the trades. Not thread-safe.
class Decoder {
 public:
  ParseStatus decode(std::string_view payload, const Instrument& inst, uint32_t id, RecvTime t, ParseOut& out);
  /// The `ts_received` (µs) of the last payload decode() read, kNone when it had none: when
  /// the ingest node received what the payload reports.
  int64_t ts_received_us() const { return ts_received_us_; }
  /// The `seq` of a payload, read without decoding the rest; false when it has none.
  /// With `snapshot`: also whether it is a `book_snapshot` (false when it has no type).
  bool seq_of(std::string_view payload, uint64_t& seq, bool* snapshot = nullptr);

 private:
  json::Reader reader_;
  int64_t ts_received_us_ = kNone;
};

/// Follows one book's `seq` on the bus: a book starts (and restarts after a gap) from a
/// snapshot; updates that arrive while it waits for one are kept (up to `max_pending`) so
/// that a snapshot read from the stream, older than the updates already received, is
/// bridged by them. Holds payloads, not events. Pure; one per book.
class BookFollower {
 public:
  enum class Verdict : uint8_t {
    apply,    ///< the next update: apply it
    skip,     ///< already in the book (seq not above it): drop silently
    gap,      ///< not the next one: the book is lost until a snapshot (the follower waits now)
    pending,  ///< no book yet: kept for the snapshot to come
  };
  explicit BookFollower(size_t max_pending = 4096) : max_pending_(max_pending) {}

  /// An update with `seq`; `payload` is kept when the verdict is pending.
  Verdict on_update(uint64_t seq, std::string_view payload);
  /// A snapshot at `seq`: true when it (re)starts the book (then take_bridge() gives the
  /// updates to apply after it, in order), false when it is not needed (the book is at or
  /// past it) or cannot be used (the pending updates do not follow on from it without a
  /// hole: those before the hole are dropped, and the next snapshot will do).
  bool on_snapshot(uint64_t seq);
  /// After an accepted snapshot: the pending updates that follow it, in order (those it
  /// already holds are dropped).
  std::deque<std::string> take_bridge();
  /// The book is lost (gap, engine refused it, connection lost): wait for a snapshot.
  void lose();

  bool synced() const { return synced_; }
  uint64_t seq() const { return seq_; }
  size_t pending() const { return pending_.size(); }
  /// Pending updates dropped because the buffer was full (counted, never silent).
  uint64_t overflowed() const { return overflowed_; }

 private:
  size_t max_pending_;
  bool synced_ = false;
  uint64_t seq_ = 0;
  uint64_t overflowed_ = 0;
  std::deque<std::pair<uint64_t, std::string>> pending_;
};

}  // namespace mdhub::edge
