// Exact arithmetic of the fx module: half-even ties at the rate scale and at the price
// scale, exact texts, overflow.
#include <gtest/gtest.h>

#include "src/fx/views.hpp"

namespace mdhub::fx {
namespace {

Rational q(u128 n, u128 d) { return *make_rational(n, d); }
std::string at(const Rational& x, int scale) { return format(*round_half_even(x, scale), scale, true); }

TEST(fx_exact, half_even_ties_at_twelve_decimals) {
  const u128 e13 = pow10_128(13);
  EXPECT_EQ(at(q(5, e13), 12), "0.000000000000");   // 0.0000000000005: tie, to even 0
  EXPECT_EQ(at(q(15, e13), 12), "0.000000000002");  // tie, to even 2
  EXPECT_EQ(at(q(25, e13), 12), "0.000000000002");  // tie, to even 2
  EXPECT_EQ(at(q(26, e13), 12), "0.000000000003");  // above the tie
  EXPECT_EQ(at(q(1, 3), 12), "0.333333333333");
  EXPECT_EQ(at(q(2, 3), 12), "0.666666666667");
}

TEST(fx_exact, half_even_ties_at_the_price_scale) {
  // 1 x 0.000000005 = 0.000000005 at 8 decimals: a tie, to even 0; 0.000000015 to 0.00000002.
  EXPECT_EQ(convert_price(1, 0, 5000, 8), 0);
  EXPECT_EQ(convert_price(1, 0, 15000, 8), 2);
  EXPECT_EQ(convert_price(1, 0, 25000, 8), 2);
  // 19500.05 x 0.5 = 9750.025 at 2 decimals: tie, to even 9750.02; at 0 decimals 9750.
  EXPECT_EQ(convert_price(1950005, 2, 500000000000, 2), 975002);
  EXPECT_EQ(convert_price(1950005, 2, 500000000000, 0), 9750);
  EXPECT_EQ(convert_price(-1, 0, 5000, 8), std::nullopt);  // no price is negative
}

TEST(fx_exact, texts) {
  EXPECT_EQ(format(6001010000000, 8, true), "60010.10000000");
  EXPECT_EQ(format(1000000000000, 12, false), "1");
  EXPECT_EQ(format(5, 2, true), "0.05");
  EXPECT_EQ(format(0, 2, true), "0.00");
  EXPECT_EQ(exact_text(q(6501, 200)), "32.505");
  EXPECT_EQ(exact_text(q(10001, 10000)), "1.0001");
  EXPECT_EQ(exact_text(q(1, 3)), std::nullopt);
}

TEST(fx_exact, products_reduce_and_overflow_is_reported) {
  EXPECT_EQ(*mul(q(6501, 200), q(200, 6501)), q(1, 1));
  EXPECT_EQ(*div(q(10001, 10000), q(6501, 200)), q(10001, 325050));
  const u128 big = pow10_128(18) + 1, e18 = pow10_128(18);
  const auto two = mul(q(big, e18), q(big, e18));
  ASSERT_TRUE(two);
  EXPECT_FALSE(mul(*two, q(big, e18)));  // (10^18+1)^3 does not fit 128 bits
  EXPECT_FALSE(div(q(1, 1), q(0, 1)));
  EXPECT_FALSE(round_half_even(q(pow10_128(30), 1), 12));
  EXPECT_EQ(convert_price(INT64_MAX, 0, pow10_128(12) * 2, 0), std::nullopt);  // beyond int64
}

TEST(fx_exact, basis_points_at_two_decimals) {
  // (60000 - 59997) / 60000 x 10000 = 0.5 bp exactly.
  EXPECT_EQ(format(*basis_points({6000000, 2}, {5999700, 2}), 2, true), "0.50");
  // 0.125 bp: a tie, to even 0.12; 0.375 to 0.38.
  EXPECT_EQ(format(*basis_points({8000000, 2}, {7999900, 2}), 2, true), "0.12");
  EXPECT_EQ(format(*basis_points({8000000, 2}, {7999700, 2}), 2, true), "0.38");
  // Different scales compare as values: 60014.5 vs 60000.00000000 -> 2.4166.. -> 2.42.
  EXPECT_EQ(format(*basis_points({6000000000000, 8, true}, {600145, 1}), 2, true), "2.42");
  EXPECT_EQ(format(*basis_points({6000000, 2}, {6000000, 2}), 2, true), "0.00");
}

}  // namespace
}  // namespace mdhub::fx
