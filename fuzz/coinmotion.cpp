// Coinmotion: every input through the rates parser (both quote mappings) and discovery.
#include "feeds/coinmotion/coinmotion.hpp"
#include "feeds/coinmotion/parse.hpp"
#include "fuzz/check.hpp"

using namespace mdhub;

namespace {

Instrument pair(const char* native, const char* base, const char* quote) {
  return Instrument{"coinmotion", std::string(base) + "-" + quote, native, base, quote};
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzz::Venue v{pair("btcEur", "BTC", "EUR"), pair("ethEur", "ETH", "EUR"), pair("ltc", "LTC", "EUR")};
  constexpr RecvTime t{1700000000123456789, 42};
  const std::string_view s = fuzz::text(data, size);
  coinmotion::RatesOptions plain, swapped;
  swapped.buy_is_bid = false;
  swapped.order_quotes = false;
  v.begin();
  fuzz::check_parse(v.out, v.table.size(),
                    [&] { return coinmotion::parse_rates(v.reader, s, v.table, plain, t, v.out); });
  fuzz::check_parse(v.out, v.table.size(),
                    [&] { return coinmotion::parse_rates(v.reader, s, v.table, swapped, t, v.out); });
  fuzz::check_discovery(
      v.discovered, [&](std::string& e) { return coinmotion::parse_rate_pairs(v.reader, s, "EUR", v.discovered, e); });
  VenueConfig cfg = fuzz::feed_config("coinmotion", "https://api.coinmotion.com", "");
  fuzz::check_feed(*coinmotion::make_feed(cfg), v.table, s, t, v.out);
  return 0;
}
