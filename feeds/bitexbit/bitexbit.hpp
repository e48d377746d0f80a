#pragma once
// bitexbit: REST API v2 polling (`/api/v2/public`). See feed.hpp for the feed and options.
#include <memory>

#include "feeds/common/venue.hpp"

namespace mdhub::bitexbit {

/// Creates the bitexbit VenueFeed for `cfg` (venue id `bitexbit`).
std::unique_ptr<VenueFeed> make_feed(const VenueConfig& cfg);

}  // namespace mdhub::bitexbit
