#include "src/publish/http_api.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <optional>

#include "feeds/common/clock.hpp"
#include "src/net/offload.hpp"
#include "src/publish/ws_channels.hpp"
#include "src/publish/render.hpp"

namespace mdhub {

net::HttpResponse api_json(unsigned status, std::string body) {
  net::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}
net::HttpResponse api_error(unsigned status, std::string_view code, std::string_view message) {
  return api_json(status, render::error(code, message));
}
namespace {
/// `handler` for GET and HEAD, 405 method_not_allowed for anything else.
net::HttpHandler get_only(net::HttpHandler handler) {
  return [handler = std::move(handler)](const net::HttpRequest& req, net::Respond respond) {
    if (req.method != "GET" && req.method != "HEAD") {
      auto r = api_error(405, "method_not_allowed", "only GET is supported here");
      r.headers.emplace_back("Allow", "GET");
      return respond(std::move(r));
    }
    handler(req, std::move(respond));
  };
}
}  // namespace

net::HttpHandler api_get_only(std::function<net::HttpResponse(const net::HttpRequest&)> answer) {
  return get_only([answer = std::move(answer)](const net::HttpRequest& req, net::Respond respond) {
    respond(answer(req));
  });
}

namespace {

using net::HttpRequest;
using net::HttpResponse;


/// Integer query parameter in [lo, hi]; `dflt` when absent; false when malformed.
bool int_param(const HttpRequest& req, std::string_view name, size_t dflt, size_t lo, size_t hi,
               size_t& out, HttpResponse& err) {
  out = dflt;
  const std::string* v = req.param(name);
  if (!v) return true;
  size_t n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc{} || p != v->data() + v->size() || n < lo || n > hi) {
    err = api_error(400, "bad_param", std::string(name) + " must be an integer from " + std::to_string(lo) +
                                     " to " + std::to_string(hi));
    return false;
  }
  out = n;
  return true;
}

/// Splits "/api/v1/<what>/<venue>/<symbol>" after `prefix`.
bool venue_symbol(const HttpRequest& req, std::string_view prefix, std::string& venue, std::string& symbol) {
  std::string_view rest(req.path);
  rest.remove_prefix(prefix.size());
  auto slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 >= rest.size()) return false;
  venue = rest.substr(0, slash);
  symbol = rest.substr(slash + 1);
  return symbol.find('/') == std::string::npos;
}

ChannelSpec kind(ChannelKind k) {
  ChannelSpec s;
  s.kind = k;
  return s;
}

class Api {
 public:
  Api(const Engine& e, std::function<std::vector<FeedView>()> feeds,
      std::function<std::optional<RecorderView>()> recorder, const PipelineLatency* latency)
      : engine_(e), feeds_(std::move(feeds)), recorder_(std::move(recorder)), latency_(latency) {}

  /// Resolves venue + symbol (canonical or the venue's native name, any case: Engine::find);
  /// sets an error response. Venue 'all' exists for books only.
  const InstrumentState* lookup(const std::string& venue, const std::string& symbol, HttpResponse& err) const {
    if (venue == "all") {
      err = api_error(404, "unsupported_channel", std::string(kAllVenueKinds));
      return nullptr;
    }
    if (!engine_.capabilities(venue)) {
      err = api_error(404, "unknown_venue", "no venue '" + venue + "' is configured");
      return nullptr;
    }
    if (auto* s = engine_.find(venue, symbol)) return s;
    if (const auto f = down_feed_listing(venue, symbol)) {
      err = api_error(503, "feed_down",
                 "venue '" + venue + "' is " + std::string(to_string(f->stats->state)) + " and has not listed '" +
                     symbol + "' yet; last error: " +
                     (f->stats->last_error.empty() ? std::string("none") : f->stats->last_error));
      return nullptr;
    }
    err = api_error(404, "unknown_symbol", "venue '" + venue + "' has no instrument '" + symbol + "'");
    return nullptr;
  }

