#pragma once
// Exact timestamp conversions for Tauros payloads: ISO-8601 with UTC offsets (REST
// `created_at`) and decimal texts with a fractional part (websocket ms). Pure functions,
// thread-safe; never go through double.
#include <cstdint>
#include <string_view>

#include "feeds/common/json.hpp"

namespace mdhub::coinbtr {

/// Parses `YYYY-MM-DD[T| ]hh:mm[:ss[.fraction]]` followed by a zone (`Z`, `±hh:mm`,
/// `±hhmm` or `±hh`) into µs since the Unix epoch (UTC). Fraction digits beyond µs are
/// truncated. A missing zone is rejected: local times of an unknown zone are not instants.
bool parse_iso8601_us(std::string_view text, int64_t& us);

/// Value of a non-negative decimal text times 10^digits, truncated toward zero
/// ("1614883000932.394", 0 -> 1614883000932; "1568905003.866091", 6 -> µs); see json.hpp.
using json::scaled_trunc;

}  // namespace mdhub::coinbtr
