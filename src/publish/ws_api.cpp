// Websocket API: wiring to the server, and the engine-observer side that turns engine
// changes into channel messages for the subscribed streams.
#include "src/publish/ws_api.hpp"

#include "src/publish/ws_api_impl.hpp"
#include "src/publish/render.hpp"

namespace mdhub {

using wsapi::Client;
using wsapi::Stream;
using net::SharedText;
using net::WsSession;

WsApi::WsApi(boost::asio::io_context& io, net::Server& server, Engine& engine, WsApiConfig cfg,
             size_t queue_frames)
    : impl_(std::make_unique<Impl>(io, engine, cfg, queue_frames)) {
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

uint64_t WsApi::queued_bytes() const {
  uint64_t n = 0;
  for (const auto& [id, c] : impl_->clients) n += c->ws->queued_bytes();
  return n;
}

void WsApi::set_latency(PipelineLatency* latency) { impl_->latency = latency; }

void WsApi::on_instrument_added(const InstrumentState& inst) {
  // Wildcard subscriptions cover instruments discovered after they were made.
  Impl::Busy busy(*impl_);
  for (auto& [id, cp] : impl_->clients) {
    Client& c = *cp;
    for (const auto& p : c.patterns) {
      if (!p.wildcard()) continue;
      if (p.venue == "all") {
        const ConsolidatedState& cons = impl_->engine.consolidated()[inst.consolidated];
        if (p.symbol == "*" || p.symbol == cons.symbol) impl_->attach(c, impl_->stream_for(p, nullptr, &cons));
      } else if (Impl::matches(p, inst.info.venue, inst.info.symbol)) {
        impl_->attach(c, impl_->stream_for(p, &inst, nullptr));
      }
    }
  }
}

void WsApi::on_book(const InstrumentState& inst, bool snapshot, std::span<const LevelUpdate> changes) {
  Impl::Busy busy(*impl_);
  auto* list = impl_->streams_of(&inst);
  if (!list) return;
  std::vector<LevelUpdate>& top = impl_->scratch;
  for (Stream* s : *list) {
    if (s->subs.empty()) continue;
    if (s->spec.kind == ChannelKind::book) {
      s->snapshot.reset();  // the book changed
      // `book` follows the instrument's own sequence, shared by every subscriber.
      const SharedText msg = snapshot ? impl_->state(*s, true) : Impl::book_update(*s, inst, inst.book_seq, changes);
      if (msg) impl_->fan_out(*s, msg);
    } else if (s->spec.kind == ChannelKind::book_top) {
      if (snapshot) {
        if (auto msg = impl_->state(*s, true)) impl_->fan_out(*s, msg);
      } else if (impl_->top_changes(*s, changes, top)) {
        impl_->fan_out(*s, Impl::book_update(*s, inst, ++s->seq, top));
      }
    }
  }
}

void WsApi::on_bbo(const InstrumentState& inst) {
  Impl::Busy busy(*impl_);
  auto* list = impl_->streams_of(&inst);
  if (!list) return;
  for (Stream* s : *list) {
    if (s->spec.kind != ChannelKind::bbo || s->subs.empty()) continue;
    if (auto msg = impl_->bbo_message(*s, false)) impl_->fan_out(*s, msg);
  }
}

void WsApi::on_ticker(const InstrumentState& inst) {
  Impl::Busy busy(*impl_);
  auto* list = impl_->streams_of(&inst);
  if (!list) return;
  for (Stream* s : *list) {
    if (s->spec.kind != ChannelKind::ticker || s->subs.empty()) continue;
    impl_->fan_out(*s, Impl::ticker_message(*s));
  }
}

void WsApi::on_trade(const InstrumentState& inst, const TradeRecord& t) {
  Impl::Busy busy(*impl_);
  auto* list = impl_->streams_of(&inst);
  if (!list) return;
  for (Stream* s : *list) {
    if (s->spec.kind != ChannelKind::trades || s->subs.empty()) continue;
    net::FrameText f;
    std::string& b = f.text();
    Impl::open(b, "trade", *s);
    render::trade_payload(b, inst, t);
    impl_->fan_out(*s, Impl::finish(f));
  }
}

void WsApi::on_candle(const InstrumentState& inst, const CandleRecord& c) {
  Impl::Busy busy(*impl_);
  auto* list = impl_->streams_of(&inst);
  if (!list) return;
  for (Stream* s : *list) {
    if (s->spec.kind != ChannelKind::candles || s->spec.interval != c.candle.interval || s->subs.empty()) continue;
    const CandleSource want = s->spec.candle_source;
    if (want == CandleSource::preferred ? !carries_preferred(inst, c)
                                        : c.from_venue != (want == CandleSource::venue))
      continue;
    net::FrameText f;
    std::string& b = f.text();
    Impl::open(b, "candle", *s);
    render::candle_payload(b, inst, c);
    impl_->fan_out(*s, Impl::finish(f));
  }
}

void WsApi::on_consolidated(const ConsolidatedState& cons, std::span<const LevelUpdate> changes) {
  Impl::Busy busy(*impl_);
  auto* list = impl_->streams_of(&cons);
  if (!list) return;
  std::vector<LevelUpdate>& merged = impl_->scratch;
  for (Stream* s : *list) {
    if (s->subs.empty()) continue;
    if (s->spec.kind == ChannelKind::bbo) {
      if (auto msg = impl_->bbo_message(*s, false)) impl_->fan_out(*s, msg);
      continue;
    }
    if (changes.empty()) {  // a venue's contribution was replaced: fresh snapshot
      if (auto msg = impl_->state(*s, true)) impl_->fan_out(*s, msg);
      continue;
    }
    if (s->spec.kind == ChannelKind::book) {
      Impl::merged_changes(cons, changes, merged);
      if (!merged.empty()) impl_->fan_out(*s, impl_->consolidated_update(*s, cons, merged));
    } else if (impl_->top_changes(*s, changes, merged)) {
      impl_->fan_out(*s, impl_->consolidated_update(*s, cons, merged));
    }
  }
}

void WsApi::on_feed_state(size_t feed, FeedState) { impl_->status(feed); }
void WsApi::on_feed_stale(size_t feed, bool) { impl_->status(feed); }

}  // namespace mdhub
