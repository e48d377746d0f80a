#pragma once
// Internal helpers shared by the BTSE parsers (not part of the venue's interface).
#include <cstdint>
#include <string>
#include <string_view>

#include "feeds/common/events.hpp"
#include "feeds/common/instruments.hpp"
#include "feeds/common/json.hpp"

namespace mdhub::btse::detail {

namespace od = json::od;

/// Remembers the output sizes at the start of a frame so a failure can roll back every
/// partial append: the contract is "error => nothing appended".
class Txn {
 public:
  explicit Txn(ParseOut& out) : out_(out), events_(out.events.size()), levels_(out.levels.size()) {}
  ParseStatus fail(std::string message) {
    out_.events.resize(events_);
    out_.levels.resize(levels_);
    out_.error = std::move(message);
    return ParseStatus::error;
  }
  size_t events_begin() const { return events_; }
  size_t levels_begin() const { return levels_; }

 private:
  ParseOut& out_;
  size_t events_;
  size_t levels_;
};

Event make_event(EventKind kind, uint32_t instrument, int64_t ts_us, RecvTime t);

/// Field as a fixed-point mantissa; kNone when missing or null. False (err set) on a bad value.
bool get_decimal(od::object& obj, std::string_view key, int scale, int64_t& v, std::string& err);
/// Same, but a missing field is an error too.
bool require_decimal(od::object& obj, std::string_view key, int scale, int64_t& v,
                     std::string& err);
/// Millisecond timestamp field as µs (exact, fractions of a ms kept); kNone when missing.
bool get_ms(od::object& obj, std::string_view key, int64_t& us, std::string& err);
/// Field as text (a string, or a number's token); empty when missing or null. False on a
/// bad value (object, array, broken JSON). The view lives until the next iterate().
bool get_text(od::object& obj, std::string_view key, std::string_view& out);

/// Appends one side's levels: `[["price","size"], ...]` (websocket) or
/// `[{"price":..,"size":..}, ...]` (REST), strings or numbers.
bool parse_levels(od::value v, Side side, const Instrument& inst, ParseOut& out,
                  std::string& err);
/// Makes out.levels[begin, end) a clean full book: bids high->low then asks low->high,
/// equal prices summed, zero sizes dropped. False on an overflowing sum.
bool normalize_book(ParseOut& out, size_t begin, std::string& err);
/// Appends a BookMsg covering out.levels[level_begin, end).
void push_book(ParseOut& out, BookMsg::Type type, size_t level_begin, uint32_t instrument,
               int64_t ts_us, RecvTime t, uint64_t seq = 0, uint64_t prev_seq = 0);

inline constexpr uint32_t kNoInstrument = UINT32_MAX;

/// Appends the TradeMsg of one trade row (`symbol`, `side` BUY/SELL, `price`, `size`,
/// `timestamp` ms, id field `id_key`). The row's symbol picks the instrument (rows for
/// unknown symbols are skipped); without a symbol, `fallback` is used.
bool read_trade_row(od::object& row, const InstrumentTable& table, uint32_t fallback,
                    std::string_view id_key, RecvTime t, ParseOut& out, std::string& err);

/// Non-negative integer field (sequence numbers, ids); false when missing or bad.
bool get_uint(od::object& obj, std::string_view key, uint64_t& v);

}  // namespace mdhub::btse::detail