  /// The feed of `venue` when it is not live and `symbol` is one it was configured for but
  /// has not discovered: the symbol may well exist, the venue cannot say now. Config names
  /// are canonical or native, compared in any case (a native name the config does not use
  /// is known only from discovery). A venue configured for every instrument counts every
  /// symbol until its first discovery.
  std::optional<FeedView> down_feed_listing(const std::string& venue, const std::string& symbol) const {
    for (const FeedView& f : feeds_()) {
      if (f.config->id != venue || f.stats->state == FeedState::live) continue;
      const auto& wanted = f.config->symbols;
      bool configured = false;
      if (wanted.empty()) {
        configured = std::none_of(engine_.instruments().begin(), engine_.instruments().end(),
                                  [&](const auto& i) { return i->info.venue == venue; });
      } else {
        const std::string k = symbol_key(symbol);
        configured = std::any_of(wanted.begin(), wanted.end(), [&](const std::string& w) { return symbol_key(w) == k; });
      }
      if (configured) return f;
      return std::nullopt;
    }
    return std::nullopt;
  }

  /// 503 book_stale when the feed of `s` is stale; false otherwise.
  bool stale(const InstrumentState& s, HttpResponse& err) const {
    if (!engine_.feed_stale(s.feed)) return false;
    const std::string ms = std::to_string((mono_ns() - engine_.feed_not_live_since(s.feed)) / 1'000'000);
    const FeedState state = engine_.feed_state(s.feed);
    // Live again but not yet confirmed by the once-a-second check: a connection that
    // flickers open does not end the staleness.
    err = api_error(503, "book_stale",
               state == FeedState::live
                   ? "the " + s.info.venue + " feed is back after " + ms + " ms not live: its " + s.info.symbol +
                         " book is stale until it stays live"
                   : "the " + s.info.venue + " feed is " + std::string(to_string(state)) + " and has not been live for " +
                         ms + " ms: its " + s.info.symbol + " book is stale");
    return true;
  }

  /// Like lookup(), and the venue must be able to provide `kind` at all.
  const InstrumentState* lookup_kind(const std::string& venue, const std::string& symbol, const ChannelSpec& kind,
                                     HttpResponse& err) const {
    const InstrumentState* s = lookup(venue, symbol, err);
    if (!s) return nullptr;
    const VenueCapabilities& caps = engine_.feed_capabilities(s->feed);
    if (!provides(caps, kind)) {
      err = api_error(404, "unsupported_channel", unsupported_message(venue, caps, kind.kind_name()));
      return nullptr;
    }
    return s;
  }

  HttpResponse health(bool ready_check) const {
    std::string b = "{";
    render::key(b, "status", true);
    bool all_live = true;
    size_t enabled = 0;
    std::string feeds = "{";
    bool first = true;
    for (const auto& f : feeds_()) {
      if (!f.config->enabled) continue;
      ++enabled;
      const bool live = f.stats->state == FeedState::live;
      all_live = all_live && live;
      render::key(feeds, f.config->id, first);
      first = false;
      feeds += "{";
      render::key(feeds, "state", true);
      render::str(feeds, to_string(f.stats->state));
      render::key(feeds, "live");
      feeds += live ? "true" : "false";
      feeds += "}";
    }
    feeds += "}";
    // With no feed there is nothing to serve: never ready. A recording that cannot be
    // written is not ready either: what is served would not be kept.
    const auto rec = recorder();
    const bool ok = !ready_check || (all_live && enabled > 0 && (!rec || rec->healthy));
    render::str(b, ready_check ? (ok ? "ready" : "not_ready") : "ok");
    render::key(b, "feeds");
    b += feeds;
    if (rec) {
      render::key(b, "recorder");
      recorder_json(b, rec);
    }
    b += "}";
    return api_json(ok ? 200 : 503, std::move(b));
  }

