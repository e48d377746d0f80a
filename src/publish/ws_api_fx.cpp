// Websocket API: the cross-currency channels (ws_fx.hpp). A timer, armed only while an fx
// channel is subscribed, recomputes each subscribed channel's view and publishes what
// changed: book updates keyed by (venue, symbol, native price), BBO and premium states.
#include <chrono>

#include "book/decimal.hpp"
#include "src/fx/market.hpp"
#include "src/fx/views.hpp"
#include "src/publish/render.hpp"
#include "src/publish/ws_api_impl.hpp"

namespace mdhub {

using wsapi::Client;
using wsapi::FxChannel;
using wsapi::FxKind;

namespace wsapi {

bool parse_fx_channel(std::string_view name, FxKind& kind, std::string& base, std::string& quote, std::string& error) {
  const auto c1 = name.find(':');
  if (c1 == std::string_view::npos || name.substr(c1 + 1, 3) != "fx:") return false;
  const std::string_view k = name.substr(0, c1), pair = name.substr(c1 + 4);
  if (k == "book") kind = FxKind::book;
  else if (k == "bbo") kind = FxKind::bbo;
  else if (k == "premium") kind = FxKind::premium;
  else {
    error = "fx channels are book:fx:BASE-QUOTE, bbo:fx:BASE-QUOTE and premium:fx:BASE-QUOTE";
    return true;
  }
  if (pair.find('*') != std::string_view::npos) {
    error = "wildcards (*) are not accepted for fx channels";
    return true;
  }
  const auto dash = pair.find('-');
  base = pair.substr(0, dash == std::string_view::npos ? pair.size() : dash);
  quote = dash == std::string_view::npos ? "" : pair.substr(dash + 1);
  if (!fx::valid_currency(base) || !fx::valid_currency(quote) || base == quote)
    error = "an fx channel names BASE-QUOTE, two different currencies of 2 to 12 characters of A-Z and 0-9";
  return true;
}

}  // namespace wsapi

namespace {

/// `{"type":<type>,"channel":<name>` (no closing brace).
std::string open_fx(std::string_view type, const FxChannel& ch) {
  std::string b = "{";
  render::key(b, "type", true);
  render::str(b, type);
  render::key(b, "channel");
  render::str(b, ch.name);
  return b;
}

}  // namespace

void WsApi::set_fx(const fx::FxConfig& cfg, FxStats* stats, std::function<int64_t()> now_us) {
  impl_->fx_cfg = cfg;
  impl_->fx_statics = fx::static_rates(cfg);
  impl_->fx_stats = stats;
  if (now_us) impl_->fx_now = std::move(now_us);
}

bool WsApi::Impl::fx_validate(const FxKind kind, const std::string& base, const std::string& quote, std::string& code,
                              std::string& msg) {
  const fx::FxMarket m = fx::market_of(engine, base, 1, fx_now());
  fx::FxError err;
  const bool ok = kind == FxKind::premium ? fx::premium(m, fx_cfg, fx_statics, base, quote, err).has_value()
                                          : fx::fx_book(m, fx_cfg, fx_statics, base, quote, 1, err).has_value();
  // Unavailable now is accepted: the snapshot follows once the pair can be served.
  if (ok || err.code == "book_unavailable") return true;
  code = err.code == "bad_param" ? "bad_channel" : err.code;
  msg = err.message;
  return false;
}

void WsApi::Impl::fx_attach(Client& c, const std::string& name, FxKind kind, const std::string& base,
                            const std::string& quote) {
  if (std::find(c.fx.begin(), c.fx.end(), name) != c.fx.end()) return;
  c.fx.push_back(name);
  auto it = fx_channels.find(name);
  if (it == fx_channels.end()) {
    auto ch = std::make_unique<FxChannel>();
    ch->name = name;
    ch->kind = kind;
    ch->base = base;
    ch->quote = quote;
    it = fx_channels.emplace(name, std::move(ch)).first;
  }
  it->second->subs.push_back({&c, true});
  ++stats.subscriptions;
  // The state comes with the channel's next publication (at most publish_interval_ms away).
  fx_arm();
}

void WsApi::Impl::fx_detach(Client& c, const std::string& name) {
  const auto mine = std::find(c.fx.begin(), c.fx.end(), name);
  if (mine == c.fx.end()) return;
  c.fx.erase(mine);
  --stats.subscriptions;
  auto it = fx_channels.find(name);
  if (it == fx_channels.end()) return;
  auto& subs = it->second->subs;
  subs.erase(std::remove_if(subs.begin(), subs.end(), [&](const wsapi::FxSub& s) { return s.client == &c; }),
             subs.end());
  if (subs.empty()) fx_channels.erase(it);  // nothing is kept, nor computed, for it any more
}

void WsApi::Impl::fx_arm() {
  if (fx_armed || fx_channels.empty()) return;
  fx_armed = true;
  fx_timer.expires_after(std::chrono::milliseconds(fx_cfg.publish_interval_ms));
  fx_timer.async_wait([this](boost::system::error_code ec) {
    if (ec) return;  // cancelled: the timer (and this) is going away
    fx_armed = false;
    fx_tick();
  });
}

void WsApi::Impl::fx_tick() {
  Busy busy(*this);
  for (auto& [name, ch] : fx_channels) fx_publish(*ch);
  fx_arm();
}

bool WsApi::Impl::fx_send(Client& c, const SharedText& msg) {
  if (c.closing) return true;
  if (over(*c.ws, msg->size(), conflate_at(), conflate_frames()) || behind(*c.ws, now_ns, max_lag_ns()) ||
      !c.ws->send(msg)) {
    ++stats.conflations;
    return false;
  }
  ++stats.messages_out;
  return true;
}

void WsApi::Impl::fx_publish(FxChannel& ch) {
  if (fx_stats) fx_stats->computed.fetch_add(1, std::memory_order_relaxed);
  const size_t depth = ch.kind == FxKind::book ? static_cast<size_t>(fx_cfg.channel_depth) : 1;
  const fx::FxMarket m = fx::market_of(engine, ch.base, depth, fx_now());
  fx::FxError err;
  auto count = [this](std::string_view kind) {
    if (fx_stats) fx_stats->published_one(kind);
  };
  // Sends `update` (may be null) to the subscribers that follow, `snapshot()` to those owed one.
  auto send = [&](const SharedText& update, const std::function<SharedText()>& snapshot) {
    SharedText snap;
    for (auto& sub : ch.subs) {
      if (!sub.snapshot_owed) {
        if (update && !fx_send(*sub.client, update)) sub.snapshot_owed = true;
        continue;
      }
      if (!snap) snap = snapshot();
      if (snap && fx_send(*sub.client, snap)) sub.snapshot_owed = false;
    }
  };

  if (ch.kind == FxKind::premium) {
    // With every venue gone (stale sources, books resynchronising) the state says so: no rows,
    // each venue in `excluded`, rather than the last prices standing as if live.
    auto p = fx::premium(m, fx_cfg, fx_statics, ch.base, ch.quote, err, fx_stats, true);
    if (!p || (!ch.has_state && p->rows.empty())) return;  // not servable yet
    // What the channel shows, its seq, times and ages aside.
    fx::Premium bare = *p;
    bare.seq = 0;
    bare.ts_received_us = 0;
    std::string sig;
    fx::render_premium_fields(sig, bare, false);
    if (!ch.has_state || sig != ch.signature) {
      p->seq = ++ch.seq;
      std::string b = open_fx("premium", ch);
      b += ',';
      fx::render_premium_fields(b, *p);
      ch.last = finish(std::move(b));
      ch.signature = std::move(sig);
      ch.has_state = true;
      count("ws_premium");
      for (auto& sub : ch.subs) sub.snapshot_owed = !fx_send(*sub.client, ch.last);
      return;
    }
    send(nullptr, [&] { return ch.last; });
    return;
  }

  auto book = fx::fx_book(m, fx_cfg, fx_statics, ch.base, ch.quote, depth, err, fx_stats, true);
  if (!book || (!ch.has_state && book->members.empty())) return;  // not servable yet

  if (ch.kind == FxKind::bbo) {
    std::string f;
    auto side = [&](std::string_view name, const std::vector<fx::BookEntry>& entries) {
      const fx::BookEntry* e = entries.empty() ? nullptr : &entries.front();
      const fx::FxInstrument* i = e ? book->members[e->member].inst : nullptr;
      render::key(f, name);
      if (e) render::str(f, fx::text(e->price)); else f += "null";
      render::key(f, std::string(name) + "_qty");
      if (e) render::str(f, format_decimal(e->qty, i->qty_scale)); else f += "null";
      render::key(f, std::string(name) + "_venue");
      if (e) render::str(f, i->venue); else f += "null";
      render::key(f, std::string(name) + "_symbol");
      if (e) render::str(f, i->symbol); else f += "null";
    };
    side("bid", book->bids);
    side("ask", book->asks);
    if (!ch.has_state || f != ch.signature) {
      std::string b = open_fx("bbo", ch);
      render::key(b, "venue"); render::str(b, "fx");
      render::key(b, "symbol"); render::str(b, ch.base + "-" + ch.quote);
      render::key(b, "seq"); render::num(b, static_cast<int64_t>(++ch.seq));
      render::key(b, "ts_received"); render::num(b, book->ts_received_us);
      b += f;
      ch.last = finish(std::move(b));
      ch.signature = std::move(f);
      ch.has_state = true;
      count("ws_bbo");
      for (auto& sub : ch.subs) sub.snapshot_owed = !fx_send(*sub.client, ch.last);
      return;
    }
    send(nullptr, [&] { return ch.last; });
    return;
  }

  // book: the entries now, keyed as the clients key them.
  decltype(ch.entries) now;
  for (int s = 0; s < 2; ++s) {
    for (const fx::BookEntry& e : s == 0 ? book->bids : book->asks) {
      const fx::FxInstrument& i = *book->members[e.member].inst;
      std::string full, zero;
      fx::render_entry(full, *book, e, e.qty);
      fx::render_entry(zero, *book, e, 0);
      now.emplace(std::make_tuple(s, i.venue, i.symbol, e.native), std::make_pair(std::move(full), std::move(zero)));
    }
  }
  std::string members, excluded;
  fx::render_members(members, *book, false);
  fx::render_excluded(excluded, *book);
  auto snapshot = [&]() {
    fx::FxBook copy = *book;
    copy.seq = ch.seq;
    std::string b = open_fx("book_snapshot", ch);
    b += ',';
    fx::render_book_fields(b, copy);
    return finish(std::move(b));
  };
  if (!ch.has_state) {
    ++ch.seq;
    const SharedText snap = snapshot();
    count("ws_book");
    for (auto& sub : ch.subs) sub.snapshot_owed = !fx_send(*sub.client, snap);
  } else {
    std::string sides[2];
    // Deletes of entries gone, then entries new or changed (a moved converted price, a qty).
    for (const auto& [key, texts] : ch.entries) {
      if (now.count(key)) continue;
      std::string& out = sides[std::get<0>(key)];
      out += out.empty() ? "" : ",";
      out += texts.second;
    }
    for (const auto& [key, texts] : now) {
      const auto was = ch.entries.find(key);
      if (was != ch.entries.end() && was->second.first == texts.first) continue;
      std::string& out = sides[std::get<0>(key)];
      out += out.empty() ? "" : ",";
      out += texts.first;
    }
    const bool venues_changed = members != ch.members, excluded_changed = excluded != ch.excluded;
    SharedText update;
    if (!sides[0].empty() || !sides[1].empty() || venues_changed || excluded_changed) {
      std::string b = open_fx("book_update", ch);
      render::key(b, "venue"); render::str(b, "fx");
      render::key(b, "symbol"); render::str(b, ch.base + "-" + ch.quote);
      render::key(b, "seq"); render::num(b, static_cast<int64_t>(++ch.seq));
      render::key(b, "ts_received"); render::num(b, book->ts_received_us);
      render::key(b, "bids"); b += '[' + sides[0] + ']';
      render::key(b, "asks"); b += '[' + sides[1] + ']';
      if (venues_changed) {
        render::key(b, "venues");
        fx::render_members(b, *book);
      }
      if (excluded_changed) {
        render::key(b, "excluded");
        b += excluded;
      }
      update = finish(std::move(b));
      count("ws_book");
    }
    send(update, snapshot);
  }
  ch.entries = std::move(now);
  ch.members = std::move(members);
  ch.excluded = std::move(excluded);
  ch.has_state = true;
}

}  // namespace mdhub
