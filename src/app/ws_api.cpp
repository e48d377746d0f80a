#include "src/app/ws_api.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <set>
#include <unordered_map>

#include "feeds/common/json.hpp"
#include "src/app/ws_channels.hpp"
#include "src/engine/render.hpp"

namespace mdhub {
namespace {
namespace asio = boost::asio;
using net::SharedText;
using net::WsSession;

struct Client;

/// One concrete channel (e.g. book:btse:BTC-USD) with its subscribers.
struct Stream {
  std::string name;
  ChannelSpec spec;
  const InstrumentState* inst = nullptr;    ///< venue channels
  const ConsolidatedState* cons = nullptr;  ///< venue "all"
  uint64_t seq = 0;                         ///< per-channel sequence (not for `book`)
  std::vector<LevelUpdate> top;             ///< book<N> and book:all: the levels last sent
  bool primed = false;                      ///< `top` holds a baseline
  BboMsg last_bbo;                          ///< bbo: last sent, to skip unchanged quotes
  std::vector<Client*> subs;
};

struct Client {
  std::shared_ptr<WsSession> ws;
  std::vector<ChannelSpec> patterns;  ///< as subscribed (wildcards kept for new instruments)
  std::set<Stream*> streams;
  std::set<Stream*> stale;  ///< conflated: a fresh state is owed once the queue drains
  bool closing = false;
};

bool conflatable(ChannelKind k) { return k != ChannelKind::trades && k != ChannelKind::candles; }

}  // namespace

struct WsApi::Impl {
  Impl(asio::io_context& io, const Engine& e, WsApiConfig c) : engine(e), cfg(c), drain_timer(io) {}

  const Engine& engine;
  WsApiConfig cfg;
  asio::steady_timer drain_timer;
  bool drain_armed = false;
  WsApiStats stats;
  std::map<std::string, std::unique_ptr<Stream>, std::less<>> streams;
  std::unordered_map<const void*, std::vector<Stream*>> by_source;  ///< instrument/consolidated -> streams
  std::unordered_map<uint64_t, std::unique_ptr<Client>> clients;
  json::Reader reader;
  std::string buf;

  size_t conflate_at() const { return cfg.queue_bytes / 2; }
  size_t overflow_at() const { return cfg.queue_bytes - cfg.queue_bytes / 8; }

  // ---- output -------------------------------------------------------------------------

  static std::string head(std::string_view type, const Stream& s, uint64_t seq, int64_t ts_ex, int64_t ts_rx) {
    std::string b = "{";
    render::key(b, "type", true);
    render::str(b, type);
    render::key(b, "channel");
    render::str(b, s.name);
    render::key(b, "venue");
    render::str(b, s.inst ? std::string_view(s.inst->info.venue) : std::string_view("all"));
    render::key(b, "symbol");
    render::str(b, s.inst ? s.inst->info.symbol : s.cons->symbol);
    render::key(b, "seq");
    render::num(b, static_cast<int64_t>(seq));
    render::key(b, "ts_exchange");
    render::num(b, ts_ex);
    render::key(b, "ts_received");
    render::num(b, ts_rx);
    return b;
  }

  /// The venue's own sequence number the book is at (sequenced venues; null elsewhere), so a
  /// client can line a book message up with the venue's stream.
  static void venue_seq(std::string& b, const InstrumentState& i) {
    render::key(b, "venue_seq");
    render::num(b, i.sequenced ? static_cast<int64_t>(i.book.seq()) : kNone);
  }

  static SharedText finish(std::string&& b) {
    b += '}';
    return std::make_shared<const std::string>(std::move(b));
  }

  void reply(Client& c, std::string body) {
    if (c.closing) return;
    if (c.ws->send(std::make_shared<const std::string>(std::move(body)))) ++stats.messages_out;
  }

  void error_reply(Client& c, std::string_view id_raw, std::string_view code, std::string_view message,
                   std::string_view channel = {}) {
    ++stats.bad_requests;
    std::string b = "{";
    render::key(b, "type", true);
    render::str(b, "error");
    render::key(b, "id");
    b += id_raw.empty() ? "null" : id_raw;
    render::key(b, "code");
    render::str(b, code);
    render::key(b, "message");
    render::str(b, message);
    if (!channel.empty()) {
      render::key(b, "channel");
      render::str(b, channel);
    }
    b += '}';
    reply(c, std::move(b));
  }

