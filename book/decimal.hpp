#pragma once
// Fixed-point decimals: a value is an int64 mantissa at a per-instrument scale
// (value = mantissa / 10^scale). Parsed straight from the decimal text venues send, never
// through double; rendered back exactly. Thread-safe (pure functions).
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "book/result.hpp"

namespace mdhub {

/// Sentinel for "field not provided by the venue" wherever a fixed-point value is optional.
inline constexpr int64_t kNone = std::numeric_limits<int64_t>::min();
inline constexpr int kMaxScale = 18;

enum class DecimalError : uint8_t {
  empty,      ///< no characters (or only a sign)
  syntax,     ///< not a decimal number (garbage, NaN, Infinity, misplaced characters)
  overflow,   ///< magnitude does not fit an int64 mantissa at this scale
  precision,  ///< more fraction digits than the scale holds and Rounding::exact was asked
};
const char* to_string(DecimalError e);

enum class Rounding : uint8_t {
  exact,      ///< digits beyond the scale must be zeros, else DecimalError::precision
  half_even,  ///< round to the nearest representable value, ties to even
};

/// Parses `text` (JSON number or numeric string: optional sign, digits, optional '.',
/// optional exponent; `.5` and `5.` are accepted) into a mantissa at `scale` (0..18).
Result<int64_t, DecimalError> parse_decimal(std::string_view text, int scale,
                                            Rounding rounding = Rounding::exact) noexcept;

/// Writes the shortest exact decimal text for mantissa/10^scale (no trailing fraction
/// zeros, no exponent) into `out` (at least 24 bytes); returns the length. A scale outside
/// 0..18 writes nothing and returns 0.
size_t format_decimal(int64_t mantissa, int scale, char* out) noexcept;
std::string format_decimal(int64_t mantissa, int scale);

/// Converts a mantissa between scales; fails with overflow or (downscaling) precision.
Result<int64_t, DecimalError> rescale(int64_t mantissa, int from_scale, int to_scale,
                                      Rounding rounding = Rounding::exact) noexcept;

/// 10^n for n in 0..18.
int64_t pow10(int n) noexcept;

}  // namespace mdhub
