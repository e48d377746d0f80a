// BTSE: every input through the websocket parser and each REST parser.
#include <algorithm>
#include <vector>

#include "feeds/btse/btse.hpp"
#include "feeds/btse/parse.hpp"
#include "fuzz/check.hpp"

using namespace mdhub;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzz::Venue v{Instrument{"btse", "BTC-USD", "BTC-USD", "BTC", "USD"},
                       Instrument{"btse", "ETH-USD", "ETH-USD", "ETH", "USD"}};
  constexpr RecvTime t{1680750154500'000'000, 7};
  const std::string_view s = fuzz::text(data, size);
  const size_t n = v.table.size();
  v.begin();
  fuzz::check_parse(v.out, n, [&] { return btse::parse_ws(v.reader, s, v.table, t, v.out); });
  // The same frame where it lies, as the websocket client hands it out: an allocation of
  // exactly the text and the padding, so that ASan sees any read beyond.
  std::vector<char> padded(size + kFramePadding, '\0');
  std::copy(s.begin(), s.end(), padded.begin());
  fuzz::check_parse(v.out, n, [&] {
    return btse::parse_ws(v.reader, FrameView(std::string_view(padded.data(), size), kFramePadding), v.table, t, v.out);
  });
  fuzz::check_parse(v.out, n, [&] { return btse::parse_market_summary(v.reader, s, v.table, t, v.out); });
  fuzz::check_parse(v.out, n, [&] { return btse::parse_rest_l2(v.reader, s, v.table, 0, t, v.out); });
  fuzz::check_parse(v.out, n, [&] { return btse::parse_rest_trades(v.reader, s, v.table, 1, t, v.out); });
  fuzz::check_parse(v.out, n, [&] { return btse::parse_ohlcv(v.reader, s, v.table, 0, CandleInterval::m1, t, v.out); });
  fuzz::check_parse(v.out, n, [&] { return btse::parse_price(v.reader, s, v.table, t, v.out); });
  fuzz::check_parse(v.out, n, [&] { return btse::parse_public_orderbook(v.reader, s, v.table, 1, t, v.out); });
  fuzz::check_discovery(v.discovered,
                        [&](std::string& e) { return btse::parse_instruments(v.reader, s, v.discovered, e); });
  int64_t epoch = 0;
  std::string err;
  if (btse::parse_time(v.reader, s, epoch, err) == ParseStatus::error)
    fuzz::require(!err.empty(), "time error has a message");
  VenueConfig cfg = fuzz::feed_config("btse", "https://api.btse.com/spot", "wss://ws.btse.com/ws/spot");
  cfg.urls["oss_url"] = "wss://ws.btse.com/ws/oss/spot";
  fuzz::check_feed(*btse::make_feed(cfg), v.table, s, t, v.out);
  return 0;
}