  // Per stage: samples and p50/p99 in µs (null while there is no sample).
  void latency_json(std::string& b, size_t feed) const {
    if (!latency_ || !latency_->stage(feed, LatencyStage::received_to_parsed)) {
      b += "null";
      return;
    }
    b += '{';
    for (size_t k = 0; k < kLatencyStages; ++k) {
      const auto stage = static_cast<LatencyStage>(k);
      const LogHistogram::Snapshot h = latency_->stage(feed, stage)->snapshot();
      render::key(b, stage_name(stage), k == 0);
      b += '{';
      render::key(b, "count", true);
      render::num(b, static_cast<int64_t>(h.count));
      for (auto [name, q] : {std::pair{"p50_us", 0.5}, std::pair{"p99_us", 0.99}}) {
        render::key(b, name);
        const auto ns = h.quantile_ns(q);
        render::num(b, ns ? std::llround(*ns / 1000) : kNone);
      }
      b += '}';
    }
    b += '}';
  }

  // The book's audits against REST snapshots (src/engine/audit.hpp); null before the first.
  static void audit_json(std::string& b, const InstrumentState& p) {
    if (!p.audited) {
      b += "null";
      return;
    }
    b += '{';
    render::key(b, "last", true); render::str(b, to_string(p.last_audit));
    render::key(b, "drift"); render::num(b, static_cast<int64_t>(p.last_audit_drift));
    render::key(b, "at"); render::num(b, p.last_audit_wall_us);
    for (size_t r = 0; r < kAuditResults; ++r) {
      render::key(b, to_string(static_cast<AuditResult>(r)));
      render::num(b, static_cast<int64_t>(p.audits[r]));
    }
    b += '}';
  }

  HttpResponse feeds() const {
    const int64_t now = mono_ns();
    std::string b = "{\"feeds\":[";
    bool first = true;
    size_t index = 0;  // feeds_() lists the feeds in engine feed-index order
    for (const auto& f : feeds_()) {
      const FeedStats& st = *f.stats;
      const uint64_t unknown_instrument =
          index < engine_.feeds().size() ? engine_.feed_stats(index).unknown_instrument_events : 0;
      const bool stale = engine_.feed_stale(index);
      ++index;
      if (!first) b += ',';
      first = false;
      uint64_t gaps = 0, resyncs = 0, books = 0, in_sync = 0;
      for (auto& p : engine_.instruments()) {
        if (p->info.venue != f.config->id) continue;
        gaps += p->gaps;
        resyncs += p->resyncs;
        books += p->has_book;
        in_sync += p->has_book && p->in_sync;
      }
      b += '{';
      render::key(b, "venue", true); render::str(b, f.config->id);
      render::key(b, "enabled"); b += f.config->enabled ? "true" : "false";
      render::key(b, "state"); render::str(b, to_string(st.state));
      render::key(b, "stale"); b += stale ? "true" : "false";
      render::key(b, "connected_since");
      render::num(b, st.connected_since_wall_ns ? st.connected_since_wall_ns / 1000 : kNone);
      render::key(b, "last_message_age_ms");
      render::num(b, st.last_message_mono_ns ? (now - st.last_message_mono_ns) / 1000000 : kNone);
      render::key(b, "reconnects"); render::num(b, static_cast<int64_t>(st.reconnects));
      render::key(b, "messages"); render::num(b, static_cast<int64_t>(st.messages));
      render::key(b, "bytes"); render::num(b, static_cast<int64_t>(st.bytes));
      render::key(b, "gaps"); render::num(b, static_cast<int64_t>(gaps));
      render::key(b, "resyncs"); render::num(b, static_cast<int64_t>(resyncs));
      render::key(b, "parse_errors"); render::num(b, static_cast<int64_t>(st.parse_errors));
      render::key(b, "unknown_instrument_events"); render::num(b, static_cast<int64_t>(unknown_instrument));
      render::key(b, "rest_requests"); render::num(b, static_cast<int64_t>(st.rest_requests));
      render::key(b, "rest_errors"); render::num(b, static_cast<int64_t>(st.rest_errors));
      render::key(b, "rate_limited"); render::num(b, static_cast<int64_t>(st.rate_limited));
      render::key(b, "books"); render::num(b, static_cast<int64_t>(books));
      render::key(b, "books_in_sync"); render::num(b, static_cast<int64_t>(in_sync));
      render::key(b, "subscription_failures"); render::num(b, static_cast<int64_t>(st.subscription_failures));
      render::key(b, "relistings"); render::num(b, static_cast<int64_t>(st.relistings));
      render::key(b, "detected");
      b += '{';
      bool fd = true;
      for (const auto& [name, count] : st.detected) {
        render::key(b, name, fd);
        fd = false;
        render::num(b, static_cast<int64_t>(count));
      }
      b += '}';
      render::key(b, "last_error");
      if (st.last_error.empty()) b += "null";
      else render::str(b, st.last_error);
      render::key(b, "latency");
      latency_json(b, index - 1);
      render::key(b, "symbols");
      b += '{';
      bool f2 = true;
      for (auto& p : engine_.instruments()) {
        if (p->info.venue != f.config->id) continue;
        render::key(b, p->info.symbol, f2);
        f2 = false;
        // A venue with no book by nature has nothing to be in sync: null, not false.
        const bool book = engine_.feed_capabilities(p->feed).book;
        b += "{\"gaps\":" + std::to_string(p->gaps) + ",\"resyncs\":" + std::to_string(p->resyncs) +
             ",\"in_sync\":" + (!book ? "null" : p->in_sync ? "true" : "false") +
             ",\"levels_trimmed\":" + std::to_string(p->levels_trimmed) + ",\"audit\":";
        audit_json(b, *p);
        b += '}';
      }
      b += "}}";
    }
    b += "],\"recorder\":";
    recorder_json(b, recorder());
    b += '}';
    return api_json(200, std::move(b));
  }

