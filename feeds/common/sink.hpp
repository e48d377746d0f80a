#pragma once
// What a feed runtime reports and to whom: the feed's state and counters, and the FeedSink
// interface that receives its instruments, parsed events and raw payloads. Pure (no
// sockets): the engine, the recorder and the replayer implement or drive it without the
// runtime.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "feeds/common/events.hpp"
#include "feeds/common/feed_stats.hpp"
#include "feeds/common/instruments.hpp"

namespace mdhub {

enum class FeedState : uint8_t { starting, discovering, connecting, live, down, stopped };
std::string_view to_string(FeedState s);

/// Where a raw payload came from; with its index, enough to feed it back to a VenueFeed.
enum class RawKind : uint8_t { discovery = 0, ws = 1, poll = 2 };

struct FeedStats {
  FeedState state = FeedState::starting;
  int64_t connected_since_wall_ns = 0;  ///< 0 while not live
  int64_t last_message_mono_ns = 0;     ///< 0 before the first message
  uint64_t reconnects = 0;
  uint64_t messages = 0;
  uint64_t bytes = 0;
  uint64_t parse_errors = 0;
  uint64_t exceptions = 0;      ///< exceptions from the venue's code or its events' handling; each restarts the feed
  uint64_t rest_requests = 0;
  uint64_t rest_errors = 0;     ///< transport errors, timeouts and non-2xx answers
  uint64_t rate_limited = 0;    ///< HTTP 429 answers
  uint64_t rate_waits = 0;      ///< requests delayed by the local token bucket
  RestStats rest;               ///< durations and outcome classes of completed requests
  uint64_t subscription_failures = 0;  ///< subscriptions the venue refused
  uint64_t relistings = 0;      ///< restarts to follow instruments listed after start
  /// Protocol variants recognised in the venue's payloads (ParseOut::detected, plus the
  /// Retry-After forms seen), by name, in the order first seen; a handful at most.
  std::vector<std::pair<std::string, uint64_t>> detected;
  std::string last_error;

  /// Counts one recognition of `name`.
  void detect(std::string_view name);
};

/// Receives everything a runner produces. Called on the runner's io_context.
class FeedSink {
 public:
  virtual ~FeedSink() = default;
  /// The feed's instruments are known (after discovery); called once per successful discovery.
  virtual void on_instruments(size_t feed, const InstrumentTable& table) = 0;
  /// Events parsed from one payload. Append to `resync` the instruments whose books failed
  /// validation; the runner resynchronises each of them (and only them).
  virtual void on_events(size_t feed, const ParseOut& out, std::vector<uint32_t>& resync) = 0;
  /// Every raw payload as received, before parsing (recorder).
  virtual void on_raw(size_t feed, RawKind kind, int index, RecvTime t, std::string_view payload) = 0;
  /// A websocket stream lost its connection: books fed by it are no longer known good.
  virtual void on_stream_down(size_t feed, int stream) = 0;
  virtual void on_state(size_t feed, FeedState state) = 0;
  /// A REST snapshot of one instrument's book, parsed (VenueFeed::parse_audit) to check the
  /// streamed book against it. Append `instrument` to `resync` when the book must be
  /// resynchronised. Sinks that keep no books ignore it.
  virtual void on_audit(size_t /*feed*/, uint32_t /*instrument*/, const ParseOut& /*snapshot*/,
                        RecvTime /*t*/, std::vector<uint32_t>& /*resync*/) {}
};

/// Per websocket stream (same index as VenueFeed::streams()), e.g. for per-channel metrics.
struct StreamStats {
  std::string name;
  bool connected = false;
  uint64_t messages = 0;
  uint64_t bytes = 0;
  uint64_t reconnects = 0;
};

}  // namespace mdhub
