// Narkasa: the websocket /v3 (SUBSCRIBE/UNSUBSCRIBE/LIST_SUBSCRIPTIONS; allTickers, ticker,
// candles, orderBook, depth, trade) and the venue's registration; REST is narkasa_rest.cpp.
// Every number is a JSON number, times are ms, `depth` pushes are throttled per symbol.
// Variants (--variant narkasa.KEY=VALUE):
//   depth=sides (default) a push carries only the side(s) that changed; the unchanged side is
//                left out or sent as [] (alternately, both spellings occur). Why the default:
//                the venue documents no semantics, and the only public clients replace per
//                side and skip an absent or empty side. In this reading an empty side cannot
//                be said, so a side that empties is not pushed (the truth keeps it, as a
//                client would).
//   depth=full   both sides, the whole top 50, in every push.
//   depth=delta  the levels of the top 50 that changed since the last push, amount 0 for a
//                level that left it (a side with no change is []); a new subscriber's first
//                push is the whole top 50 as such changes. Nothing in a push tells it from a
//                snapshot: the client is told (venue option depth_mode = "delta").
//   refuse=SYMBOL every SUBSCRIBE for that native symbol is answered "status":"failed".
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <algorithm>
#include <chrono>
#include <limits>
#include <tuple>

#include "feeds/common/json.hpp"
#include "src/sim/jsonw.hpp"
#include "feeds/narkasa/sim/narkasa.hpp"
#include "src/sim/sim_venue.hpp"
#include "src/sim/venue_util.hpp"

namespace mdhub::sim {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

constexpr auto kDepthThrottle = std::chrono::milliseconds(100);
constexpr auto kAllTickersEvery = std::chrono::seconds(1);
constexpr size_t kMaxSubs = 256;  // per session

enum class Chan : uint8_t { all_tickers, ticker, candles, order_book, depth, trade };
constexpr std::string_view kChanNames[] = {"allTickers", "ticker", "candles", "orderBook", "depth", "trade"};
bool parse_chan(std::string_view s, Chan& out) {
  for (size_t i = 0; i < std::size(kChanNames); ++i)
    if (kChanNames[i] == s) {
      out = static_cast<Chan>(i);
      return true;
    }
  return false;
}

constexpr size_t kNoSymbol = static_cast<size_t>(-1);

struct Sub {
  Chan chan;
  size_t local;          // kNoSymbol for allTickers
  std::string interval;  // candles only
  bool operator==(const Sub&) const = default;
};
struct Session {
  std::vector<Sub> subs;
};

struct Sym {
  uint32_t id = 0;
  std::vector<Level> bids, asks;  // the last published depth
  int64_t published_us = 0;
  bool dirty = false;
  Clock::time_point last_push{};
  std::unique_ptr<asio::steady_timer> timer;
  bool timer_armed = false;
  Level l1_bid{0, 0}, l1_ask{0, 0};  // the last pushed orderBook
  uint64_t drifts = 0;               // pushes drifted: picks the side and the level of the next
};

class Narkasa final : public SimVenue {
 public:
  Narkasa(Context& ctx, std::vector<uint32_t> ids)
      : ctx_(ctx),
        market_(ctx.market()),
        subs_(ctx.faults()),
        sides_(ctx.variant("narkasa", "depth") == "sides"),
        delta_(ctx.variant("narkasa", "depth") == "delta"),
        refuse_(ctx.variant("narkasa", "refuse")) {
    for (uint32_t id : ids) {
      Sym s;
      s.id = id;
      s.timer = std::make_unique<asio::steady_timer>(ctx.io());
      s.bids = top_levels(market_.book(id).bids, narkasa::kDepthLevels);
      s.asks = top_levels(market_.book(id).asks, narkasa::kDepthLevels);
      s.published_us = ctx.now_us();
      syms_.push_back(std::move(s));
      ids_.push_back(id);
    }
    for (size_t i = 0; i < syms_.size(); ++i) set_l1(i);
    ctx.route("/narkasa/v3/api/", [this](const net::HttpRequest& req, net::Respond respond) {
      respond(narkasa::rest(market_, ids_, req, ctx_.now_us()));
    });
    net::WsHandler ws;
    ws.on_open = [this](const std::shared_ptr<net::WsSession>& s) { subs_.open(s); };
    ws.on_message = [this](const std::shared_ptr<net::WsSession>& s, std::string_view text) { on_message(s, text); };
    ws.on_close = [this](const std::shared_ptr<net::WsSession>& s) { subs_.close(s); };
    ctx.websocket("/narkasa/v3", std::move(ws));
    tickers_timer_ = std::make_unique<asio::steady_timer>(ctx.io());
    arm_all_tickers();
  }