  HttpResponse instruments() const {
    std::string b = "{\"instruments\":[";
    bool first = true;
    for (auto& p : engine_.instruments()) {
      const Instrument& i = p->info;
      if (!first) b += ',';
      first = false;
      b += '{';
      render::key(b, "venue", true); render::str(b, i.venue);
      render::key(b, "symbol"); render::str(b, i.symbol);
      render::key(b, "native"); render::str(b, i.native);
      render::key(b, "base"); render::str(b, i.base);
      render::key(b, "quote"); render::str(b, i.quote);
      render::key(b, "price_scale"); render::num(b, i.price_scale);
      render::key(b, "qty_scale"); render::num(b, i.qty_scale);
      render::key(b, "tick"); render::dec(b, i.tick > 0 ? i.tick : kNone, i.price_scale);
      render::key(b, "book");
      if (engine_.feed_capabilities(p->feed).book)
        render::str(b, p->book.impl() == BookImpl::ladder ? "ladder" : "vector");
      else
        b += "null";
      b += '}';
    }
    b += "]}";
    return api_json(200, std::move(b));
  }

  /// The book answer: an error, returned, or in `job` the one that renders it from a copy
  /// of the levels it shows, taken now (so that it may run later, on another thread).
  HttpResponse book(const HttpRequest& req, std::function<HttpResponse()>& job) const {
    std::string venue, symbol;
    if (!venue_symbol(req, "/api/v1/book/", venue, symbol))
      return api_error(404, "not_found", "use /api/v1/book/{venue}/{symbol}");
    HttpResponse err;
    size_t depth = 0;
    if (!int_param(req, "depth", 50, 1, 5000, depth, err)) return err;
    if (venue == "all") {
      const ConsolidatedState* c = engine_.find_consolidated(symbol);
      if (!c) return api_error(404, "unknown_symbol", "no venue lists '" + symbol + "'");
      // Kept only while a websocket channel watches it; otherwise merged for this answer.
      auto copy = std::make_shared<const render::ConsolidatedCopy>(
          c->maintained() ? render::copy_consolidated(*c, engine_, depth)
                          : render::copy_consolidated(engine_.merged(*c), engine_, depth));
      job = [copy] {
        std::string b;
        render::consolidated(b, *copy);
        return api_json(200, std::move(b));
      };
      return {};
    }
    const InstrumentState* s = lookup(venue, symbol, err);
    if (!s) return err;
    if (const VenueCapabilities& caps = engine_.feed_capabilities(s->feed); !caps.book)
      return api_error(404, "no_book", unsupported_message(venue, caps, "book"));
    if (stale(*s, err)) return err;
    if (!s->has_book)
      return api_error(503, "book_unavailable", "no " + venue + " " + s->info.symbol + " book has arrived yet");
    if (!s->in_sync)
      return api_error(503, "book_unavailable", "the " + venue + " " + s->info.symbol + " book is resynchronising");
    auto copy = std::make_shared<const render::BookCopy>(render::copy_book(*s, depth));
    job = [copy] {
      std::string b;
      render::book(b, *copy);
      return api_json(200, std::move(b));
    };
    return {};
  }

