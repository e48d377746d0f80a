#pragma once
// The REST API (DESIGN.md "HTTP API"): health, readiness, feeds, instruments, books,
// tickers, trades and candles, served from the engine's state on the network thread.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/common/pipeline_latency.hpp"
#include "feeds/common/sink.hpp"
#include "src/engine/engine.hpp"
#include "src/net/server.hpp"

namespace mdhub {

namespace net {
class Offload;
}

struct FeedView {
  const VenueConfig* config;
  const FeedStats* stats;
};

/// The recorder as /readyz and /api/v1/feeds show it.
struct RecorderView {
  bool healthy = true;  ///< false from an I/O error until a new segment opens
  uint64_t records_written = 0, dropped = 0, lost = 0, errors = 0, segments = 0, segments_deleted = 0;
  std::string last_error;
};

/// The answers of every /api route: a JSON body, or `{"error":{"code","message"}}`.
net::HttpResponse api_json(unsigned status, std::string body);
net::HttpResponse api_error(unsigned status, std::string_view code, std::string_view message);
/// A route that answers GET and HEAD with `answer`, anything else with 405 method_not_allowed.
net::HttpHandler api_get_only(std::function<net::HttpResponse(const net::HttpRequest&)> answer);

/// Registers the API routes on `server`. `feeds()` lists the configured feeds in feed-index
/// order; `recorder()`, when given, says how the recording goes (nullopt: not recording);
/// `latency`, when given, the per-feed stage latencies /api/v1/feeds shows (else `null`).
/// They and `engine` must outlive the server. With `offload`, a book answer costs the network
/// thread a copy of the levels it shows; the offload's worker renders the JSON (and answers
/// 503 `overloaded` when too many wait); `offload` must outlive the server.
void install_http_api(net::Server& server, const Engine& engine, std::function<std::vector<FeedView>()> feeds,
                      std::function<std::optional<RecorderView>()> recorder = {},
                      const PipelineLatency* latency = nullptr, net::Offload* offload = nullptr);

}  // namespace mdhub
