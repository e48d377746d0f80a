#pragma once
// The REST API (DESIGN.md "HTTP API"): health, readiness, feeds, instruments, books,
// tickers, trades and candles, served from the engine's state on the network thread.
#include <functional>
#include <vector>

#include "feeds/common/sink.hpp"
#include "src/engine/engine.hpp"
#include "src/net/server.hpp"

namespace mdhub {

struct FeedView {
  const VenueConfig* config;
  const FeedStats* stats;
};

/// Registers the API routes on `server`. `feeds()` lists the configured feeds in feed-index
/// order; both it and `engine` must outlive the server.
void install_http_api(net::Server& server, const Engine& engine,
                      std::function<std::vector<FeedView>()> feeds);

}  // namespace mdhub
