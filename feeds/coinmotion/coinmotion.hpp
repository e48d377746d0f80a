#pragma once
// Coinmotion: a broker; REST polling of `/v2/rates` quotes. See feed.hpp for the feed.
#include <memory>

#include "feeds/common/venue.hpp"

namespace mdhub::coinmotion {

/// Creates the coinmotion VenueFeed for `cfg` (venue id `coinmotion`).
std::unique_ptr<VenueFeed> make_feed(const VenueConfig& cfg);

}  // namespace mdhub::coinmotion