  void on_step(size_t local, const Step& step) override {
    Sym& sym = syms_[local];
    if (!step.updates.empty()) {
      sym.dirty = true;
      schedule_depth(local);
    }
    if (set_l1(local)) broadcast(l1_msg(local), [&](const Sub& s) { return s.chan == Chan::order_book && s.local == local; });
    if (step.trades.empty()) return;
    for (const Trade& t : step.trades)
      broadcast(trade_msg(local, t), [&](const Sub& s) { return s.chan == Chan::trade && s.local == local; });
    broadcast(ticker_msg(local, "ticker"), [&](const Sub& s) { return s.chan == Chan::ticker && s.local == local; });
    for (const auto& iv : narkasa::kIntervals) {
      auto match = [&](const Sub& s) { return s.chan == Chan::candles && s.local == local && s.interval == iv.name; };
      if (any_sub(match)) broadcast(candle_msg(local, iv), match);
    }
  }

  void flush() override {
    for (size_t i = 0; i < syms_.size(); ++i) {
      syms_[i].timer->cancel();
      syms_[i].timer_armed = false;
      if (syms_[i].dirty) publish_depth(i);
    }
  }

  bool truth(std::string_view symbol, TruthBook& out) const override {
    const size_t local = find(symbol);
    if (local == kNoSymbol) return false;
    const Sym& s = syms_[local];
    const auto& sp = market_.spec(s.id);
    out.symbol = sp.symbol;
    out.price_scale = sp.price_scale;
    out.qty_scale = sp.qty_scale;
    out.ts_received_us = s.published_us;  // depth pushes carry no venue timestamp
    out.bids = s.bids;
    out.asks = s.asks;
    return true;
  }

  void stop() override {
    for (auto& s : syms_) s.timer->cancel();
    tickers_timer_->cancel();
    subs_.clear();
  }

 private:
  size_t find(std::string_view symbol) const {
    const std::string u = upper(symbol);
    for (size_t i = 0; i < syms_.size(); ++i) {
      const auto& sp = market_.spec(syms_[i].id);
      if (sp.native == u || sp.symbol == u) return i;
    }
    return kNoSymbol;
  }
  size_t find_native(std::string_view symbol) const {
    const std::string u = upper(symbol);
    for (size_t i = 0; i < syms_.size(); ++i)
      if (market_.spec(syms_[i].id).native == u) return i;
    return kNoSymbol;
  }

  // ---- publishing ---------------------------------------------------------------------
  template <class Match>
  bool any_sub(Match match) const {
    return subs_.any([&](const Session& st) { return std::any_of(st.subs.begin(), st.subs.end(), match); });
  }

  template <class Match>
  void broadcast(const std::string& text, Match match) {
    subs_.broadcast(text, [&](const Session& st) { return std::any_of(st.subs.begin(), st.subs.end(), match); });
  }

  void schedule_depth(size_t local) {
    Sym& sym = syms_[local];
    const auto now = Clock::now();
    if (now - sym.last_push >= kDepthThrottle) {
      publish_depth(local);
      return;
    }
    if (sym.timer_armed) return;
    sym.timer_armed = true;
    sym.timer->expires_at(sym.last_push + kDepthThrottle);
    sym.timer->async_wait([this, local, alive = ctx_.alive()](const boost::system::error_code& ec) {
      if (ec || alive.expired()) return;
      syms_[local].timer_armed = false;
      if (syms_[local].dirty && !ctx_.paused()) publish_depth(local);
    });
  }

