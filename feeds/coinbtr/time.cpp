#include "feeds/coinbtr/time.hpp"

#include "book/decimal.hpp"

namespace mdhub::coinbtr {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at `pos` into `v`.
bool digits(std::string_view s, size_t& pos, int n, int& v) {
  if (pos + static_cast<size_t>(n) > s.size()) return false;
  v = 0;
  for (int i = 0; i < n; ++i) {
    const char c = s[pos++];
    if (!is_digit(c)) return false;
    v = v * 10 + (c - '0');
  }
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int days_in_month(int y, int m) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

}  // namespace

bool parse_iso8601_us(std::string_view s, int64_t& us) {
  size_t p = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(s, p, 4, year) || p >= s.size() || s[p++] != '-') return false;
  if (!digits(s, p, 2, month) || p >= s.size() || s[p++] != '-') return false;
  if (!digits(s, p, 2, day) || p >= s.size()) return false;
  if (s[p] != 'T' && s[p] != 't' && s[p] != ' ') return false;
  ++p;
  if (!digits(s, p, 2, hour) || p >= s.size() || s[p++] != ':') return false;
  if (!digits(s, p, 2, minute)) return false;
  int64_t frac_us = 0;
  if (p < s.size() && s[p] == ':') {
    ++p;
    if (!digits(s, p, 2, second)) return false;
    if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
      ++p;
      int n = 0;
      for (; p < s.size() && is_digit(s[p]); ++p, ++n) {
        if (n < 6) frac_us = frac_us * 10 + (s[p] - '0');
      }
      if (n == 0) return false;
      for (; n < 6; ++n) frac_us *= 10;
    }
  }
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return false;
  // 60 admits a leap second; it lands on the next minute's first second.
  if (hour > 23 || minute > 59 || second > 60) return false;

  if (p >= s.size()) return false;  // no zone
  int64_t offset_s = 0;
  if (s[p] == 'Z' || s[p] == 'z') {
    ++p;
  } else if (s[p] == '+' || s[p] == '-') {
    const bool neg = s[p++] == '-';
    int oh = 0, om = 0;
    if (!digits(s, p, 2, oh)) return false;
    if (p < s.size()) {
      if (s[p] == ':') ++p;
      if (!digits(s, p, 2, om)) return false;
    }
    if (oh > 23 || om > 59) return false;
    offset_s = (oh * 3600 + om * 60) * (neg ? -1 : 1);
  } else {
    return false;
  }
  if (p != s.size()) return false;

  const int64_t secs = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 +
                       second - offset_s;
  us = secs * 1000000 + frac_us;
  return true;
}

}  // namespace mdhub::coinbtr
