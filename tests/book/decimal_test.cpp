#include "book/decimal.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string>

namespace mdhub {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

// "ok:<mantissa>" or "err:<error>" so that failures print both sides readably.
std::string parse(std::string_view text, int scale, Rounding r = Rounding::exact) {
  auto v = parse_decimal(text, scale, r);
  if (v) return "ok:" + std::to_string(*v);
  return std::string("err:") + to_string(v.error());
}
std::string ok(int64_t m) { return "ok:" + std::to_string(m); }
std::string err(DecimalError e) { return std::string("err:") + to_string(e); }

std::string resc(int64_t m, int from, int to, Rounding r = Rounding::exact) {
  auto v = rescale(m, from, to, r);
  if (v) return "ok:" + std::to_string(*v);
  return std::string("err:") + to_string(v.error());
}

TEST(DecimalParse, VenueNumbersAndStrings) {
  EXPECT_EQ(parse("59252.5", 1), ok(592525));
  EXPECT_EQ(parse("59252.5", 8), ok(5925250000000));
  EXPECT_EQ(parse("0.06865000", 8), ok(6865000));
  EXPECT_EQ(parse("36235.0", 1), ok(362350));
  EXPECT_EQ(parse("36235.0", 0), ok(36235));
  EXPECT_EQ(parse("0", 8), ok(0));
  EXPECT_EQ(parse("-0", 8), ok(0));
  EXPECT_EQ(parse("-0.0", 2), ok(0));
  EXPECT_EQ(parse("-12.5", 2), ok(-1250));
  EXPECT_EQ(parse("1", 18), ok(1'000'000'000'000'000'000));
}

TEST(DecimalParse, Exponents) {
  EXPECT_EQ(parse("1e-8", 8), ok(1));
  EXPECT_EQ(parse("1e-8", 10), ok(100));
  EXPECT_EQ(parse("1E+2", 0), ok(100));
  EXPECT_EQ(parse("1E+2", 2), ok(10000));
  EXPECT_EQ(parse("1e2", 0), ok(100));
  EXPECT_EQ(parse("1.5e1", 0), ok(15));
  EXPECT_EQ(parse("15e-1", 1), ok(15));
  EXPECT_EQ(parse("0.00015E4", 1), ok(15));
  EXPECT_EQ(parse("-2.5E-3", 4), ok(-25));
  EXPECT_EQ(parse("1e+0000000000000000000002", 0), ok(100));
  EXPECT_EQ(parse("5.e1", 0), ok(50));
  EXPECT_EQ(parse("1e0", 3), ok(1000));
  EXPECT_EQ(parse("1e-8", 7), err(DecimalError::precision));
  EXPECT_EQ(parse("1e-8", 7, Rounding::half_even), ok(0));
  EXPECT_EQ(parse("6e-8", 7, Rounding::half_even), ok(1));
}

TEST(DecimalParse, SignsZerosAndBareDots) {
  EXPECT_EQ(parse("+5", 0), ok(5));
  EXPECT_EQ(parse("+0.5", 1), ok(5));
  EXPECT_EQ(parse("007", 0), ok(7));
  EXPECT_EQ(parse("-007.50", 2), ok(-750));
  EXPECT_EQ(parse("000.000", 3), ok(0));
  EXPECT_EQ(parse("0000000000000000000000000000001", 2), ok(100));
  EXPECT_EQ(parse("0.0000000000000000000000000000001e31", 0), ok(1));
  EXPECT_EQ(parse("1.50000000000000000000000000", 1), ok(15));
  EXPECT_EQ(parse("1.5000000000000000000000000000000000001", 1), err(DecimalError::precision));
  EXPECT_EQ(parse(".5", 1), ok(5));
  EXPECT_EQ(parse("-.5", 1), ok(-5));
  EXPECT_EQ(parse("5.", 0), ok(5));
  EXPECT_EQ(parse("5.", 3), ok(5000));
}

TEST(DecimalParse, MoreFractionDigitsThanScale) {
  EXPECT_EQ(parse("1.23", 1), err(DecimalError::precision));
  EXPECT_EQ(parse("0.000000001", 8), err(DecimalError::precision));
  EXPECT_EQ(parse("1.20", 1), ok(12));  // extra digits that are zeros are exact
  const auto he = Rounding::half_even;
  // Ties go to the even neighbour, both ways, and symmetrically for negatives.
  EXPECT_EQ(parse("1.25", 1, he), ok(12));
  EXPECT_EQ(parse("1.35", 1, he), ok(14));
  EXPECT_EQ(parse("-1.25", 1, he), ok(-12));
  EXPECT_EQ(parse("-1.35", 1, he), ok(-14));
  EXPECT_EQ(parse("0.5", 0, he), ok(0));
  EXPECT_EQ(parse("1.5", 0, he), ok(2));
  EXPECT_EQ(parse("2.5", 0, he), ok(2));
  EXPECT_EQ(parse("-0.5", 0, he), ok(0));
  EXPECT_EQ(parse("-2.5", 0, he), ok(-2));
  EXPECT_EQ(parse("0.05", 1, he), ok(0));
  EXPECT_EQ(parse("0.15", 1, he), ok(2));
  // Not ties.
  EXPECT_EQ(parse("1.251", 1, he), ok(13));
  EXPECT_EQ(parse("1.2500000000000000000000001", 1, he), ok(13));
  EXPECT_EQ(parse("1.24999", 1, he), ok(12));
  EXPECT_EQ(parse("-1.26", 1, he), ok(-13));
  EXPECT_EQ(parse("-1.24", 1, he), ok(-12));
  EXPECT_EQ(parse("0.00000000049", 9, he), ok(0));
  EXPECT_EQ(parse("0.0000000005", 9, he), ok(0));
  EXPECT_EQ(parse("0.0000000015", 9, he), ok(2));
  EXPECT_EQ(parse("0.06865000499", 8, he), ok(6865000));
  EXPECT_EQ(parse("0.068650005", 8, he), ok(6865000));
  EXPECT_EQ(parse("0.068650015", 8, he), ok(6865002));
  EXPECT_EQ(parse("9.99", 1, he), ok(100));
}

TEST(DecimalParse, Garbage) {
  for (const char* s : {"abc", "1a", "a1", " 1", "1 ", "1,5", "0x1F", "1_000", "--1", "+-1", "-+1",
                        "1-", "NaN", "nan", "-NaN", "Infinity", "-Infinity", "inf", "1e", "1E",
                        "1e+", "1e-", "1.2.3", "1..2", "1ee2", "1e2.5", "1e2e3", ".", "-.", "+.",
                        "e5", ".e5", "\"1\"", "1\n", "true", "null", "١"}) {
    EXPECT_EQ(parse(s, 2), err(DecimalError::syntax)) << s;
  }
  EXPECT_EQ(parse(std::string_view("1\0", 2), 2), err(DecimalError::syntax));
}

TEST(DecimalParse, Empty) {
  EXPECT_EQ(parse("", 2), err(DecimalError::empty));
  EXPECT_EQ(parse("-", 2), err(DecimalError::empty));
  EXPECT_EQ(parse("+", 2), err(DecimalError::empty));
}

TEST(DecimalParse, Int64Edges) {
  EXPECT_EQ(parse("9223372036854775807", 0), ok(kMax));
  EXPECT_EQ(parse("9223372036854775808", 0), err(DecimalError::overflow));
  EXPECT_EQ(parse("-9223372036854775808", 0), ok(kMin));
  EXPECT_EQ(parse("-9223372036854775809", 0), err(DecimalError::overflow));
  EXPECT_EQ(parse("922337203685477580.7", 1), ok(kMax));
  EXPECT_EQ(parse("922337203685477580.8", 1), err(DecimalError::overflow));
  EXPECT_EQ(parse("-922337203685477580.8", 1), ok(kMin));
  EXPECT_EQ(parse("9.223372036854775807", 18), ok(kMax));
  EXPECT_EQ(parse("9.223372036854775808", 18), err(DecimalError::overflow));
  EXPECT_EQ(parse("-9.223372036854775808", 18), ok(kMin));
  EXPECT_EQ(parse("-9.223372036854775809", 18), err(DecimalError::overflow));
  EXPECT_EQ(parse("9223372036854775807e-18", 18), ok(kMax));
  EXPECT_EQ(parse("9.223372036854775807e18", 0), ok(kMax));
  EXPECT_EQ(parse("92233720368547758070e-1", 0), ok(kMax));
  EXPECT_EQ(parse("9", 18), ok(9'000'000'000'000'000'000));
  EXPECT_EQ(parse("10", 18), err(DecimalError::overflow));
  EXPECT_EQ(parse("1e18", 0), ok(1'000'000'000'000'000'000));
  EXPECT_EQ(parse("1e19", 0), err(DecimalError::overflow));
  EXPECT_EQ(parse("18446744073709551616", 0), err(DecimalError::overflow));
  EXPECT_EQ(parse("99999999999999999999", 0), err(DecimalError::overflow));
  // Rounding can carry across the limit.
  const auto he = Rounding::half_even;
  EXPECT_EQ(parse("9223372036854775806.5", 0, he), ok(kMax - 1));
  EXPECT_EQ(parse("9223372036854775806.5", 0), err(DecimalError::precision));
  EXPECT_EQ(parse("9223372036854775807.4", 0, he), ok(kMax));
  EXPECT_EQ(parse("9223372036854775807.5", 0, he), err(DecimalError::overflow));
  EXPECT_EQ(parse("-9223372036854775808.5", 0, he), ok(kMin));
  EXPECT_EQ(parse("-9223372036854775808.6", 0, he), err(DecimalError::overflow));
}

TEST(DecimalParse, HugeExponents) {
  EXPECT_EQ(parse("1e999999999999999999999", 0), err(DecimalError::overflow));
  EXPECT_EQ(parse("1e20", 0), err(DecimalError::overflow));
  EXPECT_EQ(parse("1e-999999999999999999", 0), err(DecimalError::precision));
  EXPECT_EQ(parse("1e-999999999999999999", 0, Rounding::half_even), ok(0));
  EXPECT_EQ(parse("-1e-999999999999999999", 18, Rounding::half_even), ok(0));
  EXPECT_EQ(parse("0e99999999", 0), ok(0));
  EXPECT_EQ(parse("0.0e-99999999", 0), ok(0));
  EXPECT_EQ(parse("1e-19", 18, Rounding::half_even), ok(0));
  EXPECT_EQ(parse("6e-19", 18, Rounding::half_even), ok(1));
  EXPECT_EQ(parse("5e-19", 18, Rounding::half_even), ok(0));
  EXPECT_EQ(parse("5.1e-19", 18, Rounding::half_even), ok(1));
  EXPECT_EQ(parse("9e-20", 18, Rounding::half_even), ok(0));
}

TEST(DecimalParse, MoreThan19SignificantDigits) {
  EXPECT_EQ(parse("12345678901234567890", 0), err(DecimalError::overflow));
  EXPECT_EQ(parse("1.2345678901234567890", 18), ok(1234567890123456789));
  EXPECT_EQ(parse("1.23456789012345678900000000", 18), ok(1234567890123456789));
  EXPECT_EQ(parse("1.2345678901234567891", 18), err(DecimalError::precision));
  const auto he = Rounding::half_even;
  EXPECT_EQ(parse("1.2345678901234567891", 18, he), ok(1234567890123456789));
  EXPECT_EQ(parse("1.2345678901234567895", 18, he), ok(1234567890123456790));
  EXPECT_EQ(parse("1.2345678901234567885", 18, he), ok(1234567890123456788));
  EXPECT_EQ(parse("1.23456789012345678850000001", 18, he), ok(1234567890123456789));
  EXPECT_EQ(parse("-1.2345678901234567895", 18, he), ok(-1234567890123456790));
  EXPECT_EQ(parse("1234567890123456789.5", 0, he), ok(1234567890123456790));
  EXPECT_EQ(parse("1234567890123456788.5", 0, he), ok(1234567890123456788));
  EXPECT_EQ(parse("1234567890123456789.5", 0), err(DecimalError::precision));
  EXPECT_EQ(parse("12345678901234567891e-1", 0, he), ok(1234567890123456789));
  EXPECT_EQ(parse("1234567890123456789012345e-10", 3, he), ok(123456789012345679));
  EXPECT_EQ(parse("1234567890123456789012345e-10", 3), err(DecimalError::precision));
  EXPECT_EQ(parse("0.12345678901234567890123", 8, he), ok(12345679));
  EXPECT_EQ(parse("99999999999999999999e-20", 18, he), ok(1'000'000'000'000'000'000));
}

TEST(DecimalParse, ScaleOutOfRange) {
  EXPECT_EQ(parse("1", -1), err(DecimalError::overflow));
  EXPECT_EQ(parse("1", 19), err(DecimalError::overflow));
}

TEST(DecimalFormat, ExactShortestText) {
  EXPECT_EQ(format_decimal(0, 0), "0");
  EXPECT_EQ(format_decimal(0, 8), "0");
  EXPECT_EQ(format_decimal(1, 8), "0.00000001");
  EXPECT_EQ(format_decimal(-1, 8), "-0.00000001");
  EXPECT_EQ(format_decimal(592525, 1), "59252.5");
  EXPECT_EQ(format_decimal(6865000, 8), "0.06865");
  EXPECT_EQ(format_decimal(362350, 1), "36235");
  EXPECT_EQ(format_decimal(100, 2), "1");
  EXPECT_EQ(format_decimal(-10, 1), "-1");
  EXPECT_EQ(format_decimal(-15, 1), "-1.5");
  EXPECT_EQ(format_decimal(1050, 2), "10.5");
  EXPECT_EQ(format_decimal(1005, 2), "10.05");
  EXPECT_EQ(format_decimal(kMax, 0), "9223372036854775807");
  EXPECT_EQ(format_decimal(kMin, 0), "-9223372036854775808");
  EXPECT_EQ(format_decimal(kMax, 18), "9.223372036854775807");
  EXPECT_EQ(format_decimal(kMin, 18), "-9.223372036854775808");
  EXPECT_EQ(format_decimal(1, 18), "0.000000000000000001");
  EXPECT_EQ(format_decimal(-1, 18), "-0.000000000000000001");
  EXPECT_EQ(format_decimal(kMin, 1), "-922337203685477580.8");
}

TEST(DecimalFormat, BufferBoundAndInvalidScale) {
  char buf[24];
  for (int64_t m : {kMin, kMax, int64_t{-1}, int64_t{1}}) {
    for (int s = 0; s <= kMaxScale; ++s) EXPECT_LE(format_decimal(m, s, buf), sizeof buf);
  }
  EXPECT_EQ(format_decimal(5, -1, buf), 0u);
  EXPECT_EQ(format_decimal(5, 19, buf), 0u);
  EXPECT_EQ(format_decimal(5, 1000), "");
}

TEST(DecimalFormat, RandomRoundTrip) {
  std::mt19937_64 rng(20240607);
  std::uniform_int_distribution<int> scale_dist(0, kMaxScale);
  std::uniform_int_distribution<int> kind(0, 3);
  for (int i = 0; i < 200000; ++i) {
    int64_t m;
    switch (kind(rng)) {
      case 0: m = static_cast<int64_t>(rng()); break;                       // full range
      case 1: m = static_cast<int64_t>(rng() % 2000001) - 1000000; break;   // small
      case 2: m = pow10(static_cast<int>(rng() % 19)) * ((rng() & 1) ? 1 : -1) + static_cast<int64_t>(rng() % 3) - 1; break;
      default: m = (rng() & 1) ? kMax - static_cast<int64_t>(rng() % 10) : kMin + static_cast<int64_t>(rng() % 10);
    }
    const int s = scale_dist(rng);
    const std::string text = format_decimal(m, s);
    auto back = parse_decimal(text, s);
    ASSERT_TRUE(back.has_value()) << text << " scale " << s;
    ASSERT_EQ(*back, m) << text << " scale " << s;
    // And the text is canonical: no trailing fraction zeros, no bare dot.
    ASSERT_FALSE(text.find('.') != std::string::npos && (text.back() == '0' || text.back() == '.'))
        << text;
  }
}

TEST(DecimalRescale, UpAndDown) {
  EXPECT_EQ(resc(15, 1, 3), ok(1500));
  EXPECT_EQ(resc(1500, 3, 1), ok(15));
  EXPECT_EQ(resc(-1500, 3, 1), ok(-15));
  EXPECT_EQ(resc(7, 4, 4), ok(7));
  EXPECT_EQ(resc(1501, 3, 1), err(DecimalError::precision));
  const auto he = Rounding::half_even;
  EXPECT_EQ(resc(1550, 3, 1, he), ok(16));
  EXPECT_EQ(resc(1450, 3, 1, he), ok(14));
  EXPECT_EQ(resc(-1550, 3, 1, he), ok(-16));
  EXPECT_EQ(resc(-1450, 3, 1, he), ok(-14));
  EXPECT_EQ(resc(-1451, 3, 1, he), ok(-15));
  EXPECT_EQ(resc(1549, 3, 1, he), ok(15));
  EXPECT_EQ(resc(5, 1, 0, he), ok(0));
  EXPECT_EQ(resc(-5, 1, 0, he), ok(0));
  EXPECT_EQ(resc(15, 1, 0, he), ok(2));
}

TEST(DecimalRescale, Edges) {
  EXPECT_EQ(resc(kMax, 0, 1), err(DecimalError::overflow));
  EXPECT_EQ(resc(kMin, 0, 1), err(DecimalError::overflow));
  EXPECT_EQ(resc(922337203685477580, 0, 1), ok(9223372036854775800));
  EXPECT_EQ(resc(-922337203685477580, 0, 1), ok(-9223372036854775800));
  EXPECT_EQ(resc(9, 0, 18), ok(9'000'000'000'000'000'000));
  EXPECT_EQ(resc(10, 0, 18), err(DecimalError::overflow));
  EXPECT_EQ(resc(kMin, 18, 0), err(DecimalError::precision));
  EXPECT_EQ(resc(kMin, 18, 0, Rounding::half_even), ok(-9));
  EXPECT_EQ(resc(kMax, 18, 0, Rounding::half_even), ok(9));
  EXPECT_EQ(resc(kMin, 1, 0, Rounding::half_even), ok(-922337203685477581));
  EXPECT_EQ(resc(1, -1, 0), err(DecimalError::overflow));
  EXPECT_EQ(resc(1, 0, 19), err(DecimalError::overflow));
}

TEST(DecimalRescale, RandomRoundTrip) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100000; ++i) {
    const int from = static_cast<int>(rng() % 19);
    const int to = from + static_cast<int>(rng() % static_cast<uint64_t>(19 - from));
    const int64_t m = static_cast<int64_t>(rng()) >> (rng() % 64);
    auto up = rescale(m, from, to);
    if (!up) {
      ASSERT_EQ(up.error(), DecimalError::overflow);
      continue;
    }
    auto down = rescale(*up, to, from);
    ASSERT_TRUE(down.has_value());
    ASSERT_EQ(*down, m);
    // The same value through text.
    ASSERT_EQ(format_decimal(m, from), format_decimal(*up, to));
  }
}

