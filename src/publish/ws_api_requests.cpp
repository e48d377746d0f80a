// Websocket API: client requests (subscribe, unsubscribe, list, ping) and the mapping of
// subscribed patterns onto concrete streams.
#include <algorithm>
#include <chrono>
#include <sstream>

#include "src/publish/ws_api_impl.hpp"
#include "src/publish/ws_request.hpp"
#include "src/publish/render.hpp"

namespace mdhub {

using wsapi::Client;
using wsapi::Stream;

namespace {

std::string id_or_null(const std::string& id) { return id.empty() ? std::string("null") : id; }

/// `{"type":<type>,"id":<id>,"channels":[...]}`
std::string channel_list(std::string_view type, const std::string& id, const std::vector<std::string>& names) {
  std::string b = R"({"type":")" + std::string(type) + R"(","id":)" + id_or_null(id) + R"(,"channels":[)";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) b += ',';
    render::str(b, names[i]);
  }
  b += "]}";
  return b;
}

bool has_pattern(const std::vector<ChannelSpec>& patterns, const ChannelSpec& s) {
  return std::any_of(patterns.begin(), patterns.end(), [&](const ChannelSpec& p) { return p.name() == s.name(); });
}

}  // namespace

Stream* WsApi::Impl::stream_for(const ChannelSpec& spec, const InstrumentState* inst, const ConsolidatedState* cons) {
  const std::string name = inst ? spec.concrete(inst->info.venue, inst->info.symbol)
                                : spec.concrete("all", cons->symbol);
  auto it = streams.find(name);
  if (it != streams.end()) return it->second.get();
  auto s = std::make_unique<Stream>();
  s->name = name;
  s->spec = spec;
  s->inst = inst;
  s->cons = cons;
  // Before the first subscriber's snapshot: the first watch builds the book.
  if (cons) watcher.watch_consolidated(cons->index);
  Stream* p = s.get();
  by_source[inst ? static_cast<const void*>(inst) : static_cast<const void*>(cons)].push_back(p);
  streams.emplace(name, std::move(s));
  stats.streams = streams.size();
  return p;
}

bool WsApi::Impl::covers(const ChannelSpec& p, const Stream& s) {
  const ChannelSpec& k = s.spec;
  if (p.kind != k.kind || (k.kind == ChannelKind::book_top && p.depth != k.depth) ||
      (k.kind == ChannelKind::candles && (p.interval != k.interval || p.candle_source != k.candle_source)))
    return false;
  if (s.cons) return p.venue == "all" && (p.symbol == "*" || p.symbol == s.cons->symbol);
  return p.venue != "all" && matches(p, s.inst->info.venue, s.inst->info.symbol);
}

void WsApi::Impl::release(Stream* s) {
  if (busy_depth) {
    if (!s->release_owed) unused.push_back(s);
    s->release_owed = true;
    return;
  }
  const void* src = s->inst ? static_cast<const void*>(s->inst) : static_cast<const void*>(s->cons);
  if (auto it = by_source.find(src); it != by_source.end()) {
    auto& list = it->second;
    list.erase(std::remove(list.begin(), list.end(), s), list.end());
    if (list.empty()) by_source.erase(it);
  }
  if (s->cons) watcher.unwatch_consolidated(s->cons->index);
  if (auto it = streams.find(s->name); it != streams.end()) streams.erase(it);
  stats.streams = streams.size();
}

void WsApi::Impl::release_unused() {
  std::vector<Stream*> owed;
  owed.swap(unused);
  for (Stream* s : owed) {
    s->release_owed = false;
    if (s->subs.empty()) release(s);  // unless a subscriber came back meanwhile
  }
}

bool WsApi::Impl::matches(const ChannelSpec& p, std::string_view venue, std::string_view symbol) {
  return (p.venue == "*" || p.venue == venue) && (p.symbol == "*" || p.symbol == symbol);
}

