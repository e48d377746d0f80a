// Narkasa: every input through the websocket parser (both depth modes) and each REST parser.
#include "feeds/narkasa/narkasa.hpp"
#include "feeds/narkasa/parse.hpp"
#include "fuzz/check.hpp"

using namespace mdhub;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzz::Venue v{Instrument{"narkasa", "BTC-TRY", "BTCTRY", "BTC", "TRY"},
                       Instrument{"narkasa", "ETH-TRY", "ETHTRY", "ETH", "TRY"}};
  constexpr RecvTime t{1588010323500'000'000, 42};
  const std::string_view s = fuzz::text(data, size);
  const size_t n = v.table.size();
  narkasa::WsParseOptions snap, delta;
  delta.depth_mode = narkasa::DepthMode::delta;
  delta.trade_type_0_is_sell = false;
  v.begin();
  fuzz::check_parse(v.out, n, [&] { return narkasa::parse_ws(v.reader, s, v.table, t, snap, v.out); });
  fuzz::check_parse(v.out, n, [&] { return narkasa::parse_ws(v.reader, s, v.table, t, delta, v.out); });
  fuzz::check_parse(v.out, n, [&] { return narkasa::parse_tickers(v.reader, s, v.table, t, v.out); });
  fuzz::check_parse(v.out, n, [&] { return narkasa::parse_24h(v.reader, s, v.table, t, v.out); });
  fuzz::check_parse(v.out, n, [&] { return narkasa::parse_rest_depth(v.reader, s, v.table, 0, t, v.out); });
  fuzz::check_parse(v.out, n, [&] { return narkasa::parse_rest_orderbook(v.reader, s, v.table, 1, t, v.out); });
  fuzz::check_parse(v.out, n, [&] { return narkasa::parse_rest_trades(v.reader, s, v.table, 0, true, t, v.out); });
  fuzz::check_parse(v.out, n,
                    [&] { return narkasa::parse_rest_candles(v.reader, s, v.table, 1, CandleInterval::m5, t, v.out); });
  fuzz::check_discovery(v.discovered,
                        [&](std::string& e) { return narkasa::parse_markets(v.reader, s, v.discovered, e); });
  std::string err;
  if (narkasa::parse_ping(v.reader, s, err) == ParseStatus::error)
    fuzz::require(!err.empty(), "ping error has a message");
  int64_t ms = 0;
  err.clear();
  if (narkasa::parse_time(v.reader, s, ms, err) == ParseStatus::error)
    fuzz::require(!err.empty(), "time error has a message");
  VenueConfig cfg = fuzz::feed_config("narkasa", "https://api.narkasa.com/v3/api", "wss://api.narkasa.com/v3");
  fuzz::check_feed(*narkasa::make_feed(cfg), v.table, s, t, v.out);
  return 0;
}
