#pragma once
// Internal helpers shared by the coinbtr parsers (not part of the venue's interface):
// rollback of partial output, strict simdjson field access, decimals, times, books.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "feeds/coinbtr/parse.hpp"

namespace mdhub::coinbtr::detail {

namespace od = simdjson::ondemand;

/// Where a parse call started appending, so an error can take everything back.
struct Mark {
  size_t events, levels;
};
inline Mark mark(const ParseOut& o) { return {o.events.size(), o.levels.size()}; }
/// Rolls `o` back to `m`, sets the error and returns ParseStatus::error.
ParseStatus fail(ParseOut& o, Mark m, std::string msg);
ParseStatus json_fail(ParseOut& o, Mark m, simdjson::error_code e);
/// Sets `err` to simdjson's message and returns false.
bool bad_json(std::string& err, simdjson::error_code e);

std::string upper(std::string_view s);
std::string_view trim(std::string_view s);
/// False when bytes follow the top-level value.
bool consumed_all(od::document& doc);

/// A field lookup. `bad` means broken JSON (or a value of the wrong kind): after a
/// structural error simdjson's document must not be read any further, so every caller stops
/// at `bad`. `absent` covers a missing field and null.
enum class Got : uint8_t { value, absent, bad };
Got get(od::object& o, std::string_view key, od::value& v, od::json_type& t);
/// A string field, or the text of a number.
Got get_text(od::object& o, std::string_view key, std::string_view& s);
/// A value's own text (strings, numbers); `is_text` false for other kinds. False on broken JSON.
bool value_text(od::value v, std::string_view& s, bool& is_text);

/// A decimal field at `scale`; kNone when absent and not `required`.
bool dec(od::object& o, std::string_view key, int scale, bool required, int64_t& v, std::string& err);
/// A required timestamp in (possibly fractional) ms, truncated to whole ms, as µs.
bool ms_field(od::object& o, std::string_view key, int64_t& us, std::string& err);
/// Taker side: 1/"BUY" buy, 0/"SELL" sell, other values or absent: unknown (0).
bool side_of(od::object& o, std::string_view key, int8_t& side, std::string& err);

Event make_event(EventKind kind, uint32_t inst, int64_t ts, RecvTime t);
void push_trade(ParseOut& out, uint32_t inst, int64_t ts_us, RecvTime t, int64_t price, int64_t qty,
                int8_t side, int64_t id);

/// Parses {"bids":[...],"asks":[...]} (both required; rows are orders with `pkey` price and
/// `qkey` size) into out.levels: bids then asks, best first, summed by price, empty levels
/// dropped, at most `cap` per side (0 = all).
bool book_object(od::value v, const Instrument& inst, std::string_view pkey, std::string_view qkey,
                 size_t cap, ParseOut& out, std::string& err);
/// Emits the book in out.levels[begin, end) as a replace (opt.book) and its top as BBO (opt.bbo).
void emit_book(ParseOut& out, size_t begin, uint32_t inst, const ParseOptions& opt, RecvTime t);

}  // namespace mdhub::coinbtr::detail
