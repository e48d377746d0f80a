#pragma once
// simdjson On-Demand helpers shared by the venue parsers: one reusable parser and padded
// buffer per feed, exact decimal extraction from JSON numbers or numeric strings, field
// readers with each venue's error wording, and the all-or-nothing append discipline of a
// ParseOut. Free functions are pure and thread-safe; the views they hand out live until the
// next Reader::iterate(). Nothing here allocates except to write an error message.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "book/decimal.hpp"
#include "book/types.hpp"
#include "feeds/common/events.hpp"

namespace mdhub::json {

namespace od = simdjson::ondemand;

/// A book level read before its instrument's scales are known (a field may come after the
/// levels): the price and size texts, views valid until the next Reader::iterate().
struct LevelText {
  /// `text`: a string or number text; `bad`: some other JSON value; `missing`: absent or
  /// null; `short_pair`: a `[price, size]` pair that ended before it.
  enum class State : uint8_t { text, bad, missing, short_pair };
  Side side = Side::bid;
  State price_state = State::short_pair;
  State qty_state = State::short_pair;
  std::string_view price;
  std::string_view qty;
};

/// Owns a parser and a padded copy of the current input. Not thread-safe.
class Reader {
 public:
  /// Parses `text`; the document is valid until the next call.
  simdjson::simdjson_result<od::document> iterate(std::string_view text);
  /// Same, for a text followed by `room` readable bytes in its buffer: parsed where it lies
  /// when they cover the padding simdjson reads past the end, copied otherwise. The text
  /// must then outlive the document too.
  simdjson::simdjson_result<od::document> iterate(std::string_view text, size_t room);
  /// Whether the last iterate() parsed the text in place (no copy).
  bool in_place() const { return in_place_; }
  /// Scratch for a parser that keeps levels as text until it can convert them: reused from
  /// frame to frame, so it stops allocating once it has seen the largest frame.
  std::vector<LevelText>& level_texts() { return level_texts_; }

