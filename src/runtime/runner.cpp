#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "feeds/common/instrument_select.hpp"
#include "src/runtime/runner_impl.hpp"

namespace mdhub {

namespace {

std::chrono::milliseconds opt_ms(const VenueConfig& cfg, const OptionSpec& o) {
  return std::chrono::milliseconds(cfg.int_option(o));
}

bool is_pow2(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

// Exceptions closer together than this are one burst: logged once, at its start.
constexpr int64_t kExceptionBurstNs = 10'000'000'000;

}  // namespace

FeedRunner::Impl::Impl(net::io_context& io, size_t index, VenueConfig cfg, std::unique_ptr<VenueFeed> feed,
                       FeedSink& sink)
    : io_(io),
      index_(index),
      cfg_(std::move(cfg)),
      feed_(std::move(feed)),
      sink_(sink),
      rest_timeout_(opt_ms(cfg_, common_opt::rest_timeout_ms)),
      connect_timeout_(opt_ms(cfg_, common_opt::connect_timeout_ms)),
      backoff_base_(opt_ms(cfg_, common_opt::backoff_base_ms)),
      backoff_cap_(opt_ms(cfg_, common_opt::backoff_cap_ms)),
      backoff_reset_(opt_ms(cfg_, common_opt::backoff_reset_ms)),
      down_after_(static_cast<int>(cfg_.int_option(common_opt::down_after))),
      rng_(std::random_device{}() ^ (static_cast<uint64_t>(index) << 32)),
      restart_backoff_(make_backoff()),
      discovery_backoff_(make_backoff()),
      discovery_timer_(io),
      relist_interval_(opt_ms(cfg_, common_opt::discovery_interval_ms)),
      relist_timer_(io),
      bucket_(cfg_.rate_limit_rps, cfg_.rate_limit_burst),
      rest_timer_(io),
      rate_backoff_(std::chrono::seconds(1), std::chrono::seconds(60), rng_()),
      audit_interval_(opt_ms(cfg_, common_opt::audit_interval_ms)),
      audit_timer_(io) {}

Backoff FeedRunner::Impl::make_backoff() { return Backoff(backoff_base_, backoff_cap_, rng_()); }

std::chrono::milliseconds FeedRunner::Impl::random_ms(int64_t lo, int64_t hi) {
  if (hi <= lo) return std::chrono::milliseconds(lo);
  return std::chrono::milliseconds(std::uniform_int_distribution<int64_t>(lo, hi)(rng_));
}

void FeedRunner::Impl::note_error(std::string msg) {
  spdlog::warn("feed {}: {}", cfg_.id, msg);
  stats_.last_error = std::move(msg);
}

TlsContextPtr FeedRunner::Impl::tls() {
  if (!tls_) {
    auto ctx = make_client_tls(cfg_.ca_file);
    if (ctx) tls_ = ctx.value();
    else tls_error_ = ctx.error();
  }
  return tls_;
}

void FeedRunner::Impl::start() {
  if (started_ || stopped_) return;
  started_ = true;
  auto url = parse_url(cfg_.rest_base);
  if (!url || url->websocket) {
    note_error("rest_base: " + (url ? std::string("not an http(s) url") : url.error()));
    return set_state(FeedState::down);
  }
  rest_url_ = url.value();
  HttpOptions ho;
  ho.base = *rest_url_;
  ho.timeout = rest_timeout_;
  if (ho.base.tls && !(ho.tls = tls())) {
    note_error(tls_error_);
    return set_state(FeedState::down);
  }
  http_ = std::make_unique<HttpClient>(io_, std::move(ho));
  set_state(FeedState::discovering);
  do_discovery();
}

void FeedRunner::Impl::stop(bool notify) {
  if (stopped_) return;
  stopped_ = true;
  discovery_timer_.cancel();
  relist_timer_.cancel();
  rest_timer_.cancel();
  audit_timer_.cancel();
  for (auto& s : streams_) {
    s->timer.cancel();
    if (auto conn = std::move(s->conn)) conn->close();
    s->open = false;
  }
  for (auto& st : stream_stats_) st.connected = false;
  for (auto& p : polls_) p->timer.cancel();
  if (http_) http_->close();
  rest_queue_.clear();
  stats_.state = FeedState::stopped;
  stats_.connected_since_wall_ns = 0;
  if (notify) sink_.on_state(index_, FeedState::stopped);
}

void FeedRunner::Impl::do_discovery() {
  if (failed_) {
    failed_ = false;
    set_state(FeedState::discovering);
  }
  listed_.clear();
  discovery_pages_ = 0;
  discovery_get(feed_->discovery_target());
}

void FeedRunner::Impl::discovery_get(const std::string& target) {
  rest_get(target, guarded([](Impl& self, HttpResult r) { self.on_discovery(std::move(r)); }));
}

void FeedRunner::Impl::on_discovery(HttpResult r) {
  // Transport errors and non-2xx answers were logged by the REST layer already.
  if (!r.ok) return discovery_unusable("discovery: " + r.error, false);
  if (r.status < 200 || r.status >= 300)
    return discovery_unusable("discovery: HTTP " + std::to_string(r.status), false);
  // A re-listing that finds nothing new changes nothing, so it is not recorded; one that
  // does restarts the feed, whose own discovery is.
  if (!relisting_) {
    sink_.on_raw(index_, RawKind::discovery, 0, now(), r.body);
    if (stopped_) return;
  }
  std::string err, next;
  ParseStatus st = ParseStatus::ok;
  if (!contain("discovery", [&] {
        st = feed_->parse_discovery(r.body, listed_, err);
        if (st != ParseStatus::error) next = feed_->discovery_next();
      }))
    return;
  if (st == ParseStatus::error) {
    ++stats_.parse_errors;
    return discovery_unusable("discovery: " + err);
  }
  if (!next.empty()) {
    // A paged listing: every page before choosing (a bound against a listing that never ends).
    if (++discovery_pages_ >= kMaxDiscoveryPages)
      return discovery_unusable("discovery: more than " + std::to_string(kMaxDiscoveryPages) + " pages");
    return discovery_get(next);
  }
  std::vector<Instrument> all = std::move(listed_);
  listed_.clear();
  auto sel = select_instruments(std::move(all), cfg_.symbols);
  if (!cfg_.symbols.empty() && sel.table.size() == 0)
    return discovery_unusable("discovery: none of the configured symbols is listed");
  if (relisting_) {
    relisting_ = false;
    std::string added;
    for (const auto& inst : sel.table.all())
      if (!table_.by_symbol(inst.symbol)) added.append(" ").append(inst.symbol);
    if (added.empty()) return arm_relist();
    // Following a new instrument means new subscriptions and, for the engine, a new table:
    // the feed starts over (its books resync), which a listing change every so often affords.
    spdlog::info("feed {}: newly listed:{}; restarting to follow them", cfg_.id, added);
    ++stats_.relistings;
    return restart();
  }
  InstrumentTable table = std::move(sel.table);
  const std::vector<std::string>& missing = sel.missing;
  table_ = std::move(table);
  discovered_ = true;
  discovery_backoff_.reset();
  if (!missing.empty()) {
    std::string msg = "symbols not listed by the venue:";
    for (const auto& s : missing) msg.append(" ").append(s);
    note_error(std::move(msg));
  }
  spdlog::info("feed {}: {} instruments", cfg_.id, table_.size());
  sink_.on_instruments(index_, table_);
  if (stopped_) return;
  contain("start", [&] {
    feed_->start(table_);
    begin_plans();
  });
  arm_relist();
}

void FeedRunner::Impl::arm_relist() {
  if (relist_interval_.count() == 0 || stopped_) return;
  relist_timer_.expires_after(relist_interval_);
  relist_timer_.async_wait(guarded([](Impl& self, boost::system::error_code ec) {
    if (!ec) self.relist();
  }));
}

void FeedRunner::Impl::relist() {
  if (stopped_ || failed_ || !discovered_ || relisting_) return;
  relisting_ = true;
  listed_.clear();
  discovery_pages_ = 0;
  discovery_get(feed_->discovery_target());
}

void FeedRunner::Impl::discovery_unusable(const std::string& why, bool log) {
  if (!relisting_) return discovery_failed(why, log);
  // The feed runs on with what it follows; the next re-listing is the retry.
  relisting_ = false;
  listed_.clear();
  stats_.last_error = "re-listing: " + why;
  if (log) spdlog::warn("feed {}: re-listing failed: {}", cfg_.id, why);
  arm_relist();
}

void FeedRunner::Impl::discovery_failed(const std::string& why, bool log) {
  if (log) note_error(why);
  else stats_.last_error = why;
  set_state(FeedState::down);
  discovery_timer_.expires_after(discovery_backoff_.next());
  discovery_timer_.async_wait(guarded([](Impl& self, boost::system::error_code ec) {
    if (!ec) self.do_discovery();
  }));
}

void FeedRunner::Impl::begin_plans() {
  // After a restart the old plans go: no handler refers to them any more (epoch_).
  streams_.clear();
  polls_.clear();
  stream_stats_.clear();
  for (auto& plan : feed_->streams()) {
    auto slot = std::make_unique<StreamSlot>(io_, std::move(plan), make_backoff());
    if (auto u = parse_url(slot->plan.url); !u) {
      slot->url_error = slot->plan.name + ": " + u.error();
    } else if (!u->websocket) {
      slot->url_error = slot->plan.name + ": not a ws(s) url: " + slot->plan.url;
    } else {
      slot->url = u.value();
    }
    stream_stats_.push_back(StreamStats{slot->plan.name, false, 0, 0, 0});
    streams_.push_back(std::move(slot));
  }
  for (auto& plan : feed_->polls()) polls_.push_back(std::make_unique<PollSlot>(io_, std::move(plan), make_backoff()));
  set_state(FeedState::connecting);
  for (size_t i = 0; i < streams_.size() && !stopped_; ++i) connect_stream(i);
  if (!stopped_) start_polls();
  if (!stopped_) start_audits();
  update_state();
}

void FeedRunner::Impl::update_state() {
  if (stopped_ || !discovered_) return;
  bool live = true, down = false;
  if (!streams_.empty()) {
    for (const auto& s : streams_) {
      live = live && s->open;
      down = down || s->failures >= down_after_;
    }
  } else if (!polls_.empty()) {
    down = rest_fail_streak_ >= down_after_;
    live = any_poll_ok_ && !down;
  }
  set_state(live ? FeedState::live : down ? FeedState::down : FeedState::connecting);
}

void FeedRunner::Impl::set_state(FeedState st) {
  if (stopped_ || stats_.state == st) return;
  stats_.state = st;
  stats_.connected_since_wall_ns = st == FeedState::live ? now().wall_ns : 0;
  sink_.on_state(index_, st);  // the sink logs it (rate-limited), once
}

void FeedRunner::Impl::handle_payload(RawKind kind, size_t index, FrameView payload, RecvTime t) {
  ++stats_.messages;
  stats_.bytes += payload.text.size();
  stats_.last_message_mono_ns = t.mono_ns;
  if (kind == RawKind::ws) {
    ++stream_stats_[index].messages;
    stream_stats_[index].bytes += payload.text.size();
  }
  sink_.on_raw(index_, kind, static_cast<int>(index), t, payload.text);
  if (stopped_) return;
  contain(kind == RawKind::ws ? "frame" : "poll", [&] { parse_and_apply(kind, index, payload, t); });
}

void FeedRunner::Impl::parse_and_apply(RawKind kind, size_t index, FrameView payload, RecvTime t) {
  out_.clear();
  const ParseStatus st = kind == RawKind::ws ? feed_->on_frame(index, payload, t, out_)
                                             : feed_->on_poll(index, payload.text, t, out_);
  if (st == ParseStatus::error) {
    ++stats_.parse_errors;
    std::string where = kind == RawKind::ws ? streams_[index]->plan.name : polls_[index]->plan.name;
    stats_.last_error = where + ": " + out_.error;
    // Counted always, logged sparingly: a venue sending garbage must not flood the log.
    if (is_pow2(stats_.parse_errors))
      spdlog::warn("feed {}: parse error #{} on {}: {}", cfg_.id, stats_.parse_errors, where, out_.error);
    return;
  }
  for (std::string_view d : out_.detected) stats_.detect(d);
  if (!out_.subscription_error.empty()) {
    ++stats_.subscription_failures;
    stats_.last_error = "subscription refused: " + out_.subscription_error;
    spdlog::warn("feed {}: subscription refused (#{}): {}", cfg_.id, stats_.subscription_failures,
                 out_.subscription_error);
  }
  if (st != ParseStatus::ok || out_.events.empty()) return;
  resync_.clear();
  sink_.on_events(index_, out_, resync_);
  if (stopped_ || resync_.empty()) return;
  // Moved out so a resync that re-enters the sink finds the member buffer free.
  std::vector<uint32_t> todo = std::move(resync_);
  resync_.clear();
  std::sort(todo.begin(), todo.end());
  todo.erase(std::unique(todo.begin(), todo.end()), todo.end());
  for (uint32_t inst : todo) {
    if (stopped_ || failed_) return;
    do_resync(inst);
  }
  if (resync_.empty()) {
    todo.clear();
    resync_ = std::move(todo);  // keep the capacity
  }
}

void FeedRunner::Impl::on_exception(std::string_view where, std::string_view what) {
  ++stats_.exceptions;
  stats_.last_error = std::string(where) + ": exception: " + std::string(what);
  const int64_t t = mono_ns();
  // Once per burst: a feed throwing on every frame must not flood the log.
  if (exception_log_mono_ns_ == 0 || t - exception_log_mono_ns_ >= kExceptionBurstNs) {
    if (exceptions_unlogged_)
      spdlog::error("feed {}: {} more exceptions since the last one logged", cfg_.id, exceptions_unlogged_);
    spdlog::error("feed {}: exception in {}: {}; restarting the feed", cfg_.id, where, what);
    exception_log_mono_ns_ = t;
    exceptions_unlogged_ = 0;
  } else {
    ++exceptions_unlogged_;
  }
  if (!failed_ && !stopped_) restart();
}

void FeedRunner::Impl::restart() {
  failed_ = true;
  ++epoch_;
  relisting_ = false;
  relist_timer_.cancel();
  for (size_t i = 0; i < streams_.size(); ++i) {
    auto& s = *streams_[i];
    s.timer.cancel();
    if (auto conn = std::move(s.conn)) conn->close();
    if (s.open) {
      s.open = false;
      sink_.on_stream_down(index_, static_cast<int>(i));
      if (stopped_) return;
    }
  }
  for (auto& st : stream_stats_) st.connected = false;
  for (auto& p : polls_) p->timer.cancel();
  // The request on the wire is abandoned (its callback is not called), so the queue is free.
  if (http_) http_->close();
  rest_queue_.clear();
  rest_timer_.cancel();
  audit_timer_.cancel();
  rest_busy_ = false;
  any_poll_ok_ = false;
  rest_fail_streak_ = 0;
  discovered_ = false;
  ++stats_.reconnects;
  set_state(FeedState::down);
  if (stopped_) return;
  // A feed that ran cleanly for a while starts over quickly; one that keeps throwing backs off.
  const int64_t t = mono_ns();
  if (last_restart_mono_ns_ != 0 && t - last_restart_mono_ns_ >= backoff_reset_.count() * 1'000'000)
    restart_backoff_.reset();
  last_restart_mono_ns_ = t;
  discovery_timer_.expires_after(restart_backoff_.next());
  discovery_timer_.async_wait(guarded([](Impl& self, boost::system::error_code ec) {
    if (!ec) self.do_discovery();
  }));
}

void FeedRunner::Impl::do_resync(uint32_t instrument) {
  if (!discovered_ || instrument >= table_.size()) return;
  ResyncAction a = feed_->resync(instrument);
  if (a.stream >= 0 && static_cast<size_t>(a.stream) < streams_.size()) {
    auto conn = streams_[static_cast<size_t>(a.stream)]->conn;
    if (conn && conn->is_open()) {
      for (auto& f : a.frames)
        if (!conn->send(std::move(f))) break;
    }
  }
  if (a.poll >= 0 && static_cast<size_t>(a.poll) < polls_.size()) run_poll_now(static_cast<size_t>(a.poll));
}

// ---- FeedRunner ----

FeedRunner::FeedRunner(net::io_context& io, size_t index, VenueConfig cfg, std::unique_ptr<VenueFeed> feed,
                       FeedSink& sink)
    : impl_(std::make_shared<Impl>(io, index, std::move(cfg), std::move(feed), sink)) {}

FeedRunner::~FeedRunner() {
  if (impl_) impl_->stop(false);
}

void FeedRunner::start() { impl_->start(); }
void FeedRunner::stop() { impl_->stop(true); }
void FeedRunner::resync(uint32_t instrument) {
  if (!impl_->stopped_ && !impl_->failed_) impl_->contain("resync", [&] { impl_->do_resync(instrument); });
}
const VenueConfig& FeedRunner::config() const { return impl_->cfg_; }
const FeedStats& FeedRunner::stats() const { return impl_->stats_; }
const std::vector<StreamStats>& FeedRunner::stream_stats() const { return impl_->stream_stats_; }
const InstrumentTable& FeedRunner::instruments() const { return impl_->table_; }

}  // namespace mdhub
