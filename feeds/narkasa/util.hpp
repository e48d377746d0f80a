#pragma once
// Internal helpers shared by the Narkasa parsers (not part of the venue's interface).
#include <cstdint>
#include <string>
#include <string_view>

#include "feeds/common/events.hpp"
#include "feeds/common/instruments.hpp"
#include "feeds/common/json.hpp"

namespace mdhub::narkasa::detail {

namespace od = json::od;

// The shared readers (fields, rollback, books) read as if they were this venue's own.
using namespace json;

inline constexpr const char* kSizeOverflow = "level size overflow";

/// Appends one side's levels (`[{"price":..,"amount":..,"count":..}, ...]`).
bool parse_levels(od::value v, Side side, const Instrument& inst, ParseOut& out,
                  std::string& err);

/// The REST envelope: `"code":"00000"` is success; anything else is the venue's error code.
bool check_code(od::object& root, std::string& err);

/// Reads the 24h statistics shared by `ticker`, `allTickers`, `/market/markets`, `/market/24h`.
bool read_ticker(od::object& obj, const Instrument& inst, TickerMsg& msg, std::string& err);

}  // namespace mdhub::narkasa::detail
