#pragma once
// simdjson On-Demand helpers shared by the venue parsers: one reusable parser and padded
// buffer per feed, and exact decimal extraction from JSON numbers or numeric strings.
#include <simdjson.h>

#include <string>
#include <string_view>

#include "book/decimal.hpp"

namespace mdhub::json {

namespace od = simdjson::ondemand;

/// Owns a parser and a padded copy of the current input. Not thread-safe.
class Reader {
 public:
  /// Parses `text`; the document is valid until the next call.
  simdjson::simdjson_result<od::document> iterate(std::string_view text);

 private:
  od::parser parser_;
  std::string buf_;
};

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

}  // namespace mdhub::json