  void slow_consumer(Client& c) {
    if (c.closing) return;
    ++stats.slow_consumers;
    // The error goes out through the headroom kept above overflow_at(), then the close.
    std::string b = R"({"type":"error","id":null,"code":"slow_consumer","message":"the client did not read fast enough; trades or candles would have been lost"})";
    c.ws->send(std::make_shared<const std::string>(std::move(b)));
    c.ws->close(1008, "slow_consumer");
    c.closing = true;
  }

  void deliver(Client& c, Stream& s, const SharedText& msg) {
    if (c.closing) return;
    if (conflatable(s.spec.kind)) {
      if (c.stale.count(&s)) return;
      if (c.ws->queued_bytes() + msg->size() > conflate_at() || !c.ws->send(msg)) {
        c.stale.insert(&s);
        ++stats.conflations;
        arm_drain();
        return;
      }
    } else if (c.ws->queued_bytes() + msg->size() > overflow_at() || !c.ws->send(msg)) {
      slow_consumer(c);
      return;
    }
    ++stats.messages_out;
  }

  void fan_out(Stream& s, const SharedText& msg) {
    for (Client* c : s.subs) deliver(*c, s, msg);
  }

  /// The current full state of a stream; nullptr when there is nothing to send yet.
  /// `shared`: a new state for every subscriber (advances the channel's seq); otherwise a
  /// catch-up for one client (subscribe, after conflation) at the channel's current seq,
  /// so that the other subscribers' sequence is untouched.
  SharedText state(Stream& s, bool shared) {
    const auto k = s.spec.kind;
    if (k == ChannelKind::book || k == ChannelKind::book_top) {
      if (s.cons) {
        const size_t depth = k == ChannelKind::book ? SIZE_MAX : s.spec.depth;
        // The baseline later updates are diffed against: it only moves with shared
        // messages, since between them the book does not change.
        if (shared || !s.primed) remember_top_cons(s);
        std::string b = head("book_snapshot", s, shared ? ++s.seq : s.seq, kNone, latest_ts(*s.cons));
        render::key(b, "bids");
        render::consolidated_levels(b, *s.cons, engine, Side::bid, depth);
        render::key(b, "asks");
        render::consolidated_levels(b, *s.cons, engine, Side::ask, depth);
        return finish(std::move(b));
      }
      const InstrumentState& i = *s.inst;
      if (!i.has_book || !i.in_sync) return nullptr;
      uint64_t seq = i.book_seq;
      size_t depth = SIZE_MAX;
      if (k == ChannelKind::book_top) {
        if (shared || !s.primed) remember_top(s);
        seq = shared ? ++s.seq : s.seq;
        depth = s.spec.depth;
      }
      std::string b = head("book_snapshot", s, seq, i.book_ts_exchange_us, i.book_ts_received_us);
      venue_seq(b, i);
      render::key(b, "bids");
      render::levels(b, i, Side::bid, depth);
      render::key(b, "asks");
      render::levels(b, i, Side::ask, depth);
      return finish(std::move(b));
    }
    if (k == ChannelKind::bbo) return bbo_message(s, true, shared);
    if (k == ChannelKind::ticker) {
      if (!s.inst->has_ticker) return nullptr;
      return ticker_message(s, shared);
    }
    return nullptr;  // trades and candles are events, not state
  }

  static int64_t latest_ts(const ConsolidatedState& c, const Engine& e) {
    int64_t ts = kNone;
    for (auto m : c.members) ts = std::max(ts, e.instruments()[m]->book_ts_received_us);
    return ts;
  }
  int64_t latest_ts(const ConsolidatedState& c) const { return latest_ts(c, engine); }

  void remember_top(Stream& s) {
    s.primed = true;
    s.top.clear();
    for (Side side : {Side::bid, Side::ask})
      s.inst->book.for_each(side, depth_of(s), [&](const Level& l) { s.top.push_back({side, l.price, l.qty}); });
  }
  void remember_top_cons(Stream& s) {
    s.primed = true;
    s.top.clear();
    for (Side side : {Side::bid, Side::ask})
      s.cons->book.for_each(side, depth_of(s), [&](int64_t p, int64_t q, std::span<const VenueQty>) {
        s.top.push_back({side, p, q});
      });
  }

