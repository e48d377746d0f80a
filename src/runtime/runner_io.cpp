// FeedRunner: websocket streams, periodic polls and the per-venue REST queue.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>

#include "src/runtime/runner_impl.hpp"

namespace mdhub {

namespace {
// Requests waiting for the venue's connection: discovery plus one per poll fits easily.
constexpr size_t kRestQueueLimit = 256;
// A 429 pauses every REST poll of the venue, so the pause is bounded: a Retry-After read
// wrongly (a unit mix-up, clocks apart, a far-future date) must not silence a venue for
// long. At worst the next request after 60 s meets another 429 and waits again - one
// request a minute costs nothing, while a venue's own blocks (BTSE: 1 s, 5 min, 15 min)
// are honoured in 60 s steps. The floor keeps a "retry now" from hammering.
constexpr std::chrono::seconds kMinRetryAfter{1};
constexpr std::chrono::seconds kMaxRetryAfter{60};

int64_t to_ns(std::chrono::nanoseconds d) { return static_cast<int64_t>(d.count()); }
}  // namespace

// ---- Streams ----

void FeedRunner::Impl::connect_stream(size_t i) {
  auto& s = *streams_[i];
  if (!s.url) {
    // A malformed URL will not get better by retrying: report it and stay down.
    note_error(s.url_error);
    s.failures = down_after_;
    return update_state();
  }
  WsOptions o;
  o.url = *s.url;
  if (o.url.tls && !(o.tls = tls())) {
    note_error(s.plan.name + ": " + tls_error_);
    ++s.failures;
    schedule_reconnect(i);
    return update_state();
  }
  o.connect_timeout = connect_timeout_;
  o.idle_timeout = s.plan.idle_timeout;
  o.ping_text = s.plan.ping_text;
  o.ping_interval = s.plan.ping_interval;
  const uint64_t gen = ++s.gen;
  WsCallbacks cb;
  cb.on_open = guarded([i, gen](Impl& self) { self.on_stream_open(i, gen); });
  o.read_padding = kFramePadding;  // the feed's JSON reader parses frames where they lie
  cb.on_message = guarded([i, gen](Impl& self, std::string_view msg, size_t room) {
    if (self.streams_[i]->gen == gen) self.handle_payload(RawKind::ws, i, FrameView(msg, room), now());
  });
  cb.on_closed = guarded([i, gen](Impl& self, WsError e, const std::string& msg) {
    self.on_stream_closed(i, gen, e, msg);
  });
  s.conn = WsConnection::create(io_, std::move(o), std::move(cb));
  s.conn->start();
}

void FeedRunner::Impl::on_stream_open(size_t i, uint64_t gen) {
  auto& s = *streams_[i];
  if (s.gen != gen) return;
  s.open = true;
  s.failures = 0;
  s.opened_mono_ns = mono_ns();
  stream_stats_[i].connected = true;
  spdlog::info("feed {}: stream {} connected to {}", cfg_.id, s.plan.name, s.url->str());
  auto conn = s.conn;  // a failing send may drop s.conn
  for (const auto& frame : s.plan.subscribe)
    if (!conn->send(frame)) break;
  update_state();
}

void FeedRunner::Impl::on_stream_closed(size_t i, uint64_t gen, WsError e, const std::string& msg) {
  auto& s = *streams_[i];
  if (s.gen != gen) return;
  const bool was_open = s.open;
  s.open = false;
  s.conn.reset();
  stream_stats_[i].connected = false;
  if (e == WsError::too_big) ++stats_.parse_errors;
  note_error(s.plan.name + ": " + msg);
  if (was_open) {
    if (mono_ns() - s.opened_mono_ns >= to_ns(backoff_reset_)) s.backoff.reset();
    sink_.on_stream_down(index_, static_cast<int>(i));
    if (stopped_) return;
  }
  ++s.failures;
  schedule_reconnect(i);
  update_state();
}

void FeedRunner::Impl::schedule_reconnect(size_t i) {
  auto& s = *streams_[i];
  s.timer.expires_after(s.backoff.next());
  s.timer.async_wait(guarded([i](Impl& self, boost::system::error_code ec) {
    if (ec) return;
    ++self.stats_.reconnects;
    ++self.stream_stats_[i].reconnects;
    self.connect_stream(i);
  }));
}

// ---- Polls ----

void FeedRunner::Impl::start_polls() {
  // Soon, but spread out, so polls of one venue do not all hit the token bucket at once.
  for (size_t i = 0; i < polls_.size(); ++i) {
    const auto interval = polls_[i]->plan.interval.count();
    if (interval <= 0) continue;  // on demand only (resync), never on a timer
    schedule_poll(i, random_ms(0, std::min<int64_t>(interval / 10, 100)));
  }
}

void FeedRunner::Impl::schedule_poll(size_t i, std::chrono::milliseconds delay) {
  auto& p = *polls_[i];
  p.timer.expires_after(delay);
  p.timer.async_wait(guarded([i](Impl& self, boost::system::error_code ec) {
    if (!ec) self.poll_due(i);
  }));
}

void FeedRunner::Impl::poll_due(size_t i) {
  auto& p = *polls_[i];
  const auto interval = p.plan.interval.count();
  if (interval > 0)
    schedule_poll(i, std::chrono::milliseconds(interval) + random_ms(0, std::min<int64_t>(interval / 10, 250)));
  if (p.in_flight) return;  // a slow answer must not pile requests up
  launch_poll(i);
}

void FeedRunner::Impl::launch_poll(size_t i) {
  std::string target;
  if (!contain("poll target", [&] { target = feed_->poll_target(i); })) return;
  polls_[i]->in_flight = true;
  rest_get(std::move(target), guarded([i](Impl& self, HttpResult r) { self.on_poll_done(i, std::move(r)); }));
}

void FeedRunner::Impl::run_poll_now(size_t i) {
  auto& p = *polls_[i];
  if (p.in_flight) p.rerun = true;
  else launch_poll(i);
}

void FeedRunner::Impl::on_poll_done(size_t i, HttpResult r) {
  auto& p = *polls_[i];
  p.in_flight = false;
  if (r.ok && r.status >= 200 && r.status < 300) {
    p.backoff.reset();
    any_poll_ok_ = true;
    rest_fail_streak_ = 0;
    handle_payload(RawKind::poll, i, r.body, now());
    if (stopped_ || failed_) return;
    // The venue may want the next page sooner (e.g. a full page of trades to catch up on).
    std::optional<Millis> soon;
    if (!contain("poll", [&] { soon = feed_->next_poll_in(i); })) return;
    if (soon) schedule_poll(i, *soon);
    update_state();
    if (p.rerun) {
      p.rerun = false;
      launch_poll(i);
    }
    return;
  }
  p.rerun = false;
  // A 429 already paused the whole venue (rest_pump); anything else backs this poll off.
  if (!(r.ok && r.status == 429)) {
    ++rest_fail_streak_;
    schedule_poll(i, std::max(p.plan.interval, p.backoff.next()));
  }
  update_state();
}

// ---- REST queue: one request at a time per venue, token bucket, 429 pauses ----

void FeedRunner::Impl::rest_get(std::string target, RestDone done) {
  if (!http_ || rest_queue_.size() >= kRestQueueLimit) {
    HttpResult r;
    r.error = http_ ? "REST request queue full" : "no REST base url";
    net::post(io_, guarded([done, r](Impl&) mutable { done(std::move(r)); }));
    return;
  }
  rest_queue_.push_back(RestRequest{std::move(target), std::move(done), false, 0});
  rest_pump();
}

void FeedRunner::Impl::rest_pump() {
  if (rest_busy_ || rest_queue_.empty() || stopped_) return;
  const int64_t t = mono_ns();
  int64_t wait = 0;
  if (paused_until_mono_ns_ > t) {
    wait = paused_until_mono_ns_ - t;
  } else if ((wait = bucket_.try_take(t)) > 0 && !rest_queue_.front().waited) {
    // Counted here, where the bucket actually holds a request back; a 429 pause is not a
    // local rate-limit wait (it shows as code="429").
    rest_queue_.front().waited = true;
    rest_queue_.front().wait_since_ns = t;
    ++stats_.rate_waits;
  }
  if (wait > 0) {
    rest_timer_.expires_after(std::chrono::nanoseconds(wait));
    rest_timer_.async_wait(guarded([](Impl& self, boost::system::error_code ec) {
      if (!ec) self.rest_pump();
    }));
    return;
  }
  RestRequest req = std::move(rest_queue_.front());
  rest_queue_.pop_front();
  rest_busy_ = true;
  ++stats_.rest_requests;
  if (req.waited) stats_.rest.rate_wait_ns += static_cast<uint64_t>(t - req.wait_since_ns);
  http_->get(join_target(rest_url_->target == "/" ? "" : rest_url_->target, req.target),
             guarded([target = req.target, done = std::move(req.done), t](Impl& self, HttpResult r) {
               self.on_rest_done(target, t, std::move(r), done);
             }));
}

void FeedRunner::Impl::on_rest_done(const std::string& target, int64_t sent_mono_ns, HttpResult r,
                                    const RestDone& done) {
  rest_busy_ = false;
  stats_.rest.duration.observe(mono_ns() - sent_mono_ns);
  ++stats_.rest.codes[static_cast<size_t>(classify_rest(r.ok, r.timed_out, r.status))];
  if (!r.ok) {
    ++stats_.rest_errors;
    note_error("GET " + target + ": " + r.error);
  } else if (r.status == 429) {
    ++stats_.rest_errors;
    ++stats_.rate_limited;
    RetryAfterForm form{};
    const auto ra = parse_retry_after(r.retry_after, now().wall_ns / 1'000'000, &form);
    if (ra) stats_.detect(to_string(form));
    std::chrono::milliseconds pause =
        ra ? std::clamp(*ra, std::chrono::milliseconds(kMinRetryAfter), std::chrono::milliseconds(kMaxRetryAfter))
           : rate_backoff_.next();
    paused_until_mono_ns_ = std::max(paused_until_mono_ns_, mono_ns() + to_ns(pause));
    note_error("GET " + target + ": HTTP 429, REST paused for " + std::to_string(pause.count()) + " ms");
  } else if (r.status < 200 || r.status >= 300) {
    ++stats_.rest_errors;
    note_error("GET " + target + ": HTTP " + std::to_string(r.status));
  } else {
    rate_backoff_.reset();
  }
  done(std::move(r));
  rest_pump();
}

}  // namespace mdhub