  HttpResponse ticker(const HttpRequest& req) const {
    std::string venue, symbol;
    if (!venue_symbol(req, "/api/v1/ticker/", venue, symbol))
      return api_error(404, "not_found", "use /api/v1/ticker/{venue}/{symbol}");
    HttpResponse err;
    const InstrumentState* s = lookup_kind(venue, symbol, kind(ChannelKind::ticker), err);
    if (!s) return err;
    if (!s->has_ticker && !s->has_venue_bbo && !s->in_sync)
      return api_error(503, "no_data", "no ticker received yet for " + venue + " " + s->info.symbol);
    std::string b = "{";
    render::head(b, *s);
    render::ticker_payload(b, *s);
    b += '}';
    return api_json(200, std::move(b));
  }

  HttpResponse trades(const HttpRequest& req) const {
    std::string venue, symbol;
    if (!venue_symbol(req, "/api/v1/trades/", venue, symbol))
      return api_error(404, "not_found", "use /api/v1/trades/{venue}/{symbol}");
    HttpResponse err;
    size_t limit = 0;
    if (!int_param(req, "limit", 100, 1, kTradeHistory, limit, err)) return err;
    const InstrumentState* s = lookup_kind(venue, symbol, kind(ChannelKind::trades), err);
    if (!s) return err;
    std::string b = "{";
    render::head(b, *s);
    render::key(b, "trades");
    b += '[';
    const size_t n = std::min(limit, s->trades.size());
    for (size_t i = s->trades.size() - n; i < s->trades.size(); ++i) {
      const TradeRecord& t = s->trades[i];
      if (i != s->trades.size() - n) b += ',';
      b += '{';
      render::trade_payload(b, *s, t, true);
      b += '}';
    }
    b += "]}";
    return api_json(200, std::move(b));
  }

  HttpResponse candles(const HttpRequest& req) const {
    std::string venue, symbol;
    if (!venue_symbol(req, "/api/v1/candles/", venue, symbol))
      return api_error(404, "not_found", "use /api/v1/candles/{venue}/{symbol}?interval=1m");
    HttpResponse err;
    size_t limit = 0;
    if (!int_param(req, "limit", 100, 1, kCandleHistory, limit, err)) return err;
    CandleInterval iv = CandleInterval::m1;
    if (const std::string* p = req.param("interval"); p && !parse_interval(*p, iv))
      return api_error(400, "bad_param", "interval must be one of 1m 3m 5m 15m 30m 1h 2h 4h 1d");
    const std::string* src = req.param("source");
    if (src && *src != "venue" && *src != "trades")
      return api_error(400, "bad_param", "source must be venue or trades");
    ChannelSpec want = kind(ChannelKind::candles);
    want.interval = iv;
    if (src && *src == "trades") want = kind(ChannelKind::trades);
    const InstrumentState* s = lookup_kind(venue, symbol, want, err);
    if (!s) return err;
    if (const VenueCapabilities& caps = engine_.feed_capabilities(s->feed);
        src && *src == "venue" && !caps.venue_candle(iv)) {
      return api_error(404, "unsupported_channel",
                  "venue '" + venue + "' publishes " +
                      (caps.venue_candles ? caps.describe_venue_candles() + " candles only, not " +
                                                std::string(interval_name(iv))
                                          : std::string("no candles of its own")) +
                      (caps.trades ? "; source=trades builds every interval from its trades" : ""));
    }
    std::vector<CandleRecord> rows;
    const int ivi = static_cast<int>(iv);
    const bool want_venue = !src || *src == "venue";
    if (want_venue) {
      for (auto it = s->venue_candles.lower_bound({ivi, INT64_MIN});
           it != s->venue_candles.end() && it->first.first == ivi; ++it)
        rows.push_back(it->second);
    }
    // Without venue candles for this interval, candles built from trades stand in.
    if (rows.empty() && (!src || *src == "trades")) {
      std::vector<Candle> built;
      s->trade_candles.last(static_cast<size_t>(ivi), limit, built);
      for (const Candle& c : built)
        rows.push_back({to_candle_msg(s->trade_candles, static_cast<size_t>(ivi), c), false, 0, 0});
    }
    if (rows.size() > limit) rows.erase(rows.begin(), rows.end() - static_cast<ptrdiff_t>(limit));
    std::string b = "{";
    render::head(b, *s);
    render::key(b, "interval");
    render::str(b, interval_name(iv));
    render::key(b, "candles");
    b += '[';
    for (size_t i = 0; i < rows.size(); ++i) {
      if (i) b += ',';
      b += '{';
      std::string fields;
      render::candle_fields(fields, *s, rows[i]);
      b.append(fields, 1);  // drop the leading comma
      b += '}';
    }
    b += "]}";
    return api_json(200, std::move(b));
  }

