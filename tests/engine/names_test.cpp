// Symbol names: every interface resolves a venue's instrument through Engine::find, which
// takes the canonical or the native name in any case; the consolidated book likewise.
#include "tests/engine/fixture.hpp"

namespace mdhub::test {
namespace {

using engine_names = EngineTest;

TEST_F(engine_names, CanonicalAndNativeNamesInAnyCase) {
  const InstrumentState* btc_try = &st("narkasa", "BTC-TRY");
  EXPECT_EQ(engine_.find("narkasa", "btc-try"), btc_try);
  EXPECT_EQ(engine_.find("narkasa", "BTCTRY"), btc_try);
  EXPECT_EQ(engine_.find("narkasa", "btctry"), btc_try);
  EXPECT_EQ(engine_.find("coinmotion", "BTCEUR"), &st("coinmotion", "BTC-EUR"));  // native btcEur
  EXPECT_EQ(engine_.find("btse", "eth-usdt"), &st("btse", "ETH-USDT"));
  EXPECT_EQ(engine_.find("narkasa", "btcTRY")->info.symbol, "BTC-TRY");
}

TEST_F(engine_names, AnotherVenuesNativeNameIsNotAName) {
  EXPECT_EQ(engine_.find("btse", "BTCUSDT"), nullptr);  // narkasa's native name
  EXPECT_EQ(engine_.find("btse", "BTC-TRY"), nullptr);
  EXPECT_EQ(engine_.find("nope", "BTC-USDT"), nullptr);
  EXPECT_EQ(engine_.find("btse", "BTC_USDT"), nullptr);
}

TEST_F(engine_names, ConsolidatedByCanonicalOrAnyVenuesNativeName) {
  const ConsolidatedState* c = &cons("BTC-USDT");
  EXPECT_EQ(engine_.find_consolidated("btc-usdt"), c);
  EXPECT_EQ(engine_.find_consolidated("btcusdt"), c);  // narkasa's native name
  EXPECT_EQ(engine_.find_consolidated("BTCTRY")->symbol, "BTC-TRY");
  EXPECT_EQ(engine_.find_consolidated("XRP-USDT"), nullptr);
}

TEST_F(engine_names, NativeNameNeverShadowsACanonicalOne) {
  // A venue whose native name for one pair spells another pair's canonical name.
  add_feed("odd", {make_instrument("ETH-USDT", "BTC-USDT", 2, 8),
                                    make_instrument("BTC-USDT", "XBTUSDT", 2, 8)});
  EXPECT_EQ(engine_.find("odd", "btc-usdt")->info.symbol, "BTC-USDT");
  EXPECT_EQ(engine_.find("odd", "xbtusdt")->info.symbol, "BTC-USDT");
  EXPECT_EQ(engine_.find("odd", "eth-usdt")->info.native, "BTC-USDT");
}

TEST_F(engine_names, CapabilitiesByVenue) {
  VenueCapabilities quotes;
  quotes.book = false;
  quotes.trades = false;
  quotes.venue_candles = 0;
  engine_.add_feed("quotes", {}, quotes);
  ASSERT_NE(engine_.capabilities("quotes"), nullptr);
  EXPECT_FALSE(engine_.capabilities("quotes")->book);
  EXPECT_TRUE(engine_.capabilities("btse")->book);  // registered without: everything
  EXPECT_EQ(engine_.capabilities("nope"), nullptr);
  EXPECT_EQ(engine_.feed_capabilities(3).describe(), "bbo and ticker");
}

TEST(VenueCapabilities, DescribeNamesWhatTheVenueProvides) {
  VenueCapabilities all;
  EXPECT_EQ(all.describe(), "book, book<N>, bbo, trades, ticker and candles.<interval>");
  VenueCapabilities c;
  c.venue_candles = VenueCapabilities::candle_bit(CandleInterval::m1);
  EXPECT_EQ(c.describe_venue_candles(), "1m");
  EXPECT_TRUE(c.candles(CandleInterval::h1));  // built from trades
  EXPECT_FALSE(c.venue_candle(CandleInterval::m5));
  c.venue_candles |= VenueCapabilities::candle_bit(CandleInterval::d1);
  EXPECT_EQ(c.describe_venue_candles(), "1m and 1d");
  c.trades = false;
  c.book = false;
  EXPECT_FALSE(c.candles(CandleInterval::h1));
  EXPECT_TRUE(c.candles(CandleInterval::d1));
  EXPECT_EQ(c.describe(), "bbo, ticker and candles at 1m and 1d");
  c.venue_candles = 0;
  EXPECT_EQ(c.describe_venue_candles(), "no");
}

}  // namespace
}  // namespace mdhub::test
