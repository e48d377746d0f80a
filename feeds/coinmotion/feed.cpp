// coinmotion feed. Options ([venues.coinmotion.options], all strings):
//   rates_poll_ms  15000  /v2/rates period (quotes change slowly; the venue is a broker)
//   default_quote  EUR    quote currency of pairs without baseCurrencyCode (keys like `btc`)
//   buy_is_bid     true   bid = `buy`, ask = `sell` (false: the other way round)
//   order_quotes   true   then, if bid > ask, swap them: bid = min, ask = max
// The ticker carries bid/ask/high/low as given; the BBO carries bid/ask with no sizes.
#include "feeds/coinmotion/feed.hpp"

#include <algorithm>

#include "feeds/coinmotion/coinmotion.hpp"

namespace mdhub::coinmotion {

CoinmotionFeed::CoinmotionFeed(const VenueConfig& cfg) {
  opt_.default_quote = cfg.option("default_quote", "EUR");
  opt_.buy_is_bid = cfg.option_bool("buy_is_bid", true);
  opt_.order_quotes = cfg.option_bool("order_quotes", true);
  opt_.ticker = cfg.channel_enabled("ticker");
  opt_.bbo = cfg.channel_enabled("bbo");
  every_ = opt_.ticker || opt_.bbo ? Millis(std::max<int64_t>(0, cfg.option_int("rates_poll_ms", 15000)))
                                   : Millis(0);
}

ParseStatus CoinmotionFeed::parse_discovery(std::string_view body, std::vector<Instrument>& out,
                                            std::string& error) {
  return parse_rate_pairs(reader_, body, opt_.default_quote, out, error);
}

void CoinmotionFeed::start(const InstrumentTable& table) {
  table_ = table;
  started_ = true;
}

std::vector<PollPlan> CoinmotionFeed::polls() { return {{"rates", every_}}; }

ParseStatus CoinmotionFeed::on_frame(size_t, std::string_view, RecvTime, ParseOut&) {
  return ParseStatus::ignored;  // no websocket
}

ParseStatus CoinmotionFeed::on_poll(size_t index, std::string_view body, RecvTime t, ParseOut& out) {
  if (!started_ || index != 0) {
    out.error = started_ ? "unknown poll" : "feed not started";
    return ParseStatus::error;
  }
  return parse_rates(reader_, body, table_, opt_, t, out);
}

ResyncAction CoinmotionFeed::resync(uint32_t) {
  ResyncAction a;
  a.poll = 0;
  return a;
}

std::unique_ptr<VenueFeed> make_feed(const VenueConfig& cfg) {
  return std::make_unique<CoinmotionFeed>(cfg);
}

}  // namespace mdhub::coinmotion