  void publish_depth(size_t local) {
    Sym& sym = syms_[local];
    sym.dirty = false;
    sym.last_push = Clock::now();
    auto bids = top_levels(market_.book(sym.id).bids, narkasa::kDepthLevels);
    auto asks = top_levels(market_.book(sym.id).asks, narkasa::kDepthLevels);
    bool send_bids = bids != sym.bids, send_asks = asks != sym.asks;
    // [] means "unchanged" in this reading: an emptied side cannot be published.
    if (sides_) {
      send_bids = send_bids && !bids.empty();
      send_asks = send_asks && !asks.empty();
    }
    if (!send_bids && !send_asks) return;
    if (delta_) {
      const std::string msg = delta_msg(local, changes(sym.bids, bids, Side::bid), changes(sym.asks, asks, Side::ask));
      sym.bids = std::move(bids);
      sym.asks = std::move(asks);
      sym.published_us = ctx_.now_us();
      broadcast(msg, [&](const Sub& s) { return s.chan == Chan::depth && s.local == local; });
      return;
    }
    if (send_bids) sym.bids = std::move(bids);
    if (send_asks) sym.asks = std::move(asks);
    sym.published_us = ctx_.now_us();
    if (!sides_) send_bids = send_asks = true;
    const std::string msg = ctx_.faults().drift("narkasa", spec(local).native)
                                ? drifted_depth_msg(local, send_bids, send_asks)
                                : depth_msg(local, send_bids, send_asks);
    broadcast(msg, [&](const Sub& s) { return s.chan == Chan::depth && s.local == local; });
  }

  // The drift fault: one of the top five levels of a side the push carries goes out one lot
  // bigger than it is. The truth, and the depth the next push is compared with, keep the real
  // size: the client holds the wrong level until that side is pushed again, and with the
  // market paused until a resync.
  std::string drifted_depth_msg(size_t local, bool send_bids, bool send_asks) {
    Sym& sym = syms_[local];
    const uint64_t k = sym.drifts++;
    const bool bid = send_bids && (!send_asks || k % 2 == 0);
    std::vector<Level>& levels = bid ? sym.bids : sym.asks;
    if (levels.empty()) return depth_msg(local, send_bids, send_asks);
    Level& l = levels[(k / 2) % std::min<size_t>(levels.size(), 5)];
    const Level real = l;
    l.qty += spec(local).lot;
    std::string msg = depth_msg(local, send_bids, send_asks);
    l = real;
    return msg;
  }

  bool set_l1(size_t local) {
    Sym& sym = syms_[local];
    const Book& b = market_.book(sym.id);
    const Level bid = best_level(b.bids), ask = best_level(b.asks);
    if (bid == sym.l1_bid && ask == sym.l1_ask) return false;
    sym.l1_bid = bid;
    sym.l1_ask = ask;
    return true;
  }

  void arm_all_tickers() {
    tickers_timer_->expires_after(kAllTickersEvery);
    tickers_timer_->async_wait([this, alive = ctx_.alive()](const boost::system::error_code& ec) {
      if (ec || alive.expired()) return;
      if (!ctx_.paused()) {
        auto match = [](const Sub& s) { return s.chan == Chan::all_tickers; };
        if (any_sub(match))
          for (size_t i = 0; i < syms_.size(); ++i) broadcast(ticker_msg(i, "allTickers"), match);
      }
      arm_all_tickers();
    });
  }

  // ---- payloads -----------------------------------------------------------------------
  const InstrumentSpec& spec(size_t local) const { return market_.spec(syms_[local].id); }

  /// The levels of `now` that differ from `before` (both best first), and those of `before`
  /// gone from `now` with qty 0, best first.
  static std::vector<Level> changes(const std::vector<Level>& before, const std::vector<Level>& now, Side side) {
    std::vector<Level> out;
    for (const Level& l : now) {
      auto it = std::find_if(before.begin(), before.end(), [&](const Level& b) { return b.price == l.price; });
      if (it == before.end() || it->qty != l.qty) out.push_back(l);
    }
    for (const Level& b : before) {
      if (std::none_of(now.begin(), now.end(), [&](const Level& l) { return l.price == b.price; }))
        out.push_back({b.price, 0});
    }
    std::sort(out.begin(), out.end(), [side](const Level& a, const Level& b) {
      return side == Side::bid ? a.price > b.price : a.price < b.price;
    });
    return out;
  }

  std::string delta_msg(size_t local, const std::vector<Level>& bids, const std::vector<Level>& asks) {
    const auto& sp = spec(local);
    JsonW w;
    w.obj().key("type").str("depth").key("symbol").str(sp.native).key("depth").obj();
    w.key("bids");
    narkasa::book_levels(w, bids, sp.price_scale, sp.qty_scale, true);
    w.key("asks");
    narkasa::book_levels(w, asks, sp.price_scale, sp.qty_scale, true);
    return w.end().end().take();
  }

