#pragma once
// Internal helpers shared by the bitexbit parsers (not part of the venue's interface):
// rollback of partial output, strict simdjson field access, decimals, times, book levels.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "feeds/bitexbit/parse.hpp"

namespace mdhub::bitexbit::detail {

namespace od = simdjson::ondemand;

/// Where a parse call started appending, so an error can take everything back.
struct Mark {
  size_t events, levels;
};
inline Mark mark(const ParseOut& o) { return {o.events.size(), o.levels.size()}; }
/// Rolls `o` back to `m`, sets the error and returns ParseStatus::error.
ParseStatus fail(ParseOut& o, Mark m, std::string msg);

std::string json_error(simdjson::error_code e);
/// A top-level value of the wrong type ("expected <want>"), or broken JSON.
std::string shape_error(simdjson::error_code e, const char* want);
/// False when bytes follow the top-level value.
bool consumed_all(od::document& doc);
/// Only whitespace: gets its own message (kEmpty) rather than simdjson's.
bool blank(std::string_view s);
inline constexpr const char* kEmpty = "empty body";
inline constexpr const char* kTrailing = "bad JSON: content after the top-level value";

std::string upper(std::string s);

/// A field lookup. `bad` means broken JSON (or a value of the wrong kind): after a
/// structural error simdjson's document must not be read any further, so every caller stops
/// at `bad`. `absent` covers a missing field and null.
enum class Got : uint8_t { value, absent, bad };
Got get(od::object& o, std::string_view key, od::value& v, od::json_type& t);
/// A string field, or the text of a number.
Got get_text(od::object& o, std::string_view key, std::string_view& s);
/// An integer field (JSON number or numeric string).
Got get_int(od::object& o, std::string_view key, int64_t& n);

/// A decimal field at `scale`; kNone when absent and not `required`.
bool dec(od::object& o, std::string_view key, int scale, bool required, int64_t& v, std::string& err);
/// A decimal value at `scale`; `what` names it in the error.
bool dec_value(od::value v, std::string_view what, int scale, int64_t& out, std::string& err);

/// Non-negative decimal text times 10^digits, truncated (exponent forms: rounded half-even).
bool scaled_trunc(std::string_view s, int digits, int64_t& out);
/// A timestamp field as µs: `digits` 3 for ms, 6 for (float) seconds. Absent: kNone.
bool time_field(od::object& o, std::string_view key, int digits, int64_t& us, std::string& err);

Event make_event(EventKind kind, uint32_t inst, int64_t ts, RecvTime t);
/// The optional `symbol` of a per-instrument answer must name that instrument.
bool symbol_matches(od::object& o, const Instrument& inst, std::string& err);

/// Appends `[price, amount]` rows (numbers or strings) of one side to out.levels.
bool levels(od::value v, Side side, const Instrument& inst, ParseOut& out, std::string& err);
/// Sorts out.levels[begin, end) into bids then asks, each best first, sums equal prices
/// (exact integer sums) and drops empty levels.
bool aggregate(ParseOut& out, size_t begin, std::string& err);

}  // namespace mdhub::bitexbit::detail
