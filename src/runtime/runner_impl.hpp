#pragma once
// FeedRunner internals, shared by runner.cpp (lifecycle, discovery, payloads, state) and
// runner_io.cpp (websocket streams, polls, the REST queue). Not a public header.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <functional>
#include <optional>
#include <random>

#include "feeds/common/clock.hpp"
#include "src/runtime/backoff.hpp"
#include "src/runtime/http_client.hpp"
#include "src/runtime/rate_limiter.hpp"
#include "src/runtime/runner.hpp"
#include "src/runtime/tls_context.hpp"
#include "src/runtime/url.hpp"
#include "src/runtime/ws_client.hpp"

namespace mdhub {

namespace net = boost::asio;


struct FeedRunner::Impl : std::enable_shared_from_this<FeedRunner::Impl> {
  using RestDone = std::function<void(HttpResult)>;

  struct StreamSlot {
    StreamSlot(net::io_context& io, StreamPlan p, Backoff b) : plan(std::move(p)), backoff(b), timer(io) {}
    StreamPlan plan;
    std::optional<Url> url;
    std::string url_error;
    std::shared_ptr<WsConnection> conn;
    bool open = false;
    int failures = 0;  ///< consecutive failed attempts
    Backoff backoff;
    net::steady_timer timer;
    int64_t opened_mono_ns = 0;
    uint64_t gen = 0;  ///< identifies the current connection in its callbacks
  };

  struct PollSlot {
    PollSlot(net::io_context& io, PollPlan p, Backoff b) : plan(std::move(p)), backoff(b), timer(io) {}
    PollPlan plan;
    Backoff backoff;
    net::steady_timer timer;
    bool in_flight = false;  ///< queued or on the wire
    bool rerun = false;      ///< a resync asked for a run while one was in flight
  };

  struct RestRequest {
    std::string target;
    RestDone done;
    bool waited = false;        ///< already counted in rate_waits
    int64_t wait_since_ns = 0;  ///< when the token bucket first refused it (monotonic)
  };

  Impl(net::io_context& io, size_t index, VenueConfig cfg, std::unique_ptr<VenueFeed> feed, FeedSink& sink);

  // Lifecycle and state (runner.cpp).
  void start();
  void stop(bool notify);
  void do_discovery();
  void arm_relist();
  void relist();
  /// A discovery answer that cannot be used: a failed discovery, or a failed re-listing
  /// (which changes nothing but the last error).
  void discovery_unusable(const std::string& why, bool log = true);
  void discovery_get(const std::string& target);
  void on_discovery(HttpResult r);
  static constexpr size_t kMaxDiscoveryPages = 100;
  void discovery_failed(const std::string& why, bool log = true);
  void begin_plans();
  void update_state();
  void set_state(FeedState st);
  /// `payload` carries the room past it a websocket frame's buffer has (see FrameView).
  void handle_payload(RawKind kind, size_t index, FrameView payload, RecvTime t);
  void parse_and_apply(RawKind kind, size_t index, FrameView payload, RecvTime t);
  void do_resync(uint32_t instrument);
  void note_error(std::string msg);

  /// Runs `f` (a call into the VenueFeed or the sink with its results). An exception is
  /// counted, logged once per burst and restarts this feed; it never reaches the io_context,
  /// so other feeds are untouched. False when `f` threw: the caller must stop at once.
  template <class F>
  bool contain(std::string_view where, F&& f) {
    try {
      f();
      return true;
    } catch (const std::exception& e) {
      on_exception(where, e.what());
    } catch (...) {
      on_exception(where, "unknown exception");
    }
    return false;
  }
  void on_exception(std::string_view where, std::string_view what);
  /// Drops every connection, poll and request of the feed, then discovers it again after a
  /// backoff (the reconnect path): the feed starts over from a clean state.
  void restart();
  TlsContextPtr tls();
  std::chrono::milliseconds random_ms(int64_t lo, int64_t hi);
  Backoff make_backoff();