  static size_t depth_of(const Stream& s) {
    return s.spec.kind == ChannelKind::book_top ? s.spec.depth : SIZE_MAX;
  }

  /// Level changes between the levels last sent (s.top) and the levels now; both lists are
  /// bids then asks, each best first, so one merge pass finds them.
  bool top_changes(Stream& s, std::vector<LevelUpdate>& out) {
    std::vector<LevelUpdate> before;
    before.swap(s.top);
    if (s.cons) remember_top_cons(s);
    else remember_top(s);
    out.clear();
    auto rank = [](const LevelUpdate& a, const LevelUpdate& b) {  // a before b?
      if (a.side != b.side) return a.side == Side::bid;
      return a.side == Side::bid ? a.price > b.price : a.price < b.price;
    };
    size_t i = 0, j = 0;
    while (i < before.size() || j < s.top.size()) {
      if (j == s.top.size() || (i < before.size() && rank(before[i], s.top[j]))) {
        out.push_back({before[i].side, before[i].price, 0});
        ++i;
      } else if (i == before.size() || rank(s.top[j], before[i])) {
        out.push_back(s.top[j++]);
      } else {
        if (before[i].qty != s.top[j].qty) out.push_back(s.top[j]);
        ++i;
        ++j;
      }
    }
    return !out.empty();
  }

  SharedText bbo_message(Stream& s, bool force, bool shared = true) {
    if (s.cons) {
      BboMsg b;
      if (auto l = s.cons->book.best(Side::bid)) { b.bid = l->price; b.bid_qty = l->qty; }
      if (auto l = s.cons->book.best(Side::ask)) { b.ask = l->price; b.ask_qty = l->qty; }
      if (!force && b.bid == s.last_bbo.bid && b.ask == s.last_bbo.ask && b.bid_qty == s.last_bbo.bid_qty &&
          b.ask_qty == s.last_bbo.ask_qty)
        return nullptr;
      if (shared) s.last_bbo = b;
      std::string m = head("bbo", s, shared ? ++s.seq : s.seq, kNone, latest_ts(*s.cons));
      render::key(m, "bid"); render::dec(m, b.bid, kConsolidatedScale);
      render::key(m, "bid_qty"); render::dec(m, b.bid_qty, kConsolidatedScale);
      render::key(m, "ask"); render::dec(m, b.ask, kConsolidatedScale);
      render::key(m, "ask_qty"); render::dec(m, b.ask_qty, kConsolidatedScale);
      return finish(std::move(m));
    }
    const InstrumentState& i = *s.inst;
    const BboMsg b = i.bbo();
    if (b.bid == kNone && b.ask == kNone) return nullptr;
    if (!force && b.bid == s.last_bbo.bid && b.ask == s.last_bbo.ask && b.bid_qty == s.last_bbo.bid_qty &&
        b.ask_qty == s.last_bbo.ask_qty)
      return nullptr;
    if (shared) s.last_bbo = b;
    const bool from_book = i.has_book;
    std::string m = head("bbo", s, shared ? ++s.seq : s.seq, from_book ? i.book_ts_exchange_us : i.bbo_ts_exchange_us,
                         from_book ? i.book_ts_received_us : i.bbo_ts_received_us);
    render::bbo_fields(m, i);
    return finish(std::move(m));
  }

  SharedText ticker_message(Stream& s, bool shared = true) {
    const InstrumentState& i = *s.inst;
    std::string m = head("ticker", s, shared ? ++s.seq : s.seq, i.ticker_ts_exchange_us, i.ticker_ts_received_us);
    render::ticker_fields(m, i, i.ticker);
    return finish(std::move(m));
  }

  void arm_drain() {
    if (drain_armed) return;
    drain_armed = true;
    drain_timer.expires_after(std::chrono::milliseconds(20));
    drain_timer.async_wait([this](boost::system::error_code ec) {
      drain_armed = false;
      if (!ec) drain();
    });
  }

  /// Sends the owed fresh state to conflated clients whose queue has drained.
  void drain() {
    bool pending = false;
    for (auto& [id, cp] : clients) {
      Client& c = *cp;
      if (c.stale.empty() || c.closing) continue;
      if (c.ws->queued_bytes() > cfg.queue_bytes / 4) {
        pending = true;
        continue;
      }
      auto owed = std::move(c.stale);
      c.stale.clear();
      for (Stream* s : owed) {
        if (auto msg = state(*s, false)) deliver(c, *s, msg);
      }
      pending = pending || !c.stale.empty();
    }
    if (pending) arm_drain();
  }

