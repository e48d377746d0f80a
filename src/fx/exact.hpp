#pragma once
// Exact non-negative rationals for currency conversion: 128-bit numerator and denominator,
// kept reduced, every operation checked for overflow (nullopt), half-even rounding to a
// decimal scale, and exact decimal text. No floating point anywhere. Pure.
#include <cstdint>
#include <optional>
#include <string>

namespace mdhub::fx {

__extension__ using u128 = unsigned __int128;
__extension__ using i128 = __int128;

struct Rational {
  u128 num = 0, den = 1;  ///< reduced, den > 0
  friend bool operator==(const Rational&, const Rational&) = default;
};

/// num/den reduced; nullopt when den is 0.
std::optional<Rational> make_rational(u128 num, u128 den);
/// mantissa / 10^scale (mantissa >= 0, scale 0..36).
std::optional<Rational> from_decimal(int64_t mantissa, int scale);
std::optional<Rational> mul(const Rational& a, const Rational& b);
/// a / b; nullopt for b == 0 or on overflow.
std::optional<Rational> div(const Rational& a, const Rational& b);

/// 10^n for n in 0..38.
u128 pow10_128(int n);
/// x * 10^scale rounded half-even to an integer: the mantissa at `scale`; nullopt on overflow.
std::optional<u128> round_half_even(const Rational& x, int scale);
/// (num / den) rounded half-even to an integer.
u128 div_half_even(u128 num, u128 den);

/// Text of mantissa/10^scale: `fixed` keeps exactly `scale` decimals ("60010.10000000"),
/// otherwise the shortest exact text ("1", "0.5").
std::string format(u128 mantissa, int scale, bool fixed);
/// The exact decimal text of x when its denominator divides 10^k for some k <= 36
/// (mids and configured rates always do), else nullopt.
std::optional<std::string> exact_text(const Rational& x);
/// Sign of a - b for mantissas at their scales (each 0..18, mantissas >= 0).
int compare(int64_t a, int a_scale, int64_t b, int b_scale);

}  // namespace mdhub::fx