TEST(DecimalPow10, Values) {
  EXPECT_EQ(pow10(0), 1);
  EXPECT_EQ(pow10(8), 100000000);
  EXPECT_EQ(pow10(18), 1'000'000'000'000'000'000);
}

// parse_decimal has a fast path for plain unsigned decimals; a leading '+' means the same
// number but always takes the general path, so the two must agree on every input.
TEST(DecimalParse, FastPathAgreesWithGeneralPath) {
  std::mt19937_64 rng(99);
  const std::string alphabet = "0123456789012345678901234567890123456789..e-";
  for (int i = 0; i < 300000; ++i) {
    std::string text;
    const size_t len = 1 + rng() % 21;
    for (size_t k = 0; k < len; ++k) text += alphabet[rng() % alphabet.size()];
    if (text[0] == '-') continue;  // "+-" is not a number
    const int scale = static_cast<int>(rng() % (kMaxScale + 1));
    for (Rounding r : {Rounding::exact, Rounding::half_even}) {
      const auto fast = parse_decimal(text, scale, r);
      const auto general = parse_decimal("+" + text, scale, r);
      ASSERT_EQ(fast.has_value(), general.has_value()) << text << " scale " << scale;
      if (fast) ASSERT_EQ(*fast, *general) << text << " scale " << scale;
      else ASSERT_EQ(fast.error(), general.error()) << text << " scale " << scale;
    }
  }
}

}  // namespace
}  // namespace mdhub
