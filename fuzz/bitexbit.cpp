// bitexbit: every input through each REST parser.
#include "feeds/bitexbit/bitexbit.hpp"
#include "feeds/bitexbit/parse.hpp"
#include "fuzz/check.hpp"

using namespace mdhub;

namespace {

Instrument pair(const char* base, const char* quote, int price_scale, int qty_scale) {
  return Instrument{"bitexbit", std::string(base) + "-" + quote, std::string(base) + "_" + quote, base, quote,
                    price_scale, qty_scale};
}

InstrumentTable make_table() {
  InstrumentTable t;
  t.add(pair("BTC", "USD", 3, 6));
  t.add(pair("ETH", "USD", 2, 4));
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
  const size_t n = tab.size();
  out.clear();
  out.events.resize(1);  // the caller's events survive an error
  fuzz::check_parse(out, n, [&] { return bitexbit::parse_tickers(rd, s, tab, true, true, t, out); });
  fuzz::check_parse(out, n, [&] { return bitexbit::parse_depth(rd, s, tab, 0, t, out); });
  bitexbit::TradesPage page;
  fuzz::check_parse(out, n, [&] { return bitexbit::parse_trades(rd, s, tab, 1, kNone, t, out, page); });
  fuzz::check_parse(out, n, [&] { return bitexbit::parse_trades(rd, s, tab, 0, 100, t, out, page); });
  fuzz::check_parse(out, n, [&] {
    return bitexbit::parse_ohlcv(rd, s, tab, 0, CandleInterval::m5, bitexbit::TimeUnit::automatic, t, out);
  });
  fuzz::check_parse(out, n, [&] {
    return bitexbit::parse_ohlcv(rd, s, tab, 1, CandleInterval::h1, bitexbit::TimeUnit::millis, t, out);
  });
  fuzz::check_discovery(inst, [&](std::string& e) { return bitexbit::parse_pairs(rd, s, inst, e); });
  for (const auto& i : inst) {
    fuzz::require(i.price_scale >= bitexbit::kMinPairScale && i.price_scale <= bitexbit::kMaxPairScale &&
                      i.qty_scale >= bitexbit::kMinPairScale && i.qty_scale <= bitexbit::kMaxPairScale,
                  "pair scales are clamped");
  }
  VenueConfig cfg = fuzz::feed_config("bitexbit", "https://bitexbit.com/api/v2/public", "");
  fuzz::check_feed(*bitexbit::make_feed(cfg), tab, s, t, out);
  return 0;
}