 private:
  od::parser parser_;
  std::string buf_;
  std::vector<LevelText> level_texts_;
  bool in_place_ = false;
};

/// A body that must be a JSON object (or array); false with "body is not a JSON object"
/// ("... array") otherwise.
bool open_object(Reader& reader, std::string_view body, od::document& doc, od::object& root, std::string& err);
bool open_array(Reader& reader, std::string_view body, od::document& doc, od::array& arr, std::string& err);

/// Reads a book's two sides, `bid_key` and `ask_key` of `book`, with the venue's level
/// reader `side_levels(od::value, Side) -> bool` (which words its own errors). A side left
/// out is an empty side; one that cannot be read is "bad <key>". The fields are walked once
/// in document order from the object's start: a lookup by key may rewind over what it
/// skipped, which simdjson trusts to be well-formed, and a malformed side is not.
template <class SideLevels>
bool read_sides(od::object& book, const char* bid_key, const char* ask_key, std::string& err,
                SideLevels&& side_levels) {
  bool rewound = false;
  if (book.reset().get(rewound)) {
    err = "bad JSON: the book is not an object";
    return false;
  }
  for (auto field : book) {
    std::string_view key;
    if (field.unescaped_key().get(key)) {
      err = "bad JSON in the book";
      return false;
    }
    const char* name = key == bid_key ? bid_key : key == ask_key ? ask_key : nullptr;
    if (!name) continue;
    od::value v;
    if (field.value().get(v)) {
      err = std::string("bad ") + name;
      return false;
    }
    if (!side_levels(v, name == bid_key ? Side::bid : Side::ask)) return false;
  }
  return true;
}

/// Exact fixed-point value of a JSON number or numeric string (raw text, never a double).
Result<int64_t, DecimalError> decimal(od::value v, int scale,
                                      Rounding rounding = Rounding::half_even);
/// Same for a field; a missing field or `null` yields kNone, a bad value an error.
Result<int64_t, DecimalError> optional_decimal(od::object& obj, std::string_view key, int scale,
                                               Rounding rounding = Rounding::half_even);
/// Integer from a JSON number or numeric string; false on anything else.
bool integer(od::value v, int64_t& out);
/// String value (or number text) as a view valid until the next iterate().
bool text(od::value v, std::string_view& out);

/// Appends `s` JSON-escaped (without quotes) to `out`.
void escape(std::string& out, std::string_view s);

// ---- Error texts and document shape ----

/// "bad JSON: <simdjson's message>".
std::string json_error(simdjson::error_code e);
/// A top-level value of the wrong type ("expected <want>"), else json_error(e).
std::string shape_error(simdjson::error_code e, std::string_view want);
/// False when bytes follow the top-level value (ask once the document was read).
bool consumed_all(od::document& doc);
/// Nothing but JSON white space: callers give it its own message rather than simdjson's.
bool blank(std::string_view s);
/// `s` without leading and trailing white space (as std::isspace).
std::string_view trim(std::string_view s);
/// ASCII upper-case copy (native symbols, currency codes).
std::string upper(std::string_view s);
/// Non-negative decimal text times 10^digits, truncated toward zero ("1614883000932.394", 0
/// -> 1614883000932); exponent forms are rounded half-even instead. False on anything else,
/// on overflow, or `digits` outside 0..kMaxScale. Never goes through double.
bool scaled_trunc(std::string_view s, int digits, int64_t& out);

// ---- Field readers ----

/// A field lookup. `bad` means broken JSON or a value of the wrong kind: after a structural
/// error simdjson's document must not be read any further, so every caller stops at `bad`.
/// `absent` covers a missing field and `null`.
enum class Got : uint8_t { value, absent, bad };
/// The field's value and type (the type is set only for `value`).
Got field(od::object& o, std::string_view key, od::value& v, od::json_type& t);
/// A string field, or the text of a number.
Got text_field(od::object& o, std::string_view key, std::string_view& s);
/// A string field only (a number is `bad`).
Got string_field(od::object& o, std::string_view key, std::string_view& s);
/// An integer field (JSON number or numeric string).
Got int_field(od::object& o, std::string_view key, int64_t& n);
/// text_field with absence folded in: an empty view when missing or null, false when bad.
bool optional_text(od::object& o, std::string_view key, std::string_view& out);
/// A non-negative integer field (sequence numbers, ids); false when missing or bad.
bool get_uint(od::object& o, std::string_view key, uint64_t& v);

/// How a venue words a bad field value in its errors (a missing required field is always
/// "missing <key>"). Venues keep their own wording so their messages stay stable.
enum class Wording : uint8_t {
  bad_key,    ///< "bad price (not a decimal number)"
  key_colon,  ///< "price: not a decimal number"
};
/// Decimal field at `scale` into `v`: kNone when missing or null, unless `required`. False
/// (with `err` set, `v` untouched) on a bad value or a missing required one.
bool decimal_field(od::object& o, std::string_view key, int scale, bool required, Wording w,
                   int64_t& v, std::string& err);
/// decimal_field, optional, worded Wording::bad_key.
bool get_decimal(od::object& o, std::string_view key, int scale, int64_t& v, std::string& err);
/// decimal_field, required, worded Wording::bad_key.
bool require_decimal(od::object& o, std::string_view key, int scale, int64_t& v,
                     std::string& err);
/// Millisecond timestamp field as µs, exact (fractions of a ms kept: read at scale 3);
/// kNone when missing. Worded Wording::bad_key.
bool get_ms(od::object& o, std::string_view key, int64_t& us, std::string& err);
/// A decimal value at `scale`; `what` names it in "<what>: <reason>".
bool decimal_value(od::value v, std::string_view what, int scale, int64_t& out,
                   std::string& err);

// ---- ParseOut helpers ----

/// Remembers the output sizes at the start of a parse call so a failure can roll back every
/// partial append: the contract is "error => nothing appended". Holds a reference to `out`;
/// lives within one call.
class Txn {
 public:
  explicit Txn(ParseOut& out)
      : out_(out), events_(out.events.size()), levels_(out.levels.size()), detected_(out.detected.size()) {}
  /// Rolls back, sets the error to `message` and returns ParseStatus::error.
  ParseStatus fail(std::string message);
  /// Same with the message "<venue> <what>: <err>".
  ParseStatus fail(std::string_view venue, std::string_view what, std::string_view err);
  size_t events_begin() const { return events_; }
  size_t levels_begin() const { return levels_; }

 private:
  ParseOut& out_;
  size_t events_;
  size_t levels_;
  size_t detected_;
};

/// An event header (kind, instrument, exchange time in µs or kNone, receive time).
Event make_event(EventKind kind, uint32_t instrument, int64_t ts_us, RecvTime t);
/// Appends an event of `kind` carrying `body`.
template <class Body>
void push_event(ParseOut& out, EventKind kind, uint32_t instrument, int64_t ts_us, RecvTime t, const Body& body) {
  Event e = make_event(kind, instrument, ts_us, t);
  e.body = body;
  out.events.push_back(e);
}
/// Appends a BookMsg event covering out.levels[level_begin, end).
void push_book(ParseOut& out, BookMsg::Type type, size_t level_begin, uint32_t instrument,
               int64_t ts_us, RecvTime t, uint64_t seq = 0, uint64_t prev_seq = 0);
/// Makes levels[begin, end) a clean full book: bids best (highest) first, then asks best
/// (lowest) first, equal prices summed exactly, zero sizes dropped, at most `cap` levels per
/// side kept (0 = all). False when a sum overflows (the caller words the error). In place.
bool merge_book(std::vector<LevelUpdate>& levels, size_t begin, size_t cap = 0);

}  // namespace mdhub::json
