// Websocket API: the channel messages (data payloads and full states) of a stream.
#include <algorithm>

#include "src/publish/ws_api_impl.hpp"
#include "src/publish/render.hpp"

namespace mdhub {

using wsapi::Stream;

void WsApi::Impl::open(std::string& b, std::string_view type, const Stream& s) {
  b += '{';
  render::message_head(b, type, s.name, s.inst ? std::string_view(s.inst->info.venue) : std::string_view("all"),
                       s.inst ? s.inst->info.symbol : s.cons->symbol);
}

void WsApi::Impl::head(std::string& b, std::string_view type, const Stream& s, uint64_t seq, int64_t ts_ex,
                       int64_t ts_rx) {
  open(b, type, s);
  render::stamp(b, {seq, ts_ex, ts_rx});
}

net::SharedText WsApi::Impl::finish(std::string&& b) {
  b += '}';
  return std::make_shared<const std::string>(std::move(b));
}

net::SharedText WsApi::Impl::finish(net::FrameText& f) {
  f.text() += '}';
  return f.finish();
}

net::SharedText WsApi::Impl::state(Stream& s, bool shared) {
  const auto k = s.spec.kind;
  if (k == ChannelKind::book || k == ChannelKind::book_top) {
    if (s.cons) {
      const size_t depth = k == ChannelKind::book ? SIZE_MAX : s.spec.depth;
      // The baseline later updates are diffed against: it only moves with shared
      // messages, since between them the book does not change.
      // book<N> keeps the levels it sent; book (every level) follows the changes alone.
      if (k == ChannelKind::book_top && (shared || !s.primed)) remember_top_cons(s);
      net::FrameText f;
      std::string& b = f.text();
      head(b, "book_snapshot", s, shared ? ++s.seq : s.seq, kNone, latest_ts(*s.cons));
      render::key(b, "bids");
      render::consolidated_levels(b, *s.cons, engine, Side::bid, depth);
      render::key(b, "asks");
      render::consolidated_levels(b, *s.cons, engine, Side::ask, depth);
      return finish(f);
    }
    const InstrumentState& i = *s.inst;
    if (!engine.book_served(i)) return nullptr;
    uint64_t seq = i.book_seq;
    size_t depth = SIZE_MAX;
    if (k == ChannelKind::book_top) {
      if (shared || !s.primed) remember_top(s);
      seq = shared ? ++s.seq : s.seq;
      depth = s.spec.depth;
    }
    // A venue's whole book is the same message for every subscriber until the book changes:
    // a burst of new subscribers (clients reconnecting) costs the feeds' thread one rendering.
    const bool whole = k == ChannelKind::book;
    if (whole && s.snapshot && s.snapshot_seq == seq) {
      ++stats.snapshots_reused;
      return s.snapshot;
    }
    net::FrameText f;
    open(f.text(), "book_snapshot", s);
    render::book_payload(f.text(), i, seq, depth);
    SharedText msg = finish(f);
    if (whole) {
      s.snapshot = msg;
      s.snapshot_seq = seq;
    }
    return msg;
  }
  if (k == ChannelKind::bbo) return bbo_message(s, true, shared);
  if (k == ChannelKind::ticker) {
    if (!s.inst->has_ticker) return nullptr;
    return ticker_message(s);
  }
  return nullptr;  // trades and candles are events, not state
}

int64_t WsApi::Impl::latest_ts(const ConsolidatedState& c, const Engine& e) {
  int64_t ts = kNone;
  for (auto m : c.members) ts = std::max(ts, e.instruments()[m]->book_ts_received_us);
  return ts;
}

void WsApi::Impl::remember_top(Stream& s) {
  s.primed = true;
  s.top.clear();
  for (Side side : {Side::bid, Side::ask})
    s.inst->book.for_each(side, depth_of(s), [&](const Level& l) { s.top.push_back({side, l.price, l.qty}); });
}

void WsApi::Impl::remember_top_cons(Stream& s) {
  s.primed = true;
  s.top.clear();
  for (Side side : {Side::bid, Side::ask})
    s.cons->book.for_each(side, depth_of(s), [&](int64_t p, int64_t q, std::span<const VenueQty>) {
      s.top.push_back({side, p, q});
    });
}

size_t WsApi::Impl::depth_of(const Stream& s) { return s.spec.kind == ChannelKind::book_top ? s.spec.depth : SIZE_MAX; }

net::SharedText WsApi::Impl::bbo_message(Stream& s, bool force, bool shared) {
  if (s.cons) {
    BboMsg b;
    if (auto l = s.cons->book.best(Side::bid)) { b.bid = l->price; b.bid_qty = l->qty; }
    if (auto l = s.cons->book.best(Side::ask)) { b.ask = l->price; b.ask_qty = l->qty; }
    if (!force && b.bid == s.last_bbo.bid && b.ask == s.last_bbo.ask && b.bid_qty == s.last_bbo.bid_qty &&
        b.ask_qty == s.last_bbo.ask_qty)
      return nullptr;
    if (shared) s.last_bbo = b;
    net::FrameText f;
    std::string& m = f.text();
    head(m, "bbo", s, shared ? ++s.seq : s.seq, kNone, latest_ts(*s.cons));
    render::key(m, "bid"); render::dec(m, b.bid, s.cons->price_scale);
    render::key(m, "bid_qty"); render::dec(m, b.bid_qty, s.cons->qty_scale);
    render::key(m, "ask"); render::dec(m, b.ask, s.cons->price_scale);
    render::key(m, "ask_qty"); render::dec(m, b.ask_qty, s.cons->qty_scale);
    return finish(f);
  }
  const InstrumentState& i = *s.inst;
  const BboMsg b = i.bbo();
  if (b.bid == kNone && b.ask == kNone) return nullptr;
  if (!force && b.bid == s.last_bbo.bid && b.ask == s.last_bbo.ask && b.bid_qty == s.last_bbo.bid_qty &&
      b.ask_qty == s.last_bbo.ask_qty)
    return nullptr;
  if (shared) s.last_bbo = b;
  net::FrameText f;
  open(f.text(), "bbo", s);
  render::bbo_payload(f.text(), i);
  return finish(f);
}

net::SharedText WsApi::Impl::ticker_message(const Stream& s) {
  net::FrameText f;
  open(f.text(), "ticker", s);
  render::ticker_payload(f.text(), *s.inst);
  return finish(f);
}

net::SharedText WsApi::Impl::book_update(Stream& s, const InstrumentState& inst, uint64_t seq,
                                  std::span<const LevelUpdate> changes) {
  net::FrameText f;
  open(f.text(), "book_update", s);
  render::book_update_payload(f.text(), inst, seq, changes);
  return finish(f);
}

}  // namespace mdhub
