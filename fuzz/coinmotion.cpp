// Coinmotion: every input through the rates parser (both quote mappings) and discovery.
#include "feeds/coinmotion/coinmotion.hpp"
#include "feeds/coinmotion/parse.hpp"
#include "fuzz/check.hpp"

using namespace mdhub;

namespace {

Instrument pair(const char* native, const char* base, const char* quote) {
  return Instrument{"coinmotion", std::string(base) + "-" + quote, native, base, quote};
}

InstrumentTable make_table() {
  InstrumentTable t;
  t.add(pair("btcEur", "BTC", "EUR"));
  t.add(pair("ethEur", "ETH", "EUR"));
  t.add(pair("ltc", "LTC", "EUR"));
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static json::Reader rd;
  static const InstrumentTable tab = make_table();
  static ParseOut out;
  static std::vector<Instrument> inst;
  constexpr RecvTime t{1700000000123456789, 42};
  const std::string_view s = fuzz::text(data, size);
  coinmotion::RatesOptions plain, swapped;
  swapped.buy_is_bid = false;
  swapped.order_quotes = false;
  out.clear();
  out.events.resize(1);  // the caller's events survive an error
  fuzz::check_parse(out, tab.size(), [&] { return coinmotion::parse_rates(rd, s, tab, plain, t, out); });
  fuzz::check_parse(out, tab.size(), [&] { return coinmotion::parse_rates(rd, s, tab, swapped, t, out); });
  fuzz::check_discovery(inst, [&](std::string& e) { return coinmotion::parse_rate_pairs(rd, s, "EUR", inst, e); });
  VenueConfig cfg = fuzz::feed_config("coinmotion", "https://api.coinmotion.com", "");
  fuzz::check_feed(*coinmotion::make_feed(cfg), tab, s, t, out);
  return 0;
}
