// Subjects of the bus: <prefix>.<kind>.<venue>.<symbol>, one token each for venue and symbol.
#include <gtest/gtest.h>

#include "src/bus/subject.hpp"

namespace mdhub::bus {
namespace {

TEST(NatsSubject, BuildsFromTheChannelKind) {
  EXPECT_EQ(subject("md", "book", "btse", "BTC-USD").value(), "md.book.btse.BTC-USD");
  EXPECT_EQ(subject("md", "snapshot", "narkasa", "BTC-TRY").value(), "md.snapshot.narkasa.BTC-TRY");
  EXPECT_EQ(subject("prod.md", "candles.1m", "bitexbit", "ETH-USDT").value(), "prod.md.candles.1m.bitexbit.ETH-USDT");
}

TEST(NatsSubject, HyphensUnderscoresAndDigitsAreOneToken) {
  EXPECT_TRUE(valid_token("BTC-USDT"));
  EXPECT_TRUE(valid_token("1INCH-USD_PERP"));
  EXPECT_TRUE(valid_token("coinmotion"));
}

TEST(NatsSubject, RefusesWhatWouldSplitOrMatchSubjects) {
  for (auto bad : {"", "BTC.USD", "BTC*", ">", "BTC USD", "BTC\tUSD", "BTC\nUSD", "BTC\rUSD", "A\x7f"}) {
    EXPECT_FALSE(valid_token(bad)) << bad;
    EXPECT_FALSE(subject("md", "book", "btse", bad).has_value()) << bad;
    EXPECT_FALSE(subject("md", "book", bad, "BTC-USD").has_value()) << bad;
  }
}

}  // namespace
}  // namespace mdhub::bus