void WsApi::Impl::expand(const ChannelSpec& p, std::vector<Stream*>& out) {
  if (p.kind == ChannelKind::status) return;  // no stream: status messages go to the client itself
  if (p.venue == "all") {
    for (const auto& c : engine.consolidated())
      if (p.symbol == "*" || p.symbol == c.symbol) out.push_back(stream_for(p, nullptr, &c));
    return;
  }
  for (const auto& i : engine.instruments()) {
    if (!matches(p, i->info.venue, i->info.symbol)) continue;
    // A wildcard skips the venues that cannot provide this kind (a named venue was refused).
    if (!provides(engine.feed_capabilities(i->feed), p)) continue;
    out.push_back(stream_for(p, i.get(), nullptr));
  }
}

void WsApi::Impl::attach(Client& c, Stream* s) {
  if (!c.streams.insert(s).second) return;
  s->subs.push_back(&c);
  ++stats.subscriptions;
  if (auto msg = state(*s, false)) deliver(c, *s, msg);
}

void WsApi::Impl::detach(Client& c, Stream* s) {
  if (!c.streams.erase(s)) return;
  c.stale.erase(s);
  s->subs.erase(std::remove(s->subs.begin(), s->subs.end(), &c), s->subs.end());
  --stats.subscriptions;
  if (s->subs.empty()) {
    s->primed = false;  // should a deferred release find it subscribed again: fresh baseline
    release(s);
  }
}

bool WsApi::Impl::validate(std::string_view name, ChannelSpec& spec, std::string& code, std::string& msg) {
  if (!parse_channel(name, spec, msg)) {
    code = "bad_channel";
    return false;
  }
  if (spec.kind == ChannelKind::status) {
    if (spec.venue != "*" && !engine.capabilities(spec.venue)) {
      code = "unknown_channel";
      msg = "no venue '" + spec.venue + "' is configured";
      return false;
    }
    return true;
  }
  if (spec.venue != "*" && spec.venue != "all") {
    const VenueCapabilities* caps = engine.capabilities(spec.venue);
    if (!caps) {
      code = "unknown_channel";
      msg = "no venue '" + spec.venue + "' is configured";
      return false;
    }
    if (!provides(*caps, spec)) {
      code = "unsupported_channel";
      msg = unsupported_message(spec.venue, *caps, spec.kind_name());
      return false;
    }
  }
  if (spec.symbol != "*") {
    // Native names and any case resolve to the canonical name, which is what the client is
    // told it subscribed to and what every message of the channel carries.
    const std::string* canonical = nullptr;
    if (spec.venue == "all" || spec.venue == "*") {
      if (const ConsolidatedState* c = engine.find_consolidated(spec.symbol)) canonical = &c->symbol;
    } else if (const InstrumentState* i = engine.find(spec.venue, spec.symbol)) {
      canonical = &i->info.symbol;
    }
    if (!canonical) {
      code = "unknown_channel";
      msg = "no instrument '" + spec.symbol + "' on " + (spec.venue == "*" ? "any venue" : spec.venue);
      return false;
    }
    spec.symbol = *canonical;
  }
  return true;
}

std::vector<Stream*>* WsApi::Impl::streams_of(const void* src) {
  auto it = by_source.find(src);
  return it == by_source.end() ? nullptr : &it->second;
}

bool WsApi::Impl::admit(Client& c, std::string_view text) {
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now().time_since_epoch()).count();
  if (!c.commands) c.commands.emplace(cfg.command_rate, cfg.command_burst);
  if (c.commands->try_take(now) == 0) {
    c.refused_in_row = 0;
    return true;
  }
  ++stats.rate_limited;
  // The id is worth a parse: the client learns which command was dropped.
  WsRequest req;
  WsRequestError err;
  const std::string id = parse_ws_request(reader, text, req, err) ? req.id : err.id;
  std::ostringstream msg;
  msg.precision(15);
  msg << "more than " << cfg.command_rate << " commands per second (bursts of " << cfg.command_burst
      << "): command not executed";
  error_reply(c, id, "rate_limited", msg.str());
  if (++c.refused_in_row >= cfg.command_burst && !c.closing) {
    ++stats.rate_limit_closes;
    c.ws->close(1008, "rate_limited");
    c.closing = true;
  }
  return false;
}

