// CoinBTR (Tauros): every input through the websocket parser and each REST parser.
#include "feeds/coinbtr/coinbtr.hpp"
#include "feeds/coinbtr/parse.hpp"
#include "fuzz/check.hpp"

using namespace mdhub;

namespace {

InstrumentTable make_table() {
  InstrumentTable t;
  t.add(Instrument{"coinbtr", "BTC-MXN", "BTC-MXN", "BTC", "MXN"});
  t.add(Instrument{"coinbtr", "ETH-MXN", "ETH-MXN", "ETH", "MXN"});
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
  coinbtr::ParseOptions opt;
  opt.bbo = true;
  opt.variation = coinbtr::VariationUnit::ratio;
  opt.rest_book_levels = 3;
  out.clear();
  out.events.resize(1);  // the caller's events survive an error
  fuzz::check_parse(out, n, [&] { return coinbtr::parse_ws_frame(rd, s, tab, opt, t, out); });
  fuzz::check_parse(out, n, [&] { return coinbtr::parse_rest_tickers(rd, s, tab, t, out); });
  fuzz::check_parse(out, n, [&] { return coinbtr::parse_rest_orderbook(rd, s, tab, 1, opt, t, out); });
  fuzz::check_parse(out, n, [&] { return coinbtr::parse_rest_trades(rd, s, tab, 0, t, out); });
  fuzz::check_discovery(inst, [&](std::string& e) { return coinbtr::parse_markets(rd, s, inst, e); });
  VenueConfig cfg = fuzz::feed_config("coinbtr", "https://api.tauros.io/api", "wss://wsv2.tauros.io");
  fuzz::check_feed(*coinbtr::make_feed(cfg), tab, s, t, out);
  return 0;
}
