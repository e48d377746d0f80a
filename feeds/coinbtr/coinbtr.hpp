#pragma once
// CoinBTR, re-branded Tauros: its public API is Tauros' REST `/v2/trading/...` plus the
// `wss://wsv2.tauros.io` channels. See feed.hpp for the feed and its options.
#include <memory>

#include "feeds/common/venue.hpp"

namespace mdhub::coinbtr {

/// Creates the coinbtr VenueFeed for `cfg` (venue id `coinbtr`).
std::unique_ptr<VenueFeed> make_feed(const VenueConfig& cfg);

}  // namespace mdhub::coinbtr
