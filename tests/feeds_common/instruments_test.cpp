// Config symbols select instruments by the same naming rule as every other interface: the
// canonical or the native name, in any case.
#include <gtest/gtest.h>

#include "feeds/common/instrument_select.hpp"

namespace mdhub {
namespace {

Instrument inst(std::string symbol, std::string native) {
  Instrument i;
  i.venue = "narkasa";
  i.base = symbol.substr(0, symbol.find('-'));
  i.quote = symbol.substr(symbol.find('-') + 1);
  i.symbol = std::move(symbol);
  i.native = std::move(native);
  return i;
}

std::vector<Instrument> listing() {
  return {inst("BTC-TRY", "BTCTRY"), inst("ETH-TRY", "ETHTRY"), inst("BTC-USDT", "BTCUSDT"), inst("XRP-TRY", "XRPTRY")};
}

TEST(InstrumentNames, CanonicalOrNativeInAnyCase) {
  const Instrument i = inst("BTC-TRY", "BTCTRY");
  for (const char* name : {"BTC-TRY", "btc-try", "Btc-Try", "BTCTRY", "btctry"}) EXPECT_TRUE(names_instrument(i, name)) << name;
  for (const char* name : {"BTC_TRY", "BTC-TR", "ETH-TRY", ""}) EXPECT_FALSE(names_instrument(i, name)) << name;
  EXPECT_EQ(symbol_key("btcEur"), "BTCEUR");
}

TEST(InstrumentNames, ConfigSymbolsSelectByEitherNameInAnyCase) {
  const auto sel = select_instruments(listing(), {"btc-try", "ethtry", "BtcUsdt", "DOGE-TRY"});
  ASSERT_EQ(sel.table.size(), 3u);
  EXPECT_EQ(sel.table[0].symbol, "BTC-TRY");  // listing order
  EXPECT_EQ(sel.table[1].symbol, "ETH-TRY");
  EXPECT_EQ(sel.table[2].symbol, "BTC-USDT");
  EXPECT_EQ(sel.missing, std::vector<std::string>{"DOGE-TRY"});
}

TEST(InstrumentNames, NoSymbolsSelectsEverything) {
  const auto sel = select_instruments(listing(), {});
  EXPECT_EQ(sel.table.size(), 4u);
  EXPECT_TRUE(sel.missing.empty());
}

}  // namespace
}  // namespace mdhub

namespace mdhub {
namespace {

TEST(InstrumentListing, ListedNamesTheCanonicalWay) {
  const Instrument i = listed("narkasa", "1INCHUSDT", "1inch", "usdt");
  EXPECT_EQ(i.venue, "narkasa");
  EXPECT_EQ(i.native, "1INCHUSDT");
  EXPECT_EQ(i.base, "1inch");
  EXPECT_EQ(i.quote, "usdt");
  EXPECT_EQ(i.symbol, "1INCH-USDT");
  EXPECT_EQ(i.price_scale, kDefaultPriceScale);
  EXPECT_EQ(i.tick, 0);
}

TEST(InstrumentListing, AnIdOutsideTheTableIsWorded) {
  InstrumentTable table;
  table.add(listed("btse", "BTC-USDT", "BTC", "USDT"));
  std::string err;
  EXPECT_FALSE(bad_instrument(table, 0, err));
  EXPECT_EQ(err, "");
  EXPECT_TRUE(bad_instrument(table, 1, err));
  EXPECT_EQ(err, "instrument id out of range");
}

}  // namespace
}  // namespace mdhub
