#pragma once
// Internal helpers shared by the coinbtr parsers (not part of the venue's interface):
// timestamps, sides, trades and books over the shared readers of feeds/common/json.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "feeds/coinbtr/parse.hpp"

namespace mdhub::coinbtr::detail {

namespace od = simdjson::ondemand;

// The shared readers (fields, rollback, books) read as if they were this venue's own.
using namespace json;

/// What a frame or body must be at the top level ("expected a JSON object").
inline constexpr const char* kObject = "a JSON object";
/// Sets `err` to simdjson's message and returns false.
inline bool bad_json(std::string& err, simdjson::error_code e) {
  err = json_error(e);
  return false;
}

/// A value's own text (strings, numbers); `is_text` false for other kinds. False on broken JSON.
bool value_text(od::value v, std::string_view& s, bool& is_text);

/// A decimal field at `scale`; kNone when absent and not `required`.
inline bool dec(od::object& o, std::string_view key, int scale, bool required, int64_t& v,
                std::string& err) {
  return json::decimal_field(o, key, scale, required, json::Wording::key_colon, v, err);
}

/// A required timestamp in (possibly fractional) ms, truncated to whole ms, as µs.
bool ms_field(od::object& o, std::string_view key, int64_t& us, std::string& err);
/// Taker side: 1/"BUY" buy, 0/"SELL" sell, other values or absent: unknown (0).
bool side_of(od::object& o, std::string_view key, int8_t& side, std::string& err);

void push_trade(ParseOut& out, uint32_t inst, int64_t ts_us, RecvTime t, int64_t price, int64_t qty,
                int8_t side, int64_t id);

/// Rows and distinct prices per side of a book as sent, before any cut: [0] bids, [1] asks.
struct BookShape {
  size_t rows[2] = {0, 0};
  size_t prices[2] = {0, 0};
};

/// Parses {"bids":[...],"asks":[...]} (both required; rows are orders with `pkey` price and
/// `qkey` size) into out.levels: bids then asks, best first, summed by price, empty levels
/// dropped. Per side only the best `order_cap` rows are kept (0 = all; rows of one price keep
/// the venue's order), then at most `cap` levels (0 = all). `shape` (if given) describes the
/// rows as sent.
bool book_object(od::value v, const Instrument& inst, std::string_view pkey, std::string_view qkey,
                 size_t cap, size_t order_cap, ParseOut& out, BookShape* shape, std::string& err);
/// Emits the book in out.levels[begin, end) as a replace (opt.book) and its top as BBO (opt.bbo).
void emit_book(ParseOut& out, size_t begin, uint32_t inst, const ParseOptions& opt, RecvTime t);

}  // namespace mdhub::coinbtr::detail
