#include <gtest/gtest.h>

#include "feeds/coinbtr/time.hpp"

namespace mdhub::coinbtr {
namespace {

int64_t iso(const char* s) {
  int64_t us = 0;
  EXPECT_TRUE(parse_iso8601_us(s, us)) << s;
  return us;
}

bool iso_fails(const char* s) {
  int64_t us = 0;
  return !parse_iso8601_us(s, us);
}

TEST(CoinbtrTime, UtcWithMicroseconds) {
  EXPECT_EQ(iso("2019-03-27T20:40:14.686939Z"), 1553719214686939);
  EXPECT_EQ(iso("2019-02-20T03:20:53.549954Z"), 1550632853549954);
  EXPECT_EQ(iso("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(iso("1969-12-31T23:59:59Z"), -1000000);
}

TEST(CoinbtrTime, MexicoCityOffset) {
  EXPECT_EQ(iso("2021-08-24T12:35:22.840257-05:00"), 1629826522840257);
  EXPECT_EQ(iso("2021-08-24T12:42:03.347801-05:00"), 1629826923347801);
  EXPECT_EQ(iso("2021-08-24T17:35:22.840257+00:00"), 1629826522840257);
}

TEST(CoinbtrTime, OffsetSpellingsAndPrecisions) {
  EXPECT_EQ(iso("2020-02-29T23:59:59.5+05:30"), 1583000999500000);
  EXPECT_EQ(iso("2020-02-29T23:59:59.5+0530"), 1583000999500000);
  EXPECT_EQ(iso("2021-08-24T12:35:00-05"), 1629826500000000);
  EXPECT_EQ(iso("2021-08-24T12:35-05:00"), 1629826500000000);
  EXPECT_EQ(iso("2021-08-24 12:35:00-05:00"), 1629826500000000);
  EXPECT_EQ(iso("2021-08-24t17:35:00z"), 1629826500000000);
  // Nanoseconds are truncated to µs, never rounded up.
  EXPECT_EQ(iso("2021-08-24T17:35:22.840257999Z"), 1629826522840257);
  EXPECT_EQ(iso("2021-08-24T17:35:22.8Z"), 1629826522800000);
}

TEST(CoinbtrTime, RejectsInvalid) {
  EXPECT_TRUE(iso_fails("2021-08-24T12:35:22.840257"));  // no zone
  EXPECT_TRUE(iso_fails("2021-02-29T00:00:00Z"));        // not a leap year
  EXPECT_TRUE(iso_fails("2021-13-01T00:00:00Z"));
  EXPECT_TRUE(iso_fails("2021-08-24T24:00:00Z"));
  EXPECT_TRUE(iso_fails("2021-08-24T12:35:22.Z"));
  EXPECT_TRUE(iso_fails("2021-08-24T12:35:22Z junk"));
  EXPECT_TRUE(iso_fails("2021-08-24T12:35:22+25:00"));
  EXPECT_TRUE(iso_fails("21-08-24T12:35:22Z"));
  EXPECT_TRUE(iso_fails(""));
}

TEST(CoinbtrTime, ScaledTruncation) {
  int64_t v = 0;
  ASSERT_TRUE(scaled_trunc("1614883000932.394", 0, v));
  EXPECT_EQ(v, 1614883000932);
  ASSERT_TRUE(scaled_trunc("1614883000932.999", 0, v));
  EXPECT_EQ(v, 1614883000932);
  ASSERT_TRUE(scaled_trunc("1568905003.866091", 6, v));
  EXPECT_EQ(v, 1568905003866091);
  ASSERT_TRUE(scaled_trunc("1568905003.8660919", 6, v));
  EXPECT_EQ(v, 1568905003866091);
  ASSERT_TRUE(scaled_trunc("1553747925659", 0, v));
  EXPECT_EQ(v, 1553747925659);
  ASSERT_TRUE(scaled_trunc("5", 3, v));
  EXPECT_EQ(v, 5000);
  ASSERT_TRUE(scaled_trunc("1.5e3", 0, v));
  EXPECT_EQ(v, 1500);
  EXPECT_FALSE(scaled_trunc("-1", 0, v));
  EXPECT_FALSE(scaled_trunc("", 0, v));
  EXPECT_FALSE(scaled_trunc(".", 0, v));
  EXPECT_FALSE(scaled_trunc("1.2.3", 0, v));
  EXPECT_FALSE(scaled_trunc("12abc", 0, v));
  EXPECT_FALSE(scaled_trunc("99999999999999999999", 0, v));
  EXPECT_FALSE(scaled_trunc("9999999999999999", 6, v));
}

}  // namespace
}  // namespace mdhub::coinbtr