 private:
  std::optional<RecorderView> recorder() const { return recorder_ ? recorder_() : std::nullopt; }

  static void recorder_json(std::string& b, const std::optional<RecorderView>& r) {
    if (!r) {
      b += "null";
      return;
    }
    b += '{';
    render::key(b, "healthy", true); b += r->healthy ? "true" : "false";
    render::key(b, "records_written"); render::num(b, static_cast<int64_t>(r->records_written));
    render::key(b, "dropped"); render::num(b, static_cast<int64_t>(r->dropped));
    render::key(b, "lost"); render::num(b, static_cast<int64_t>(r->lost));
    render::key(b, "errors"); render::num(b, static_cast<int64_t>(r->errors));
    render::key(b, "segments"); render::num(b, static_cast<int64_t>(r->segments));
    render::key(b, "segments_deleted"); render::num(b, static_cast<int64_t>(r->segments_deleted));
    render::key(b, "last_error"); render::str(b, r->last_error);
    b += '}';
  }

  const Engine& engine_;
  std::function<std::vector<FeedView>()> feeds_;
  std::function<std::optional<RecorderView>()> recorder_;
  const PipelineLatency* latency_;
};

}  // namespace

void install_http_api(net::Server& server, const Engine& engine, std::function<std::vector<FeedView>()> feeds,
                      std::function<std::optional<RecorderView>()> recorder, const PipelineLatency* latency,
                      net::Offload* offload) {
  auto api = std::make_shared<Api>(engine, std::move(feeds), std::move(recorder), latency);
  server.route("/healthz", api_get_only([api](const HttpRequest&) { return api->health(false); }));
  server.route("/readyz", api_get_only([api](const HttpRequest&) { return api->health(true); }));
  server.route("/api/v1/feeds", api_get_only([api](const HttpRequest&) { return api->feeds(); }));
  server.route("/api/v1/instruments", api_get_only([api](const HttpRequest&) { return api->instruments(); }));
  server.route("/api/v1/book/", get_only([api, offload](const HttpRequest& r, net::Respond respond) {
    std::function<HttpResponse()> job;
    HttpResponse err = api->book(r, job);
    if (!job) return respond(std::move(err));
    if (!offload) return respond(job());
    offload->answer(std::move(respond), std::move(job));
  }));
  server.route("/api/v1/ticker/", api_get_only([api](const HttpRequest& r) { return api->ticker(r); }));
  server.route("/api/v1/trades/", api_get_only([api](const HttpRequest& r) { return api->trades(r); }));
  server.route("/api/v1/candles/", api_get_only([api](const HttpRequest& r) { return api->candles(r); }));
  server.route("/api/", api_get_only([](const HttpRequest& r) {
    return api_error(404, "not_found", "no API endpoint at " + r.path);
  }));
}

}  // namespace mdhub
