#pragma once
// JSON rendering of engine state, shared by the HTTP API, the websocket API, NATS and
// export so that every output speaks the same payload format (DESIGN.md "Payload fields"):
// decimals as exact strings, timestamps as integer µs since the epoch, null when absent.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/common/json_write.hpp"
#include "src/engine/engine.hpp"

namespace mdhub::render {

// The field writers are the shared ones: `"key":` (leading comma unless `first`), a quoted
// escaped string, a decimal as "1.5" or null for kNone, an integer or null for kNone.
using jsonw::dec;
using jsonw::key;
using jsonw::num;
using jsonw::str;
void side(std::string& out, int8_t side);                 ///< "buy" / "sell" / null

/// Common head: "venue","symbol" fields (no braces).
void head(std::string& out, const InstrumentState& s);

/// `{"venue","symbol",` book_payload() `}` at the book's own seq.
void book(std::string& out, const InstrumentState& s, size_t depth);
/// Levels array for one side, best first.
void levels(std::string& out, const InstrumentState& s, Side side, size_t depth);
/// Level updates of one side as `[["price","qty"],...]`.
void updates(std::string& out, const InstrumentState& s, std::span<const LevelUpdate> u, Side side);
/// Consolidated book: levels are `["price","qty",{"venue":"qty",...}]`.
void consolidated_level(std::string& out, const ConsolidatedState& c, const Engine& e, int64_t price, int64_t qty,
                        std::span<const VenueQty> per_venue);
void consolidated(std::string& out, const ConsolidatedState& c, const Engine& e, size_t depth);
void consolidated_levels(std::string& out, const ConsolidatedState& c, const Engine& e, Side side,
                         size_t depth);

/// Body fields (no braces) of each payload kind.
void ticker_fields(std::string& out, const InstrumentState& s, const TickerMsg& t);
void bbo_fields(std::string& out, const InstrumentState& s);
void trade_fields(std::string& out, const InstrumentState& s, const TradeRecord& t);
void candle_fields(std::string& out, const InstrumentState& s, const CandleRecord& c);

/// `seq` and the timestamps of one payload. `seq` follows one rule per payload kind, the
/// same in every interface (README "seq"): book: the book's own sequence (+1 per published
/// change, snapshots included); trade: the instrument's trade sequence; ticker and bbo: the
/// instrument's count of published tickers / BBOs; candle: the count of its series
/// (instrument, interval, source).
struct Stamp {
  uint64_t seq = 0;
  int64_t ts_exchange_us = kNone;
  int64_t ts_received_us = 0;
};
Stamp book_stamp(const InstrumentState& s);
Stamp trade_stamp(const TradeRecord& t);
/// The ticker's own times; a ticker without an exchange time takes the venue L1's.
Stamp ticker_stamp(const InstrumentState& s);
/// The book's times when the BBO comes from the book, else the venue L1's.
Stamp bbo_stamp(const InstrumentState& s);
Stamp candle_stamp(const CandleRecord& r);
/// `"seq","ts_exchange","ts_received"` (with a leading comma unless `first`).
void stamp(std::string& out, const Stamp& st, bool first = false);

/// What book() shows of a venue book, copied down to `depth` levels a side: plain data,
/// rendered on any thread while the live book goes on changing (the HTTP API copies on
/// the network thread and renders on its render worker).
struct BookCopy {
  std::string venue, symbol;
  int price_scale = 0, qty_scale = 0;
  Stamp stamp;
  int64_t venue_seq = kNone;
  std::vector<Level> bids, asks;
};
BookCopy copy_book(const InstrumentState& s, size_t depth);
/// `{"venue","symbol",` book_payload() `}` of the copy; book(out, s, depth) renders through it.
void book(std::string& out, const BookCopy& b);

/// What consolidated() shows, copied likewise.
struct ConsolidatedCopy {
  std::string symbol;
  uint64_t seq = 0;
  int64_t ts_received = kNone;
  int price_scale = 0, qty_scale = 0;
  std::vector<std::string> members;  ///< the venue of each member, by venue slot
  std::vector<std::string> venues;   ///< the venues whose books are in it now
  struct Row {
    int64_t price, qty;
    uint32_t first, count;  ///< its per-venue quantities: [first, first + count) of the two below
  };
  std::vector<Row> bids, asks;
  // Apart rather than as VenueQty (16 bytes with its padding): a 1,000-level copy of five
  // venues then stays under the allocator's mmap threshold, whose page faults cost more
  // than the copy itself.
  std::vector<uint8_t> part_venue;  ///< venue slot
  std::vector<int64_t> part_qty;
};
ConsolidatedCopy copy_consolidated(const ConsolidatedState& c, const Engine& e, size_t depth);
void consolidated(std::string& out, const ConsolidatedCopy& c);

/// The ticker as every interface shows it: the venue's ticker with best bid/ask from the
/// freshest source (the live book, else the venue's L1, else the ticker's own fields).
TickerMsg ticker_view(const InstrumentState& s);

/// `"type","channel","venue","symbol"` of a channel message (no braces).
void message_head(std::string& out, std::string_view type, std::string_view channel, std::string_view venue,
                  std::string_view symbol);

/// The one rendering of each payload kind after its head: stamp() then the kind's fields
/// (leading comma unless `first`). HTTP, websocket and export all render with these.
void trade_payload(std::string& out, const InstrumentState& s, const TradeRecord& t, bool first = false);
void ticker_payload(std::string& out, const InstrumentState& s, bool first = false);
void bbo_payload(std::string& out, const InstrumentState& s, bool first = false);
void candle_payload(std::string& out, const InstrumentState& s, const CandleRecord& r, bool first = false);
/// A venue book's top `depth` levels: `"seq"` (book_stamp's unless a channel counts its own,
/// book<N>), timestamps, `"venue_seq"`, `"bids"`, `"asks"`.
void book_payload(std::string& out, const InstrumentState& s, uint64_t seq, size_t depth, bool first = false);
/// A venue book's level changes, at the book's own seq.
void book_update_payload(std::string& out, const InstrumentState& s, uint64_t seq,
                         std::span<const LevelUpdate> changes, bool first = false);

/// `{"error":{"code":...,"message":...}}`
using jsonw::error;

}  // namespace mdhub::render
