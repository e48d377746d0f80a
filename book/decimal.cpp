#include "book/decimal.hpp"

#include <array>
#include <cstdint>

namespace mdhub {
namespace {

constexpr std::array<uint64_t, 20> kPow10 = [] {
  std::array<uint64_t, 20> p{};
  uint64_t v = 1;
  for (auto& x : p) {
    x = v;
    v *= 10;
  }
  return p;
}();

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

const char* to_string(DecimalError e) {
  switch (e) {
    case DecimalError::empty: return "empty number";
    case DecimalError::syntax: return "not a decimal number";
    case DecimalError::overflow: return "number out of range";
    case DecimalError::precision: return "more fraction digits than the instrument scale";
  }
  return "unknown";
}

int64_t pow10(int n) noexcept { return static_cast<int64_t>(kPow10[static_cast<size_t>(n)]); }

Result<int64_t, DecimalError> parse_decimal(std::string_view s, int scale,
                                            Rounding rounding) noexcept {
  if (scale < 0 || scale > kMaxScale) return Unexpected{DecimalError::overflow};
  // Fast path for what venues send nearly always: unsigned digits with at most one '.',
  // at most 19 characters (so the digits fit a uint64) and no more fraction digits than
  // the scale. Anything else takes the general path below, which gives the same answer.
  if (s.size() - 1 < 19) {
    uint64_t v = 0;
    int frac = -1;
    bool digit = false, plain = true;
    for (char c : s) {
      if (is_digit(c)) {
        v = v * 10 + static_cast<uint64_t>(c - '0');
        digit = true;
        frac += frac >= 0;
      } else if (c == '.' && frac < 0) {
        frac = 0;
      } else {
        plain = false;
        break;
      }
    }
    const int f = frac < 0 ? 0 : frac;
    if (plain && digit && f <= scale) {
      const uint64_t p = kPow10[static_cast<size_t>(scale - f)];
      if (v <= static_cast<uint64_t>(INT64_MAX) / p) return static_cast<int64_t>(v * p);
    }
  }
  size_t i = 0;
  const size_t n = s.size();
  bool neg = false;
  if (i < n && (s[i] == '+' || s[i] == '-')) {
    neg = s[i] == '-';
    ++i;
  }
  if (i == n) return Unexpected{DecimalError::empty};

  // Significant digits are accumulated into `sig` (at most 19 of them); every digit after
  // that is either a zero or makes the number inexact at any scale we can hold (`tail_*`).
  uint64_t sig = 0;
  int nsig = 0;           // digits held in sig
  int64_t exp10 = 0;      // value = sig * 10^exp10 (+ dropped tail)
  bool tail_nonzero = false;
  int first_dropped = -1;  // first dropped digit, for rounding
  bool any_digit = false;

  auto take = [&](char c, bool fraction) {
    any_digit = true;
    const int d = c - '0';
    if (nsig == 0 && d == 0) {
      if (fraction) --exp10;
      return;
    }
    if (nsig < 19) {
      sig = sig * 10 + static_cast<uint64_t>(d);
      ++nsig;
      if (fraction) --exp10;
    } else {
      if (!fraction) ++exp10;  // integer digit beyond our precision: scales the value
      if (first_dropped < 0) first_dropped = d;
      else if (d != 0) tail_nonzero = true;
    }
  };

  for (; i < n && is_digit(s[i]); ++i) take(s[i], false);
  if (i < n && s[i] == '.') {
    ++i;
    for (; i < n && is_digit(s[i]); ++i) take(s[i], true);
  }
  if (!any_digit) return Unexpected{DecimalError::syntax};
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) {
      eneg = s[i] == '-';
      ++i;
    }
    if (i == n || !is_digit(s[i])) return Unexpected{DecimalError::syntax};
    int64_t e = 0;
    for (; i < n && is_digit(s[i]); ++i) {
      if (e < 100000) e = e * 10 + (s[i] - '0');
    }
    exp10 += eneg ? -e : e;
  }
  if (i != n) return Unexpected{DecimalError::syntax};

  const bool dropped_nonzero = first_dropped > 0 || tail_nonzero;

  if (sig == 0) return int64_t{0};