  /// A side not sent is left out or sent as [], alternately.
  std::string depth_msg(size_t local, bool send_bids, bool send_asks) {
    const auto& sp = spec(local);
    JsonW w;
    w.obj().key("type").str("depth").key("symbol").str(sp.native).key("depth").obj();
    for (auto [key, send, levels] : {std::tuple{"bids", send_bids, &syms_[local].bids},
                                     std::tuple{"asks", send_asks, &syms_[local].asks}}) {
      if (send) {
        w.key(key);
        narkasa::book_levels(w, *levels, sp.price_scale, sp.qty_scale, true);
      } else if (++unchanged_ % 2 == 0) {
        w.key(key).arr().end();
      }
    }
    return w.end().end().take();
  }

  std::string l1_msg(size_t local) const {
    const auto& sp = spec(local);
    const Sym& s = syms_[local];
    JsonW w;
    w.obj().key("type").str("orderBook").key("symbol").str(sp.native);
    if (s.l1_bid.qty > 0) w.key("bidPrice").dec(s.l1_bid.price, sp.price_scale).key("bidAmount").dec(s.l1_bid.qty, sp.qty_scale);
    if (s.l1_ask.qty > 0) w.key("askPrice").dec(s.l1_ask.price, sp.price_scale).key("askAmount").dec(s.l1_ask.qty, sp.qty_scale);
    return w.end().take();
  }

  std::string trade_msg(size_t local, const Trade& t) const {
    const auto& sp = spec(local);
    JsonW w;
    w.obj().key("type").str("trade").key("symbol").str(sp.native).key("amount").dec(t.qty, sp.qty_scale);
    w.key("price").dec(t.price, sp.price_scale).key("tradeType").num(t.side > 0 ? 1 : 0).key("time").num(t.ts_us / 1000);
    return w.end().take();
  }

  std::string ticker_msg(size_t local, std::string_view type) const {
    JsonW w;
    w.obj().key("type").str(type).key("symbol").str(spec(local).native);
    narkasa::ticker_fields(w, market_, syms_[local].id, type == "allTickers");
    return w.end().take();
  }

  std::string candle_msg(size_t local, const narkasa::IntervalDef& iv) const {
    const auto& sp = spec(local);
    const auto cs = market_.candles(syms_[local].id, iv.seconds, 0, std::numeric_limits<int64_t>::max(), 1);
    JsonW w;
    w.obj().key("type").str("candles").key("symbol").str(sp.native).key("interval").str(iv.name).key("kline").obj();
    if (!cs.empty()) narkasa::candle_fields(w, cs.back(), sp.price_scale, sp.qty_scale);
    // For the open candle closeTime is the time of its last update, as the venue sends it.
    w.key("closeTime").num(ctx_.now_us() / 1000);
    return w.end().end().take();
  }

  // ---- websocket control ----------------------------------------------------------------
  struct Param {
    std::string type, symbol, interval;
  };

  void on_message(const std::shared_ptr<net::WsSession>& s, std::string_view text) {
    std::string method;
    std::vector<Param> params;
    {
      auto doc = reader_.iterate(text);
      json::od::object obj;
      if (doc.get_object().get(obj)) {
        reply(s, R"({"status":"error","code":"90000","message":"Invalid JSON."})");
        return;
      }
      std::string_view v;
      if (obj["method"].get_string().get(v)) {
        // The keepalive some clients send: tolerated, not answered.
        if (!obj["data"].get_string().get(v) && v == "ping") return;
        reply(s, R"({"status":"error","code":"90000","message":"Missing method."})");
        return;
      }
      method = v;
      json::od::array arr;
      if (!obj["params"].get_array().get(arr)) {
        for (auto item : arr) {
          json::od::object po;
          if (item.get_object().get(po)) continue;
          Param p;
          if (!po["type"].get_string().get(v)) p.type = v;
          if (!po["symbol"].get_string().get(v)) p.symbol = v;
          if (!po["interval"].get_string().get(v)) p.interval = v;
          params.push_back(std::move(p));
        }
      }
    }
    auto& session = Subscribers<Session>::of(s);
    if (method == "LIST_SUBSCRIPTIONS") {
      JsonW w;
      w.obj().key("method").str(method).key("status").str("success").key("result").arr();
      for (const Sub& sub : session.subs) {
        w.obj().key("type").str(kChanNames[static_cast<size_t>(sub.chan)]);
        if (sub.local != kNoSymbol) w.key("symbol").str(spec(sub.local).native);
        if (sub.chan == Chan::candles) w.key("interval").str(sub.interval);
        w.end();
      }
      reply(s, w.end().end().take());
      return;
    }
    if (method != "SUBSCRIBE" && method != "UNSUBSCRIBE") {
      JsonW w;
      w.obj().key("method").str(method).key("status").str("error").key("code").str("90000");
      reply(s, w.key("message").str("Unknown method.").end().take());
      return;
    }
    for (const Param& p : params) subscribe(s, session, method == "SUBSCRIBE", p);
  }

