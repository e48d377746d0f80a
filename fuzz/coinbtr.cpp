// CoinBTR (Tauros): every input through the websocket parser and each REST parser.
#include "feeds/coinbtr/coinbtr.hpp"
#include "feeds/coinbtr/parse.hpp"
#include "fuzz/check.hpp"

using namespace mdhub;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzz::Venue v{Instrument{"coinbtr", "BTC-MXN", "BTC-MXN", "BTC", "MXN"},
                       Instrument{"coinbtr", "ETH-MXN", "ETH-MXN", "ETH", "MXN"}};
  constexpr RecvTime t{1700000000123456789, 42};
  const std::string_view s = fuzz::text(data, size);
  const size_t n = v.table.size();
  coinbtr::ParseOptions opt;
  opt.bbo = true;
  opt.variation = coinbtr::VariationUnit::ratio;
  opt.rest_book_levels = 3;
  v.begin();
  fuzz::check_parse(v.out, n, [&] { return coinbtr::parse_ws_frame(v.reader, s, v.table, opt, t, v.out); });
  fuzz::check_parse(v.out, n, [&] { return coinbtr::parse_rest_tickers(v.reader, s, v.table, t, v.out); });
  fuzz::check_parse(v.out, n, [&] { return coinbtr::parse_rest_orderbook(v.reader, s, v.table, 1, opt, t, v.out); });
  fuzz::check_parse(v.out, n, [&] { return coinbtr::parse_rest_trades(v.reader, s, v.table, 0, t, v.out); });
  fuzz::check_discovery(v.discovered,
                        [&](std::string& e) { return coinbtr::parse_markets(v.reader, s, v.discovered, e); });
  VenueConfig cfg = fuzz::feed_config("coinbtr", "https://api.tauros.io/api", "wss://wsv2.tauros.io");
  fuzz::check_feed(*coinbtr::make_feed(cfg), v.table, s, t, v.out);
  return 0;
}
