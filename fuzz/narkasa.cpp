// Narkasa: every input through the websocket parser (both depth modes) and each REST parser.
#include "feeds/narkasa/narkasa.hpp"
#include "feeds/narkasa/parse.hpp"
#include "fuzz/check.hpp"

using namespace mdhub;

namespace {

InstrumentTable make_table() {
  InstrumentTable t;
  t.add(Instrument{"narkasa", "BTC-TRY", "BTCTRY", "BTC", "TRY"});
  t.add(Instrument{"narkasa", "ETH-TRY", "ETHTRY", "ETH", "TRY"});
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static json::Reader rd;
  static const InstrumentTable tab = make_table();
  static ParseOut out;
  static std::vector<Instrument> inst;
  constexpr RecvTime t{1588010323500'000'000, 42};
  const std::string_view s = fuzz::text(data, size);
  const size_t n = tab.size();
  narkasa::WsParseOptions snap, delta;
  delta.depth_mode = narkasa::DepthMode::delta;
  delta.trade_type_0_is_sell = false;
  out.clear();
  out.events.resize(1);  // the caller's events survive an error
  fuzz::check_parse(out, n, [&] { return narkasa::parse_ws(rd, s, tab, t, snap, out); });
  fuzz::check_parse(out, n, [&] { return narkasa::parse_ws(rd, s, tab, t, delta, out); });
  fuzz::check_parse(out, n, [&] { return narkasa::parse_tickers(rd, s, tab, t, out); });
  fuzz::check_parse(out, n, [&] { return narkasa::parse_24h(rd, s, tab, t, out); });
  fuzz::check_parse(out, n, [&] { return narkasa::parse_rest_depth(rd, s, tab, 0, t, out); });
  fuzz::check_parse(out, n, [&] { return narkasa::parse_rest_orderbook(rd, s, tab, 1, t, out); });
  fuzz::check_parse(out, n, [&] { return narkasa::parse_rest_trades(rd, s, tab, 0, true, t, out); });
  fuzz::check_parse(out, n, [&] { return narkasa::parse_rest_candles(rd, s, tab, 1, CandleInterval::m5, t, out); });
  fuzz::check_discovery(inst, [&](std::string& e) { return narkasa::parse_markets(rd, s, inst, e); });
  std::string err;
  if (narkasa::parse_ping(rd, s, err) == ParseStatus::error) fuzz::require(!err.empty(), "ping error has a message");
  int64_t ms = 0;
  err.clear();
  if (narkasa::parse_time(rd, s, ms, err) == ParseStatus::error) fuzz::require(!err.empty(), "time error has a message");
  VenueConfig cfg = fuzz::feed_config("narkasa", "https://api.narkasa.com/v3/api", "wss://api.narkasa.com/v3");
  fuzz::check_feed(*narkasa::make_feed(cfg), tab, s, t, out);
  return 0;
}