  // ---- subscriptions ----------------------------------------------------------------

  Stream* stream_for(const ChannelSpec& spec, const InstrumentState* inst, const ConsolidatedState* cons) {
    const std::string name = inst ? spec.concrete(inst->info.venue, inst->info.symbol)
                                  : spec.concrete("all", cons->symbol);
    auto it = streams.find(name);
    if (it != streams.end()) return it->second.get();
    auto s = std::make_unique<Stream>();
    s->name = name;
    s->spec = spec;
    s->inst = inst;
    s->cons = cons;
    Stream* p = s.get();
    by_source[inst ? static_cast<const void*>(inst) : static_cast<const void*>(cons)].push_back(p);
    streams.emplace(name, std::move(s));
    return p;
  }

  bool matches(const ChannelSpec& p, std::string_view venue, std::string_view symbol) const {
    return (p.venue == "*" || p.venue == venue) && (p.symbol == "*" || p.symbol == symbol);
  }

  /// Concrete streams a pattern covers now.
  void expand(const ChannelSpec& p, std::vector<Stream*>& out) {
    if (p.venue == "all") {
      for (const auto& c : engine.consolidated())
        if (p.symbol == "*" || p.symbol == c.symbol) out.push_back(stream_for(p, nullptr, &c));
      return;
    }
    for (const auto& i : engine.instruments())
      if (matches(p, i->info.venue, i->info.symbol)) out.push_back(stream_for(p, i.get(), nullptr));
  }

  void attach(Client& c, Stream* s) {
    if (!c.streams.insert(s).second) return;
    s->subs.push_back(&c);
    ++stats.subscriptions;
    if (auto msg = state(*s, false)) deliver(c, *s, msg);
  }

  void detach(Client& c, Stream* s) {
    if (!c.streams.erase(s)) return;
    c.stale.erase(s);
    s->subs.erase(std::remove(s->subs.begin(), s->subs.end(), &c), s->subs.end());
    if (s->subs.empty()) s->primed = false;  // unwatched streams are not kept up to date
    --stats.subscriptions;
  }

  /// Validates one channel name against the known venues and symbols.
  bool validate(std::string_view name, ChannelSpec& spec, std::string& code, std::string& msg) {
    if (!parse_channel(name, spec, msg)) {
      code = "bad_channel";
      return false;
    }
    if (spec.venue != "*" && spec.venue != "all") {
      const auto& f = engine.feeds();
      if (std::find(f.begin(), f.end(), spec.venue) == f.end()) {
        code = "unknown_channel";
        msg = "no venue '" + spec.venue + "' is configured";
        return false;
      }
    }
    if (spec.symbol != "*") {
      bool found = false;
      if (spec.venue == "all") {
        found = engine.find_consolidated(spec.symbol) != nullptr;
      } else {
        for (const auto& i : engine.instruments())
          found = found || matches(spec, i->info.venue, i->info.symbol);
      }
      if (!found) {
        code = "unknown_channel";
        msg = "no instrument '" + spec.symbol + "' on " + (spec.venue == "*" ? "any venue" : spec.venue);
        return false;
      }
    }
    return true;
  }

  // ---- client input -------------------------------------------------------------------

