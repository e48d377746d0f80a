#pragma once
// The feed runtime: drives one VenueFeed over real sockets. Discovery over REST, then the
// feed's websocket streams and REST polls, with reconnect (exponential backoff + jitter,
// capped), app-level pings, idle detection, a per-venue token bucket for REST, Retry-After
// on 429, and per-instrument resync on request. Runs entirely on the io_context it is
// given; not thread-safe. A venue that is down never blocks anything else.
//
// Runtime knobs, read from VenueConfig::options (declared in options.hpp, common_opt):
//   rest_timeout_ms (10000)     deadline of one REST request: connect, send, whole answer
//   connect_timeout_ms (10000)  websocket resolve + connect + TLS + upgrade
//   backoff_base_ms (500), backoff_cap_ms (30000)  reconnect / retry backoff
//   backoff_reset_ms (30000)    a connection up this long resets its backoff
//   down_after (3)              consecutive failures before the state turns `down`
//   audit_interval_ms (60000)   each streamed book checked against a REST snapshot this often
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "feeds/common/instruments.hpp"
#include "feeds/common/sink.hpp"
#include "feeds/common/venue.hpp"

namespace boost::asio {
class io_context;
}

namespace mdhub {

class FeedRunner {
 public:
  /// `index` identifies this feed in every FeedSink call. The sink must outlive the runner
  /// or stop() must be called first; the io_context must outlive the runner.
  FeedRunner(boost::asio::io_context& io, size_t index, VenueConfig cfg,
             std::unique_ptr<VenueFeed> feed, FeedSink& sink);
  /// Stops without calling the sink; safe with handlers still queued on the io_context.
  ~FeedRunner();
  FeedRunner(const FeedRunner&) = delete;
  FeedRunner& operator=(const FeedRunner&) = delete;

  /// Discovery, then streams and polls. Returns at once; everything runs on the io_context.
  void start();
  /// Cancels timers, closes websockets (close frame) and the HTTP connection; state
  /// `stopped`. No sink calls afterwards. A stopped runner cannot be restarted.
  void stop();
  /// Resynchronises one instrument (what the VenueFeed's resync() says to do).
  void resync(uint32_t instrument);

  const VenueConfig& config() const;
  const FeedStats& stats() const;
  /// Empty until discovery succeeded.
  const std::vector<StreamStats>& stream_stats() const;
  const InstrumentTable& instruments() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace mdhub
