#pragma once
// BTSE spot (venue id `btse`): sequenced incremental order book (`update:`) and L1
// (`snapshotL1:`) on the order-book socket, trades (`tradeHistoryApi:`) on the general
// socket, REST polling of market_summary (tickers) and ohlcv (candles), REST L2 and trades as
// optional fallback. Options are declared in options.hpp.
#include <memory>

#include "feeds/common/venue.hpp"

namespace mdhub::btse {

/// Creates the BTSE feed for `cfg` (reads cfg.ws_url, cfg.urls["oss_url"], cfg.channels,
/// cfg.options). The returned feed is not thread-safe (one owner, like every VenueFeed).
std::unique_ptr<VenueFeed> make_feed(const VenueConfig& cfg);

}  // namespace mdhub::btse
