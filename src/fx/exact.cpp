#include "src/fx/exact.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>

namespace mdhub::fx {
namespace {

u128 gcd(u128 a, u128 b) {
  while (b != 0) {
    const u128 t = a % b;
    a = b;
    b = t;
  }
  return a;
}

bool checked_mul(u128 a, u128 b, u128& out) { return !__builtin_mul_overflow(a, b, &out); }

}  // namespace

u128 pow10_128(int n) {
  // A table: sorting a converted book compares prices at different scales, each compare two
  // powers of ten; a loop of 128-bit multiplications there cost more than the rest of the view.
  static constexpr auto kPow = [] {
    std::array<u128, 39> t{};
    t[0] = 1;
    for (size_t i = 1; i < t.size(); ++i) t[i] = t[i - 1] * 10;
    return t;
  }();
  return kPow.at(static_cast<size_t>(n));
}

std::optional<Rational> make_rational(u128 num, u128 den) {
  if (den == 0) return std::nullopt;
  const u128 g = gcd(num, den);
  if (g == 0) return Rational{0, 1};
  return Rational{num / g, den / g};
}

std::optional<Rational> from_decimal(int64_t mantissa, int scale) {
  if (mantissa < 0 || scale < 0 || scale > 36) return std::nullopt;
  return make_rational(static_cast<u128>(mantissa), pow10_128(scale));
}

std::optional<Rational> mul(const Rational& a, const Rational& b) {
  // Cross-reduce first so that products overflow only when the result cannot be held.
  const u128 g1 = std::max<u128>(gcd(a.num, b.den), 1), g2 = std::max<u128>(gcd(b.num, a.den), 1);
  u128 n = 0, d = 0;
  if (!checked_mul(a.num / g1, b.num / g2, n) || !checked_mul(a.den / g2, b.den / g1, d)) return std::nullopt;
  return make_rational(n, d);
}

std::optional<Rational> div(const Rational& a, const Rational& b) {
  if (b.num == 0) return std::nullopt;
  return mul(a, Rational{b.den, b.num});
}

u128 div_half_even(u128 num, u128 den) {
  u128 q = num / den;
  const u128 r = num % den;
  const u128 rest = den - r;  // r > den / 2 <=> r > den - r, without overflowing 2r
  if (r > rest || (r == rest && (q & 1) != 0)) ++q;
  return q;
}

std::optional<u128> round_half_even(const Rational& x, int scale) {
  if (scale < 0 || scale > 38) return std::nullopt;
  // Long division one decimal digit at a time, so a denominator near 2^128 never overflows:
  // 10 x rem is accumulated as rem added ten times, each time kept below den.
  u128 m = x.num / x.den, rem = x.num % x.den;
  for (int d = 0; d < scale; ++d) {
    u128 digit = 0, acc = 0;
    for (int k = 0; k < 10; ++k) {
      if (acc >= x.den - rem) {
        acc -= x.den - rem;
        ++digit;
      } else {
        acc += rem;
      }
    }
    if (!checked_mul(m, 10, m) || __builtin_add_overflow(m, digit, &m)) return std::nullopt;
    rem = acc;
  }
  const u128 rest = x.den - rem;
  if ((rem > rest || (rem == rest && (m & 1) != 0)) && __builtin_add_overflow(m, u128{1}, &m)) return std::nullopt;
  return m;
}

std::string format(u128 mantissa, int scale, bool fixed) {
  // Digits from the last, in 64-bit arithmetic once the value fits (128-bit division is a
  // library call, and every converted price of a view is written).
  std::array<char, 80> buf;
  char* const end = buf.data() + buf.size();
  char* p = end;
  while (mantissa > UINT64_MAX) {
    *--p = static_cast<char>('0' + static_cast<int>(mantissa % 10));
    mantissa /= 10;
  }
  for (auto m = static_cast<uint64_t>(mantissa);; m /= 10) {
    *--p = static_cast<char>('0' + static_cast<int>(m % 10));
    if (m < 10) break;
  }
  const size_t want = static_cast<size_t>(std::clamp(scale, 0, 40)) + 1;
  while (static_cast<size_t>(end - p) < want) *--p = '0';
  const std::string_view digits(p, static_cast<size_t>(end - p));
  if (scale <= 0) return std::string(digits);
  const size_t whole = digits.size() - static_cast<size_t>(scale);
  std::string_view frac = digits.substr(whole);
  if (!fixed) {
    while (!frac.empty() && frac.back() == '0') frac.remove_suffix(1);
  }
  std::string out(digits.substr(0, whole));
  if (!frac.empty()) {
    out += '.';
    out += frac;
  }
  return out;
}

std::optional<std::string> exact_text(const Rational& x) {
  for (int k = 0; k <= 36; ++k) {
    const u128 p = pow10_128(k);
    if (p % x.den != 0) continue;
    u128 m = 0;
    if (!checked_mul(x.num, p / x.den, m)) return std::nullopt;
    return format(m, k, false);
  }
  return std::nullopt;
}

int compare(int64_t a, int a_scale, int64_t b, int b_scale) {
  if (a_scale == b_scale) return a < b ? -1 : a > b ? 1 : 0;
  // At scale 18 an int64 mantissa stays below 2^127: the comparison is exact.
  const auto at18 = [](int64_t m, int s) {
    return static_cast<i128>(m) * static_cast<i128>(pow10_128(18 - std::clamp(s, 0, 18)));
  };
  const i128 x = at18(a, a_scale), y = at18(b, b_scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

}  // namespace mdhub::fx