  void on_message(Client& c, std::string_view text) {
    json::od::document doc;
    json::od::object obj;
    if (reader.iterate(text).get(doc) || doc.get_object().get(obj)) {
      return error_reply(c, {}, "bad_request", "messages must be JSON objects");
    }
    std::string_view op, id_raw;
    std::vector<std::string> channels;
    bool has_channels = false;
    for (auto field : obj) {
      std::string_view k;
      if (field.unescaped_key().get(k)) return error_reply(c, {}, "bad_request", "malformed JSON");
      json::od::value v;
      if (field.value().get(v)) return error_reply(c, {}, "bad_request", "malformed JSON");
      if (k == "op") {
        if (v.get_string().get(op)) return error_reply(c, {}, "bad_request", "'op' must be a string");
        buf.assign(op);
        op = buf;
      } else if (k == "id") {
        json::od::json_type t;
        if (v.type().get(t) || (t != json::od::json_type::number && t != json::od::json_type::string))
          return error_reply(c, {}, "bad_request", "'id' must be a number or a string");
        id_raw = v.raw_json_token();
        while (!id_raw.empty() && (id_raw.back() == ' ' || id_raw.back() == '\n' || id_raw.back() == '\t' || id_raw.back() == '\r'))
          id_raw.remove_suffix(1);
      } else if (k == "channels") {
        has_channels = true;
        json::od::array arr;
        if (v.get_array().get(arr)) return error_reply(c, id_raw, "bad_request", "'channels' must be an array of strings");
        for (auto e : arr) {
          std::string_view ch;
          if (e.get_string().get(ch)) return error_reply(c, id_raw, "bad_request", "'channels' must be an array of strings");
          channels.emplace_back(ch);
        }
      }
    }
    const std::string id(id_raw);
    if (op.empty()) return error_reply(c, id, "bad_request", "missing 'op'");
    const std::string opname(op);
    if (opname == "ping") {
      return reply(c, R"({"type":"pong","id":)" + (id.empty() ? std::string("null") : id) + "}");
    }
    if (opname == "list") {
      std::string b = R"({"type":"list","id":)" + (id.empty() ? std::string("null") : id) + R"(,"channels":[)";
      for (size_t i = 0; i < c.patterns.size(); ++i) {
        if (i) b += ',';
        render::str(b, c.patterns[i].name());
      }
      b += "]}";
      return reply(c, std::move(b));
    }
    if (opname != "subscribe" && opname != "unsubscribe")
      return error_reply(c, id, "unknown_op", "op must be subscribe, unsubscribe, list or ping");
    if (!has_channels || channels.empty())
      return error_reply(c, id, "bad_request", "'channels' must list at least one channel");
    std::vector<ChannelSpec> specs;
    for (const auto& name : channels) {
      ChannelSpec spec;
      std::string code, msg;
      if (!validate(name, spec, code, msg)) return error_reply(c, id, code, msg, name);
      specs.push_back(std::move(spec));
    }
    if (opname == "subscribe") {
      size_t fresh = 0;
      for (const auto& s : specs) {
        bool dup = false;
        for (const auto& p : c.patterns) dup = dup || p.name() == s.name();
        fresh += !dup;
      }
      if (c.patterns.size() + fresh > cfg.max_subscriptions)
        return error_reply(c, id, "too_many_subscriptions",
                           "at most " + std::to_string(cfg.max_subscriptions) + " subscriptions per client");
      std::string b = R"({"type":"subscribed","id":)" + (id.empty() ? std::string("null") : id) + R"(,"channels":[)";
      for (size_t i = 0; i < specs.size(); ++i) {
        if (i) b += ',';
        render::str(b, specs[i].name());
      }
      b += "]}";
      reply(c, std::move(b));
      for (auto& s : specs) {
        bool dup = false;
        for (const auto& p : c.patterns) dup = dup || p.name() == s.name();
        if (!dup) c.patterns.push_back(s);
        std::vector<Stream*> concrete;
        expand(s, concrete);
        for (Stream* st : concrete) attach(c, st);
      }
      return;
    }
    // unsubscribe: drop the patterns, then every stream no remaining pattern covers.
    for (const auto& s : specs) {
      c.patterns.erase(std::remove_if(c.patterns.begin(), c.patterns.end(),
                                      [&](const ChannelSpec& p) { return p.name() == s.name(); }),
                       c.patterns.end());
    }
    std::vector<Stream*> keep;
    for (const auto& p : c.patterns) expand(p, keep);
    std::vector<Stream*> drop;
    for (Stream* st : c.streams)
      if (std::find(keep.begin(), keep.end(), st) == keep.end()) drop.push_back(st);
    for (Stream* st : drop) detach(c, st);
    std::string b = R"({"type":"unsubscribed","id":)" + (id.empty() ? std::string("null") : id) + R"(,"channels":[)";
    for (size_t i = 0; i < specs.size(); ++i) {
      if (i) b += ',';
      render::str(b, specs[i].name());
    }
    b += "]}";
    reply(c, std::move(b));
  }

