// BTSE: every input through the websocket parser and each REST parser.
#include "feeds/btse/btse.hpp"
#include "feeds/btse/parse.hpp"
#include "fuzz/check.hpp"

using namespace mdhub;

namespace {

InstrumentTable make_table() {
  InstrumentTable t;
  t.add(Instrument{"btse", "BTC-USD", "BTC-USD", "BTC", "USD"});
  t.add(Instrument{"btse", "ETH-USD", "ETH-USD", "ETH", "USD"});
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static json::Reader rd;
  static const InstrumentTable tab = make_table();
  static ParseOut out;
  static std::vector<Instrument> inst;
  constexpr RecvTime t{1680750154500'000'000, 7};
  const std::string_view s = fuzz::text(data, size);
  const size_t n = tab.size();
  out.clear();
  out.events.resize(1);  // the caller's events survive an error
  fuzz::check_parse(out, n, [&] { return btse::parse_ws(rd, s, tab, t, out); });
  fuzz::check_parse(out, n, [&] { return btse::parse_market_summary(rd, s, tab, t, out); });
  fuzz::check_parse(out, n, [&] { return btse::parse_rest_l2(rd, s, tab, 0, t, out); });
  fuzz::check_parse(out, n, [&] { return btse::parse_rest_trades(rd, s, tab, 1, t, out); });
  fuzz::check_parse(out, n, [&] { return btse::parse_ohlcv(rd, s, tab, 0, CandleInterval::m1, t, out); });
  fuzz::check_parse(out, n, [&] { return btse::parse_price(rd, s, tab, t, out); });
  fuzz::check_parse(out, n, [&] { return btse::parse_public_orderbook(rd, s, tab, 1, t, out); });
  fuzz::check_discovery(inst, [&](std::string& e) { return btse::parse_instruments(rd, s, inst, e); });
  int64_t epoch = 0;
  std::string err;
  if (btse::parse_time(rd, s, epoch, err) == ParseStatus::error) fuzz::require(!err.empty(), "time error has a message");
  VenueConfig cfg = fuzz::feed_config("btse", "https://api.btse.com/spot", "wss://ws.btse.com/ws/spot");
  cfg.urls["oss_url"] = "wss://ws.btse.com/ws/oss/spot";
  fuzz::check_feed(*btse::make_feed(cfg), tab, s, t, out);
  return 0;
}
