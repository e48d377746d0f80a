// coinmotion feed. Options: feeds/coinmotion/options.hpp.
// The ticker carries bid/ask/high/low as given; the BBO carries bid/ask with no sizes.
#include "feeds/coinmotion/feed.hpp"

#include <algorithm>

#include "feeds/coinmotion/coinmotion.hpp"
#include "feeds/coinmotion/options.hpp"

namespace mdhub::coinmotion {

CoinmotionFeed::CoinmotionFeed(const VenueConfig& cfg) {
  opt_.default_quote = cfg.str_option(opt::default_quote);
  opt_.buy_is_bid = cfg.bool_option(opt::buy_is_bid);
  opt_.order_quotes = cfg.bool_option(opt::order_quotes);
  opt_.ticker = cfg.channel_enabled("ticker");
  opt_.bbo = cfg.channel_enabled("bbo");
  every_ = opt_.ticker || opt_.bbo ? Millis(cfg.int_option(opt::rates_poll_ms))
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

ParseStatus CoinmotionFeed::on_frame(size_t, FrameView, RecvTime, ParseOut&) {
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