  void subscribe(const std::shared_ptr<net::WsSession>& s, Session& session, bool on, const Param& p) {
    const std::string_view method = on ? "SUBSCRIBE" : "UNSUBSCRIBE";
    auto answer = [&](std::string_view code, std::string_view message, std::string_view status = "error") {
      JsonW w;
      w.obj().key("method").str(method).key("status").str(code.empty() ? "success" : status).key("type").str(p.type);
      if (!p.symbol.empty()) w.key("symbol").str(p.symbol);
      if (!p.interval.empty()) w.key("interval").str(p.interval);
      if (!code.empty()) w.key("code").str(code).key("message").str(message);
      reply(s, w.end().take());
    };
    Chan chan;
    if (!parse_chan(p.type, chan)) return answer("90000", "Unknown stream type.");
    Sub sub{chan, kNoSymbol, {}};
    if (chan != Chan::all_tickers) {
      sub.local = find_native(p.symbol);
      if (sub.local == kNoSymbol) return answer("10037", "Invalid symbol.");
      if (on && spec(sub.local).native == refuse_) return answer("10037", "Invalid symbol.", "failed");
    }
    const narkasa::IntervalDef* iv = nullptr;
    if (chan == Chan::candles) {
      for (const auto& i : narkasa::kIntervals)
        if (i.name == p.interval) iv = &i;
      if (!iv) return answer("90000", "Invalid interval.");
      sub.interval = p.interval;
    }
    auto it = std::find(session.subs.begin(), session.subs.end(), sub);
    if (!on) {
      if (it != session.subs.end()) session.subs.erase(it);
      return answer({}, {});
    }
    if (it == session.subs.end()) {
      if (session.subs.size() >= kMaxSubs) return answer("90000", "Too many subscriptions.");
      session.subs.push_back(sub);
    }
    answer({}, {});
    // A new subscriber starts from the current state of its stream.
    std::string first;
    switch (chan) {
      case Chan::depth:
        first = delta_ ? delta_msg(sub.local, syms_[sub.local].bids, syms_[sub.local].asks)
                       : depth_msg(sub.local, true, true);
        break;
      case Chan::order_book: first = l1_msg(sub.local); break;
      case Chan::ticker: first = ticker_msg(sub.local, "ticker"); break;
      case Chan::candles: first = candle_msg(sub.local, *iv); break;
      case Chan::all_tickers:
        for (size_t i = 0; i < syms_.size(); ++i) subs_.send(s, ticker_msg(i, "allTickers"));
        return;
      case Chan::trade: return;
    }
    subs_.send(s, std::move(first));
  }

  Context& ctx_;
  Market& market_;
  std::vector<Sym> syms_;
  std::vector<uint32_t> ids_;
  Subscribers<Session> subs_;
  json::Reader reader_;
  std::unique_ptr<asio::steady_timer> tickers_timer_;
  const bool sides_;
  const bool delta_;
  const std::string refuse_;  // native symbol, or "none"
  uint64_t unchanged_ = 0;
};

InstrumentSpec spec(const std::string& base, const std::string& quote, int ps, int qs) {
  return instrument("narkasa", base, quote, base + quote, ps, qs, 50, 80);
}

}  // namespace

const VenueDef& narkasa_venue() {
  static const VenueDef def{
      "narkasa",
      "/v3/api",
      "/v3",
      {},
      {"book", "bbo", "trades", "ticker", "candles"},
      {},
      {spec("BTC", "TRY", 0, 4), spec("ETH", "TRY", 0, 4), spec("BTC", "USDT", 2, 5), spec("ETH", "USDT", 2, 4),
       spec("USDT", "TRY", 3, 2)},  // the conversion pair TRY <-> USDT
      factory<Narkasa>(),
      {{"depth", {"sides", "full", "delta"},
        "depth pushes carry only the changed side(s) (absent or [] = unchanged), both, or the changed levels (amount 0 deletes)"},
       {"refuse", {"none", "BTCTRY", "ETHTRY", "BTCUSDT", "ETHUSDT"}, "answer every SUBSCRIBE for this symbol \"status\":\"failed\""}},
      {},  // every instrument served under every variant
  };
  return def;
}

}  // namespace mdhub::sim
