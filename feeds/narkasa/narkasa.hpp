#pragma once
// Narkasa (venue id `narkasa`): websocket pushes for ticker/allTickers, candles, orderBook
// (L1), depth (L2) and trade, with REST polling of the /market/* endpoints as fallback and
// for per-instrument book resync. Options are documented at the top of feed.cpp.
#include <memory>

#include "feeds/common/venue.hpp"

namespace mdhub::narkasa {

/// Creates the Narkasa feed for `cfg` (reads cfg.ws_url, cfg.channels, cfg.options).
/// The returned feed is not thread-safe (one owner, like every VenueFeed).
std::unique_ptr<VenueFeed> make_feed(const VenueConfig& cfg);

}  // namespace mdhub::narkasa
