#pragma once
// Internal helpers shared by the bitexbit parsers (not part of the venue's interface):
// timestamps, symbol checks and book levels over the shared readers of feeds/common/json.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "feeds/bitexbit/parse.hpp"

namespace mdhub::bitexbit::detail {

namespace od = simdjson::ondemand;

// The shared readers (fields, rollback, books) read as if they were this venue's own.
using namespace json;

inline constexpr const char* kEmpty = "empty body";
inline constexpr const char* kTrailing = "bad JSON: content after the top-level value";

/// A decimal field at `scale`; kNone when absent and not `required`.
inline bool dec(od::object& o, std::string_view key, int scale, bool required, int64_t& v,
                std::string& err) {
  return json::decimal_field(o, key, scale, required, json::Wording::key_colon, v, err);
}

/// A timestamp field as µs: `digits` 3 for ms, 6 for (float) seconds. Absent: kNone.
bool time_field(od::object& o, std::string_view key, int digits, int64_t& us, std::string& err);

/// The optional `symbol` of a per-instrument answer must name that instrument.
bool symbol_matches(od::object& o, const Instrument& inst, std::string& err);

/// Appends `[price, amount]` rows (numbers or strings) of one side to out.levels.
bool levels(od::value v, Side side, const Instrument& inst, ParseOut& out, std::string& err);

}  // namespace mdhub::bitexbit::detail
