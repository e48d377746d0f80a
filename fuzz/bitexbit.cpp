// bitexbit: every input through each REST parser.
#include "feeds/bitexbit/bitexbit.hpp"
#include "feeds/bitexbit/parse.hpp"
#include "fuzz/check.hpp"

using namespace mdhub;

namespace {

Instrument pair(const char* base, const char* quote, int price_scale, int qty_scale) {
  return Instrument{
      "bitexbit", std::string(base) + "-" + quote, std::string(base) + "_" + quote, base, quote, price_scale,
      qty_scale};
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzz::Venue v{pair("BTC", "USD", 3, 6), pair("ETH", "USD", 2, 4)};
  constexpr RecvTime t{1700000000123456789, 42};
  const std::string_view s = fuzz::text(data, size);
  const size_t n = v.table.size();
  v.begin();
  fuzz::check_parse(v.out, n, [&] { return bitexbit::parse_tickers(v.reader, s, v.table, true, true, t, v.out); });
  fuzz::check_parse(v.out, n, [&] { return bitexbit::parse_depth(v.reader, s, v.table, 0, t, v.out); });
  bitexbit::TradesPage page;
  fuzz::check_parse(v.out, n, [&] { return bitexbit::parse_trades(v.reader, s, v.table, 1, kNone, t, v.out, page); });
  fuzz::check_parse(v.out, n, [&] { return bitexbit::parse_trades(v.reader, s, v.table, 0, 100, t, v.out, page); });
  fuzz::check_parse(v.out, n, [&] {
    return bitexbit::parse_ohlcv(v.reader, s, v.table, 0, CandleInterval::m5, bitexbit::TimeUnit::automatic, t, v.out);
  });
  fuzz::check_parse(v.out, n, [&] {
    return bitexbit::parse_ohlcv(v.reader, s, v.table, 1, CandleInterval::h1, bitexbit::TimeUnit::millis, t, v.out);
  });
  fuzz::check_discovery(v.discovered,
                        [&](std::string& e) { return bitexbit::parse_pairs(v.reader, s, v.discovered, e); });
  for (const auto& i : v.discovered) {
    fuzz::require(i.price_scale >= bitexbit::kMinPairScale && i.price_scale <= bitexbit::kMaxPairScale &&
                      i.qty_scale >= bitexbit::kMinPairScale && i.qty_scale <= bitexbit::kMaxPairScale,
                  "pair scales are clamped");
  }
  VenueConfig cfg = fuzz::feed_config("bitexbit", "https://bitexbit.com/api/v2/public", "");
  fuzz::check_feed(*bitexbit::make_feed(cfg), v.table, s, t, v.out);
  return 0;
}