  // Streams, polls, REST (runner_io.cpp).
  void connect_stream(size_t i);
  void on_stream_open(size_t i, uint64_t gen);
  void on_stream_closed(size_t i, uint64_t gen, WsError e, const std::string& msg);
  void schedule_reconnect(size_t i);
  void start_polls();
  void schedule_poll(size_t i, std::chrono::milliseconds delay);
  void poll_due(size_t i);
  void launch_poll(size_t i);
  void run_poll_now(size_t i);
  void on_poll_done(size_t i, HttpResult r);
  void rest_get(std::string target, RestDone done);
  void rest_pump();
  void on_rest_done(const std::string& target, int64_t sent_mono_ns, HttpResult r, const RestDone& done);

  // Book audits (runner_audit.cpp): one instrument at a time, round robin, so that each book
  // is checked once per audit_interval_ms and at most one audit request is ever queued.
  void start_audits();
  void audit_due();
  void on_audit(uint32_t instrument, HttpResult r);

  /// Wraps a handler so it runs only while this Impl is alive and not stopped: handlers
  /// hold a weak reference, so a destroyed runner is never touched.
  /// A restart() retires every handler created before it (their stream and poll indices
  /// refer to plans that are gone).
  template <class F>
  auto guarded(F f) {
    return [w = weak_from_this(), f = std::move(f), epoch = epoch_](auto&&... args) mutable {
      auto self = w.lock();
      if (!self || self->stopped_ || self->epoch_ != epoch) return;
      f(*self, std::forward<decltype(args)>(args)...);
    };
  }

  net::io_context& io_;
  const size_t index_;
  const VenueConfig cfg_;
  std::unique_ptr<VenueFeed> feed_;
  FeedSink& sink_;

  // Knobs (see runner.hpp).
  std::chrono::milliseconds rest_timeout_, connect_timeout_, backoff_base_, backoff_cap_, backoff_reset_;
  int down_after_;

  FeedStats stats_;
  std::vector<StreamStats> stream_stats_;
  InstrumentTable table_;
  std::mt19937_64 rng_;
  bool started_ = false, stopped_ = false, discovered_ = false;
  bool failed_ = false;        ///< an exception escaped the feed: restart pending
  uint64_t epoch_ = 0;         ///< bumped by restart(); see guarded()
  Backoff restart_backoff_;
  int64_t last_restart_mono_ns_ = 0;
  int64_t exception_log_mono_ns_ = 0;  ///< start of the current logged burst
  uint64_t exceptions_unlogged_ = 0;

  TlsContextPtr tls_;
  std::string tls_error_;

  Backoff discovery_backoff_;
  std::vector<Instrument> listed_;  // instruments of the discovery pages read so far
  size_t discovery_pages_ = 0;
  net::steady_timer discovery_timer_;
  std::chrono::milliseconds relist_interval_;  ///< discovery_interval_ms; 0 = never
  net::steady_timer relist_timer_;
  bool relisting_ = false;  ///< the discovery answers in flight re-read a running feed's listing

  std::vector<std::unique_ptr<StreamSlot>> streams_;
  std::vector<std::unique_ptr<PollSlot>> polls_;
  bool any_poll_ok_ = false;
  int rest_fail_streak_ = 0;

  std::optional<Url> rest_url_;
  std::unique_ptr<HttpClient> http_;
  TokenBucket bucket_;
  std::deque<RestRequest> rest_queue_;
  bool rest_busy_ = false;
  net::steady_timer rest_timer_;
  int64_t paused_until_mono_ns_ = 0;
  Backoff rate_backoff_;  ///< pause after a 429 without a usable Retry-After

  ParseOut out_;
  std::vector<uint32_t> resync_;

  std::chrono::milliseconds audit_interval_;  ///< 0: no audits
  net::steady_timer audit_timer_;
  uint32_t audit_next_ = 0;      ///< the instrument the next audit looks at
  bool audit_in_flight_ = false;
  ParseOut audit_out_;
};

}  // namespace mdhub
