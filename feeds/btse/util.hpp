#pragma once
// Internal helpers shared by the BTSE parsers (not part of the venue's interface).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/common/events.hpp"
#include "feeds/common/instruments.hpp"
#include "feeds/common/json.hpp"

namespace mdhub::btse::detail {

namespace od = json::od;

// The shared readers (fields, rollback, books) read as if they were this venue's own.
using namespace json;

inline constexpr const char* kSizeOverflow = "level size overflow";

/// Appends one side's levels: `[["price","size"], ...]` (websocket) or
/// `[{"price":..,"size":..}, ...]` (REST), strings or numbers.
bool parse_levels(od::value v, Side side, const Instrument& inst, ParseOut& out,
                  std::string& err);

/// One level, `[price, size]` or `{"price":..,"size":..}`, as texts: false (err set) when
/// it has neither shape. Values that are not decimals are found by convert_level().
bool read_level_text(od::value lv, Side side, LevelText& out, std::string& err);
/// A level read as text at `inst`'s scales, worded as parse_levels() words it.
bool convert_level(const LevelText& lt, const Instrument& inst, LevelUpdate& out,
                   std::string& err);
/// One side's levels appended to `into` as texts. On false (err set), `into` holds the
/// levels read before the bad one: converted first, they may fail first, as in
/// parse_levels().
bool collect_levels(od::value v, Side side, std::vector<LevelText>& into, std::string& err);

/// A non-negative integer from a JSON integer, a numeric string, or a JSON double whose
/// value is integral (`1.2345e5`, `123.0`: some encoders type every number as a double);
/// `as_double` tells the last case. False on a fraction, a negative value or anything else.
bool integral(od::value v, int64_t& out, bool& as_double);
/// integral() on a field; false when it is missing or bad.
bool get_integral(od::object& o, std::string_view key, uint64_t& out, bool& as_double);

inline constexpr uint32_t kNoInstrument = UINT32_MAX;

/// Appends the TradeMsg of one trade row (`symbol`, `side` BUY/SELL, `price`, `size`,
/// `timestamp` ms, id field `id_key`). The row's symbol picks the instrument (rows for
/// unknown symbols are skipped); without a symbol, `fallback` is used.
bool read_trade_row(od::object& row, const InstrumentTable& table, uint32_t fallback,
                    std::string_view id_key, RecvTime t, ParseOut& out, std::string& err);

}  // namespace mdhub::btse::detail