void WsApi::Impl::on_message(Client& c, std::string_view text) {
  if (!admit(c, text)) return;
  WsRequest req;
  WsRequestError err;
  if (!parse_ws_request(reader, text, req, err)) return error_reply(c, err.id, err.code, err.message);
  const std::string& id = req.id;
  if (req.op == "ping") return reply(c, R"({"type":"pong","id":)" + id_or_null(id) + "}");
  if (req.op == "list") {
    std::vector<std::string> names;
    for (const auto& p : c.patterns) names.push_back(p.name());
    names.insert(names.end(), c.fx.begin(), c.fx.end());
    return reply(c, channel_list("list", id, names));
  }
  std::vector<ChannelSpec> specs;
  struct FxWanted {
    std::string name, base, quote;
    wsapi::FxKind kind;
  };
  std::vector<FxWanted> fxs;
  std::vector<std::string> names;  // as answered: canonical, in request order
  for (const auto& name : req.channels) {
    FxWanted f;
    std::string code, msg;
    if (wsapi::parse_fx_channel(name, f.kind, f.base, f.quote, msg)) {
      if (!msg.empty()) return error_reply(c, id, "bad_channel", msg, name);
      if (req.op == "subscribe" && !fx_validate(f.kind, f.base, f.quote, code, msg))
        return error_reply(c, id, code, msg, name);
      f.name = name;
      names.push_back(name);
      fxs.push_back(std::move(f));
      continue;
    }
    ChannelSpec spec;
    if (!validate(name, spec, code, msg)) return error_reply(c, id, code, msg, name);
    names.push_back(spec.name());
    specs.push_back(std::move(spec));
  }
  if (req.op == "subscribe") {
    size_t fresh = 0;
    for (const auto& s : specs) fresh += !has_pattern(c.patterns, s);
    for (const auto& f : fxs) fresh += std::find(c.fx.begin(), c.fx.end(), f.name) == c.fx.end();
    if (c.patterns.size() + c.fx.size() + fresh > cfg.max_subscriptions)
      return error_reply(c, id, "too_many_subscriptions",
                         "at most " + std::to_string(cfg.max_subscriptions) + " subscriptions per client");
    reply(c, channel_list("subscribed", id, names));
    for (auto& s : specs) {
      if (!has_pattern(c.patterns, s)) c.patterns.push_back(s);
      std::vector<Stream*> concrete;
      expand(s, concrete);
      for (Stream* st : concrete) attach(c, st);
    }
    for (const auto& f : fxs) fx_attach(c, f.name, f.kind, f.base, f.quote);
    return;
  }
  for (const auto& f : fxs) fx_detach(c, f.name);
  // unsubscribe: drop the patterns, then every stream no remaining pattern covers.
  for (const auto& s : specs) {
    c.patterns.erase(std::remove_if(c.patterns.begin(), c.patterns.end(),
                                    [&](const ChannelSpec& p) { return p.name() == s.name(); }),
                     c.patterns.end());
  }
  // Matched against the streams the client has: expanding the remaining patterns instead
  // would create streams nobody subscribes to.
  std::vector<Stream*> drop;
  for (Stream* st : c.streams) {
    if (std::none_of(c.patterns.begin(), c.patterns.end(), [&](const ChannelSpec& p) { return covers(p, *st); }))
      drop.push_back(st);
  }
  for (Stream* st : drop) detach(c, st);
  reply(c, channel_list("unsubscribed", id, names));
}

}  // namespace mdhub