  int64_t shift = exp10 + scale;  // mantissa = sig * 10^shift
  uint64_t mag = 0;
  int round_digit = 0;        // the most significant digit below the mantissa's last one
  bool rest_nonzero = false;  // anything nonzero after it
  if (shift >= 0) {
    if (dropped_nonzero && shift > 0) {
      // Dropped digits sit below sig's last digit; with shift > 0 they land inside the
      // mantissa, so it has more than 19 significant digits: out of range.
      return Unexpected{DecimalError::overflow};
    }
    if (shift > 19) return Unexpected{DecimalError::overflow};
    const uint64_t p = kPow10[static_cast<size_t>(shift)];
    if (shift == 19 || sig > UINT64_MAX / p) return Unexpected{DecimalError::overflow};
    mag = sig * p;
    if (dropped_nonzero) {  // shift == 0: the dropped digits are exactly the excess fraction
      round_digit = first_dropped;
      rest_nonzero = tail_nonzero;
    }
  } else {
    const int64_t drop = -shift;  // digits of sig to remove
    if (drop > 19) {
      mag = 0;
      rest_nonzero = true;  // sig != 0
    } else {
      const uint64_t p = kPow10[static_cast<size_t>(drop)];
      mag = sig / p;
      const uint64_t rem = sig % p;
      const uint64_t half_unit = p / 10;
      round_digit = static_cast<int>(rem / half_unit);
      rest_nonzero = (rem % half_unit) != 0 || dropped_nonzero;
    }
  }
  if (round_digit != 0 || rest_nonzero) {
    if (rounding == Rounding::exact) return Unexpected{DecimalError::precision};
    const bool up = round_digit > 5 || (round_digit == 5 && (rest_nonzero || (mag & 1u)));
    if (up) ++mag;
  }
  const uint64_t limit = neg ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  if (mag > limit) return Unexpected{DecimalError::overflow};
  if (neg) return static_cast<int64_t>(0 - mag);  // 2^63 wraps to INT64_MIN exactly
  return static_cast<int64_t>(mag);
}

size_t format_decimal(int64_t m, int scale, char* out) noexcept {
  if (scale < 0 || scale > kMaxScale) return 0;  // would not fit `out`; documented as empty
  char buf[24];
  size_t len = 0;
  const bool neg = m < 0;
  uint64_t mag = neg ? 0 - static_cast<uint64_t>(m) : static_cast<uint64_t>(m);
  // Digits, least significant first.
  int pos = 0;
  bool seen_nonzero_frac = false;
  do {
    const char d = static_cast<char>('0' + mag % 10);
    mag /= 10;
    if (pos < scale) {
      if (d != '0' || seen_nonzero_frac) {
        buf[len++] = d;
        seen_nonzero_frac = true;
      }
    } else {
      if (pos == scale && seen_nonzero_frac) buf[len++] = '.';
      buf[len++] = d;
    }
    ++pos;
  } while (mag != 0 || pos <= scale);
  size_t o = 0;
  if (neg && !(len == 1 && buf[0] == '0')) out[o++] = '-';
  while (len > 0) out[o++] = buf[--len];
  return o;
}

std::string format_decimal(int64_t mantissa, int scale) {
  char buf[32];
  return std::string(buf, format_decimal(mantissa, scale, buf));
}

Result<int64_t, DecimalError> rescale(int64_t m, int from, int to, Rounding rounding) noexcept {
  if (from < 0 || from > kMaxScale || to < 0 || to > kMaxScale) return Unexpected{DecimalError::overflow};
  if (from == to) return m;
  if (to > from) {
    const int64_t p = pow10(to - from);
    int64_t r;
    if (__builtin_mul_overflow(m, p, &r)) return Unexpected{DecimalError::overflow};
    return r;
  }
  const int64_t p = pow10(from - to);
  int64_t q = m / p;
  const int64_t rem = m % p;
  if (rem != 0) {
    if (rounding == Rounding::exact) return Unexpected{DecimalError::precision};
    const uint64_t arem = rem < 0 ? 0 - static_cast<uint64_t>(rem) : static_cast<uint64_t>(rem);
    const uint64_t half = static_cast<uint64_t>(p) / 2;
    if (arem > half || (arem == half && (q & 1))) q += rem < 0 ? -1 : 1;
  }
  return q;
}

}  // namespace mdhub
