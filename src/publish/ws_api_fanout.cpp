// Websocket API: per-client queueing. Conflation of state channels for a client that falls
// behind, the slow-consumer close for trades and candles, and the client lifecycle.
#include <chrono>

#include "src/publish/ws_api_impl.hpp"
#include "src/publish/render.hpp"

namespace mdhub {

using wsapi::Client;
using wsapi::Stream;

void WsApi::Impl::reply(Client& c, std::string body) {
  if (c.closing) return;
  if (c.ws->send(std::make_shared<const std::string>(std::move(body)))) ++stats.messages_out;
}

void WsApi::Impl::error_reply(Client& c, std::string_view id_raw, std::string_view code, std::string_view message,
                       std::string_view channel) {
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

void WsApi::Impl::slow_consumer(Client& c) {
  if (c.closing) return;
  ++stats.slow_consumers;
  // The error goes out through the headroom kept above overflow_at(), then the close.
  std::string b = R"({"type":"error","id":null,"code":"slow_consumer","message":"the client did not read fast enough; trades or candles would have been lost"})";
  c.ws->send(std::make_shared<const std::string>(std::move(b)));
  // The client keeps its subscriptions until on_close, which the server never calls from
  // inside send() or close(): a fan-out loop over a stream's subscribers stays valid, and
  // deliver() skips the client from here on.
  c.ws->close(1008, "slow_consumer");
  c.closing = true;
}

void WsApi::Impl::deliver(Client& c, Stream& s, const SharedText& msg) {
  if (c.closing) return;
  if (wsapi::conflatable(s.spec.kind)) {
    if (c.stale.count(&s)) return;
    if (over(*c.ws, msg->size(), conflate_at(), conflate_frames()) || behind(*c.ws, now_ns, max_lag_ns()) ||
        !c.ws->send(msg)) {
      c.stale.insert(&s);
      ++stats.conflations;
      arm_drain();
      return;
    }
  } else if (over(*c.ws, msg->size(), overflow_at(), overflow_frames()) || !c.ws->send(msg)) {
    slow_consumer(c);
    return;
  }
  ++stats.messages_out;
}

void WsApi::Impl::fan_out(Stream& s, const SharedText& msg) {
  for (Client* c : s.subs) deliver(*c, s, msg);
  if (latency && s.inst && !s.subs.empty()) latency->offer_frame(s.inst->feed, msg);  // latency probe
}

void WsApi::Impl::status(size_t feed) {
  const std::string& venue = engine.feeds().at(feed);
  std::string b = "{";
  render::key(b, "type", true);
  render::str(b, "status");
  render::key(b, "venue");
  render::str(b, venue);
  render::key(b, "state");
  render::str(b, to_string(engine.feed_state(feed)));
  render::key(b, "stale");
  b += engine.feed_stale(feed) ? "true" : "false";
  b += '}';
  const auto msg = std::make_shared<const std::string>(std::move(b));
  for (auto& [id, cp] : clients) {
    Client& c = *cp;
    if (c.closing) continue;
    const bool wants =
        std::any_of(c.patterns.begin(), c.patterns.end(),
                    [&](const ChannelSpec& p) { return p.kind == ChannelKind::status && (p.venue == "*" || p.venue == venue); }) ||
        std::any_of(c.streams.begin(), c.streams.end(), [&](const Stream* s) {
          return s->inst && s->inst->info.venue == venue &&
                 (s->spec.kind == ChannelKind::book || s->spec.kind == ChannelKind::book_top);
        });
    // Rare and small: it takes the queue's room like a reply (a full queue is the slow
    // client's own book conflation or trade overflow to report).
    if (wants && c.ws->send(msg)) ++stats.messages_out;
  }
}

void WsApi::Impl::arm_drain() {
  if (drain_armed) return;
  drain_armed = true;
  drain_timer.expires_after(std::chrono::milliseconds(20));
  drain_timer.async_wait([this](boost::system::error_code ec) {
    drain_armed = false;
    if (!ec) drain();
  });
}

void WsApi::Impl::drain() {
  Busy busy(*this);
  bool pending = false;
  for (auto& [id, cp] : clients) {
    Client& c = *cp;
    if (c.stale.empty() || c.closing) continue;
    // Resume once the backlog is small in bytes, frames and age, so the fresh state is not
    // queued behind stale frames.
    if (c.ws->queued_bytes() > cfg.queue_bytes / 4 || c.ws->queued_frames() > queue_frames / 4 ||
        behind(*c.ws, now_ns, max_lag_ns() / 2)) {
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

void WsApi::Impl::on_open(const std::shared_ptr<WsSession>& ws) {
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

void WsApi::Impl::on_close(const std::shared_ptr<WsSession>& ws) {
  auto it = clients.find(ws->id());
  if (it == clients.end()) return;
  Client& c = *it->second;
  for (Stream* s : std::vector<Stream*>(c.streams.begin(), c.streams.end())) detach(c, s);
  for (const std::string& name : std::vector<std::string>(c.fx)) fx_detach(c, name);
  clients.erase(it);
  stats.clients = clients.size();
}

Client* WsApi::Impl::client(const std::shared_ptr<WsSession>& ws) {
  auto it = clients.find(ws->id());
  return it == clients.end() ? nullptr : it->second.get();
}

}  // namespace mdhub