  void on_open(const std::shared_ptr<WsSession>& ws) {
    if (clients.size() >= cfg.max_clients) {
      ++stats.rejected_clients;
      ws->send(std::make_shared<const std::string>(
          R"({"type":"error","id":null,"code":"too_many_clients","message":"the server has reached its client limit"})"));
      ws->close(1013, "too_many_clients");
      return;
    }
    auto c = std::make_unique<Client>();
    c->ws = ws;
    clients.emplace(ws->id(), std::move(c));
    stats.clients = clients.size();
  }

  void on_close(const std::shared_ptr<WsSession>& ws) {
    auto it = clients.find(ws->id());
    if (it == clients.end()) return;
    Client& c = *it->second;
    for (Stream* s : std::vector<Stream*>(c.streams.begin(), c.streams.end())) detach(c, s);
    clients.erase(it);
    stats.clients = clients.size();
  }

  Client* client(const std::shared_ptr<WsSession>& ws) {
    auto it = clients.find(ws->id());
    return it == clients.end() ? nullptr : it->second.get();
  }

  std::vector<Stream*>* streams_of(const void* src) {
    auto it = by_source.find(src);
    return it == by_source.end() ? nullptr : &it->second;
  }
};

WsApi::WsApi(asio::io_context& io, net::Server& server, const Engine& engine, WsApiConfig cfg)
    : impl_(std::make_unique<Impl>(io, engine, cfg)) {
  net::WsHandler h;
  Impl* impl = impl_.get();
  h.on_open = [impl](const std::shared_ptr<WsSession>& ws) { impl->on_open(ws); };
  h.on_message = [impl](const std::shared_ptr<WsSession>& ws, std::string_view text) {
    if (auto* c = impl->client(ws)) impl->on_message(*c, text);
  };
  h.on_error = [impl](const std::shared_ptr<WsSession>& ws, std::string_view code) {
    if (auto* c = impl->client(ws)) {
      impl->error_reply(*c, {}, code, "frame larger than " + std::to_string(impl->cfg.max_frame_bytes) + " bytes");
    }
  };
  h.on_close = [impl](const std::shared_ptr<WsSession>& ws) { impl->on_close(ws); };
  server.websocket("/ws", std::move(h));
}

WsApi::~WsApi() = default;

const WsApiStats& WsApi::stats() const { return impl_->stats; }

void WsApi::on_instrument_added(const InstrumentState& inst) {
  // Wildcard subscriptions cover instruments discovered after they were made.
  for (auto& [id, cp] : impl_->clients) {
    Client& c = *cp;
    for (const auto& p : c.patterns) {
      if (!p.wildcard()) continue;
      if (p.venue == "all") {
        const ConsolidatedState& cons = impl_->engine.consolidated()[inst.consolidated];
        if (p.symbol == "*" || p.symbol == cons.symbol) impl_->attach(c, impl_->stream_for(p, nullptr, &cons));
      } else if (impl_->matches(p, inst.info.venue, inst.info.symbol)) {
        impl_->attach(c, impl_->stream_for(p, &inst, nullptr));
      }
    }
  }
}

void WsApi::on_book(const InstrumentState& inst, bool snapshot, std::span<const LevelUpdate> changes) {
  auto* list = impl_->streams_of(&inst);
  if (!list) return;
  std::vector<LevelUpdate> top;
  for (Stream* s : *list) {
    if (s->subs.empty()) continue;
    if (s->spec.kind == ChannelKind::book) {
      SharedText msg;
      if (snapshot) {
        msg = impl_->state(*s, true);
      } else {
        std::string b = Impl::head("book_update", *s, inst.book_seq, inst.book_ts_exchange_us, inst.book_ts_received_us);
        Impl::venue_seq(b, inst);
        render::key(b, "bids");
        render::updates(b, inst, changes, Side::bid);
        render::key(b, "asks");
        render::updates(b, inst, changes, Side::ask);
        msg = Impl::finish(std::move(b));
      }
      if (msg) impl_->fan_out(*s, msg);
    } else if (s->spec.kind == ChannelKind::book_top) {
      if (snapshot) {
        if (auto msg = impl_->state(*s, true)) impl_->fan_out(*s, msg);
      } else if (impl_->top_changes(*s, top)) {
        std::string b = Impl::head("book_update", *s, ++s->seq, inst.book_ts_exchange_us, inst.book_ts_received_us);
        Impl::venue_seq(b, inst);
        render::key(b, "bids");
        render::updates(b, inst, top, Side::bid);
        render::key(b, "asks");
        render::updates(b, inst, top, Side::ask);
        impl_->fan_out(*s, Impl::finish(std::move(b)));
      }
    }
  }
}

void WsApi::on_bbo(const InstrumentState& inst) {
  auto* list = impl_->streams_of(&inst);
  if (!list) return;
  for (Stream* s : *list) {
    if (s->spec.kind != ChannelKind::bbo || s->subs.empty()) continue;
    if (auto msg = impl_->bbo_message(*s, false)) impl_->fan_out(*s, msg);
  }
}

void WsApi::on_ticker(const InstrumentState& inst) {
  auto* list = impl_->streams_of(&inst);
  if (!list) return;
  for (Stream* s : *list) {
    if (s->spec.kind != ChannelKind::ticker || s->subs.empty()) continue;
    impl_->fan_out(*s, impl_->ticker_message(*s));
  }
}

void WsApi::on_trade(const InstrumentState& inst, const TradeRecord& t) {
  auto* list = impl_->streams_of(&inst);
  if (!list) return;
  for (Stream* s : *list) {
    if (s->spec.kind != ChannelKind::trades || s->subs.empty()) continue;
    std::string b = Impl::head("trade", *s, ++s->seq, t.ts_exchange_us, t.ts_received_us);
    render::trade_fields(b, inst, t);
    impl_->fan_out(*s, Impl::finish(std::move(b)));
  }
}

void WsApi::on_candle(const InstrumentState& inst, const CandleRecord& c) {
  auto* list = impl_->streams_of(&inst);
  if (!list) return;
  for (Stream* s : *list) {
    if (s->spec.kind != ChannelKind::candles || s->spec.interval != c.candle.interval || s->subs.empty()) continue;
    std::string b = Impl::head("candle", *s, ++s->seq, kNone, c.ts_received_us);
    render::candle_fields(b, inst, c);
    impl_->fan_out(*s, Impl::finish(std::move(b)));
  }
}

void WsApi::on_consolidated(const ConsolidatedState& cons, std::span<const LevelUpdate> changes) {
  auto* list = impl_->streams_of(&cons);
  if (!list) return;
  std::vector<LevelUpdate> top;
  for (Stream* s : *list) {
    if (s->subs.empty()) continue;
    const auto k = s->spec.kind;
    if (k == ChannelKind::bbo) {
      if (auto msg = impl_->bbo_message(*s, false)) impl_->fan_out(*s, msg);
      continue;
    }
    if (changes.empty()) {  // a venue's contribution was replaced: fresh snapshot
      if (auto msg = impl_->state(*s, true)) impl_->fan_out(*s, msg);
      continue;
    }
    std::vector<LevelUpdate> merged;
    if (!impl_->top_changes(*s, merged)) continue;
    std::string b = Impl::head("book_update", *s, ++s->seq, kNone, impl_->latest_ts(cons));
    for (Side side : {Side::bid, Side::ask}) {
      render::key(b, side == Side::bid ? "bids" : "asks");
      b += '[';
      bool first = true;
      auto level = [&](int64_t price, int64_t qty, std::span<const VenueQty> parts) {
        if (!first) b += ',';
        first = false;
        b += '[';
        render::dec(b, price, kConsolidatedScale);
        b += ',';
        render::dec(b, qty, kConsolidatedScale);
        b += ",{";
        bool f2 = true;
        for (const VenueQty& v : parts) {
          if (v.venue >= cons.members.size()) continue;
          render::key(b, impl_->engine.instruments()[cons.members[v.venue]]->info.venue, f2);
          f2 = false;
          render::dec(b, v.qty, kConsolidatedScale);
        }
        b += "}]";
      };
      // Changed levels carry their venue breakdown; removed ones are ["price","0",{}].
      size_t pending = 0;
      for (const auto& m : merged) pending += m.side == side && m.qty != 0;
      if (pending) {
        cons.book.for_each(side, Impl::depth_of(*s), [&](int64_t p, int64_t q, std::span<const VenueQty> parts) {
          for (const auto& m : merged) {
            if (m.side == side && m.qty != 0 && m.price == p) level(p, q, parts);
          }
        });
      }
      for (const auto& m : merged) {
        if (m.side == side && m.qty == 0) level(m.price, 0, {});
      }
      b += ']';
    }
    impl_->fan_out(*s, Impl::finish(std::move(b)));
  }
}

}  // namespace mdhub
