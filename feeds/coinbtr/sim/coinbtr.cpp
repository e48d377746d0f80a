// CoinBTR (Tauros API): REST under /api/v2/trading/ (markets, tickers, per-market orderbook
// and trades in the {"success","msg","payload"} envelope) and the public websocket at the
// root ({"action":"subscribe","market":M,"channel":orderbook|ticker|trades}). Books are
// published per order: a level may show as two orders at the same price, so a client must
// sum them. The orderbook channel pushes a full replacement when it changed, throttled per
// market; the truth is the last push summed by price.
// Variants (--variant coinbtr.KEY=VALUE):
//   book=orders (default) a push is the top ten *orders* per side, as the doc says ("the top
//                ten SELL and BUY limit orders"): orders sharing a price leave fewer than ten
//                levels, and the last level shown may hold only some of its orders.
//   book=levels  a push is every order of the top ten price levels per side.
//   variation=percent (default) the ticker's `variation` is the 24 h change in percent, as
//                the doc's text says ("percentage variation price in 24h").
//   variation=ratio the same change as a ratio (x100 = percent), which the doc's example value
//                0.10004997 may also be.
//   markets=whole (default) /trading/markets/ lists every market in one answer (`next` null),
//                as the doc's example shows.
//   markets=paged the listing honours `limit` (default 1) and `offset`; `next`/`previous` are
//                the venue's public URLs of the neighbouring pages (host api.tauros.io).
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "feeds/common/json.hpp"
#include "src/sim/jsonw.hpp"
#include "src/sim/sim_venue.hpp"
#include "src/sim/venue_util.hpp"

namespace mdhub::sim {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

constexpr auto kBookThrottle = std::chrono::milliseconds(100);
constexpr size_t kWsLevels = 10, kRestOrders = 50, kTradesWindow = 10, kRestTrades = 50;
constexpr size_t kNoSymbol = static_cast<size_t>(-1);
constexpr size_t kMaxSubs = 64;  // per session
constexpr int64_t kMexicoOffsetUs = -5LL * 3600 * 1'000'000;

enum class Chan : uint8_t { orderbook, ticker, trades };
struct Sub {
  Chan chan;
  size_t local;
  bool operator==(const Sub&) const = default;
};
struct Session {
  std::vector<Sub> subs;
};

// One order of a level: about half the levels (chosen by a hash of the price, so a level
// keeps its shape) are shown as two orders.
struct Order {
  int64_t price, qty;
  bool operator==(const Order&) const = default;
};

struct Sym {
  uint32_t id = 0;
  std::vector<Order> bid_orders, ask_orders;  // the last push
  std::vector<Level> bids, asks;              // ... summed by price: the truth
  int64_t published_us = 0;
  bool dirty = false;
  Clock::time_point last_push{};
  std::unique_ptr<asio::steady_timer> timer;
  bool timer_armed = false;
  uint64_t drifts = 0;  // pushes drifted: picks the side and the level of the next
};

std::vector<Order> orders_of(const Level& l, int64_t lot) {
  const int64_t half = l.qty / lot / 2 * lot;
  const uint64_t h = static_cast<uint64_t>(l.price) * 0x9E3779B97F4A7C15ULL;
  if ((h >> 63) != 0 || half <= 0) return {{l.price, l.qty}};
  return {{l.price, half}, {l.price, l.qty - half}};
}

// Orders summed by price, in their (best first) order.
std::vector<Level> levels_of(const std::vector<Order>& orders) {
  std::vector<Level> out;
  for (const Order& o : orders) {
    if (!out.empty() && out.back().price == o.price) out.back().qty += o.qty;
    else out.push_back({o.price, o.qty});
  }
  return out;
}

int64_t pow10(int n) {
  int64_t p = 1;
  while (n-- > 0) p *= 10;
  return p;
}

// ISO-8601 in Mexico City time as the venue writes it: 2021-08-24T12:35:22.840257-05:00.
std::string iso_mexico(int64_t us) {
  const int64_t local = us + kMexicoOffsetUs;
  const auto secs = static_cast<std::time_t>(local / 1'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char b[48];
  const size_t n = std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S", &tm);
  char frac[24];
  std::snprintf(frac, sizeof frac, ".%06d-05:00", static_cast<int>(local % 1'000'000));
  return std::string(b, n) + frac;
}

net::HttpResponse json_reply(std::string body, unsigned status = 200) {
  return {status, "application/json", std::move(body), {}, false};
}

net::HttpResponse error_reply(std::string_view message, unsigned status) {
  JsonW w;
  w.obj().key("success").boolean(false).key("msg").str(message).key("payload").null().end();
  return json_reply(w.take(), status);
}

class Coinbtr final : public SimVenue {
 public:
  Coinbtr(Context& ctx, std::vector<uint32_t> ids)
      : ctx_(ctx),
        market_(ctx.market()),
        subs_(ctx.faults()),
        top_orders_(ctx.variant("coinbtr", "book") == "orders"),
        variation_percent_(ctx.variant("coinbtr", "variation") == "percent"),
        paged_markets_(ctx.variant("coinbtr", "markets") == "paged") {
    for (uint32_t id : ids) {
      Sym s;
      s.id = id;
      s.timer = std::make_unique<asio::steady_timer>(ctx.io());
      s.published_us = ctx.now_us();
      syms_.push_back(std::move(s));
      Sym& b = syms_.back();
      b.bid_orders = pushed_orders(syms_.size() - 1, market_.book(id).bids);
      b.ask_orders = pushed_orders(syms_.size() - 1, market_.book(id).asks);
      b.bids = levels_of(b.bid_orders);
      b.asks = levels_of(b.ask_orders);
    }
    ctx.route("/coinbtr/api/", [this](const net::HttpRequest& req, net::Respond respond) { respond(rest(req)); });
    net::WsHandler ws;
    ws.on_open = [this](const std::shared_ptr<net::WsSession>& s) { subs_.open(s); };
    ws.on_message = [this](const std::shared_ptr<net::WsSession>& s, std::string_view text) { on_message(s, text); };
    ws.on_close = [this](const std::shared_ptr<net::WsSession>& s) { subs_.close(s); };
    ctx.websocket("/coinbtr/", std::move(ws));
  }

  void on_step(size_t local, const Step& step) override {
    if (!step.updates.empty()) {
      syms_[local].dirty = true;
      schedule_book(local);
    }
    if (step.trades.empty()) return;
    broadcast(trades_msg(local), Chan::trades, local);
    broadcast(ticker_msg(local), Chan::ticker, local);
  }

  void flush() override {
    for (size_t i = 0; i < syms_.size(); ++i) {
      syms_[i].timer->cancel();
      syms_[i].timer_armed = false;
      if (syms_[i].dirty) publish_book(i);
    }
  }

  bool truth(std::string_view symbol, TruthBook& out) const override {
    const size_t local = find(symbol);
    if (local == kNoSymbol) return false;
    const Sym& s = syms_[local];
    const auto& sp = spec(local);
    out.symbol = sp.symbol;
    out.price_scale = sp.price_scale;
    out.qty_scale = sp.qty_scale;
    out.ts_received_us = s.published_us;  // book pushes carry only per-order times
    out.bids = s.bids;
    out.asks = s.asks;
    return true;
  }

  void stop() override {
    for (auto& s : syms_) s.timer->cancel();
    subs_.clear();
  }

 private:
  const InstrumentSpec& spec(size_t local) const { return market_.spec(syms_[local].id); }

  size_t find(std::string_view symbol) const {
    const std::string u = upper(symbol);
    for (size_t i = 0; i < syms_.size(); ++i)
      if (spec(i).native == u) return i;
    return kNoSymbol;
  }

  // ---- publishing ---------------------------------------------------------------------
  void broadcast(const std::string& text, Chan chan, size_t local) {
    const Sub want{chan, local};
    subs_.broadcast(text, [&](const Session& st) {
      return std::find(st.subs.begin(), st.subs.end(), want) != st.subs.end();
    });
  }

  void schedule_book(size_t local) {
    Sym& sym = syms_[local];
    if (Clock::now() - sym.last_push >= kBookThrottle) {
      publish_book(local);
      return;
    }
    if (sym.timer_armed) return;
    sym.timer_armed = true;
    sym.timer->expires_at(sym.last_push + kBookThrottle);
    sym.timer->async_wait([this, local, alive = ctx_.alive()](const boost::system::error_code& ec) {
      if (ec || alive.expired()) return;
      syms_[local].timer_armed = false;
      if (syms_[local].dirty && !ctx_.paused()) publish_book(local);
    });
  }

  // What a push shows of one side of the book: its first ten orders, or every order of its
  // first ten levels.
  template <class M>
  std::vector<Order> pushed_orders(size_t local, const M& side) const {
    const int64_t lot = spec(local).lot;
    std::vector<Order> out;
    size_t levels = 0;
    for (auto it = side.begin(); it != side.end() && levels < kWsLevels; ++it, ++levels)
      for (const Order& o : orders_of({it->first, it->second}, lot)) {
        if (top_orders_ && out.size() == kWsLevels) return out;
        out.push_back(o);
      }
    return out;
  }

  void publish_book(size_t local) {
    Sym& sym = syms_[local];
    sym.dirty = false;
    sym.last_push = Clock::now();
    auto bids = pushed_orders(local, market_.book(sym.id).bids);
    auto asks = pushed_orders(local, market_.book(sym.id).asks);
    if (bids == sym.bid_orders && asks == sym.ask_orders) return;  // only the top is pushed
    sym.bid_orders = std::move(bids);
    sym.ask_orders = std::move(asks);
    sym.bids = levels_of(sym.bid_orders);
    sym.asks = levels_of(sym.ask_orders);
    sym.published_us = ctx_.now_us();
    broadcast(ctx_.faults().drift("coinbtr", spec(local).native) ? drifted_book_msg(local) : book_msg(local),
              Chan::orderbook, local);
  }

  // The drift fault: one order of one of the top five levels goes out one lot bigger than it
  // is; never the last level shown, which an audit of top orders leaves out. The truth, and
  // the orders the next push is compared with, keep the real size: the client holds the wrong
  // level until the next push, and with the market paused until a resync.
  std::string drifted_book_msg(size_t local) {
    Sym& sym = syms_[local];
    const uint64_t k = sym.drifts++;
    const bool bid = k % 2 == 0;
    std::vector<Order>& orders = bid ? sym.bid_orders : sym.ask_orders;
    const std::vector<Level>& levels = bid ? sym.bids : sym.asks;
    if (levels.size() < 2) return book_msg(local);
    const int64_t price = levels[(k / 2) % std::min<size_t>(levels.size() - 1, 5)].price;
    const std::vector<Order> real = orders;
    for (Order& o : orders)
      if (o.price == price) {
        o.qty += spec(local).lot;
        break;
      }
    std::string msg = book_msg(local);
    orders = real;
    return msg;
  }

  // ---- websocket payloads -------------------------------------------------------------
  void ws_rows(JsonW& w, size_t local, const std::vector<Order>& orders) const {
    const auto& sp = spec(local);
    const int ps = sp.price_scale, qs = sp.qty_scale;
    const int64_t t_ms = syms_[local].published_us / 1000;
    w.arr();
    for (const Order& o : orders) {
      w.obj().key("a").sdec(o.qty, qs).key("p").sdec(o.price, ps, ps);
      w.key("v").sdec(o.price * o.qty / pow10(qs), ps).key("t").num(t_ms).end();
    }
    w.end();
  }

  std::string book_msg(size_t local) const {
    JsonW w;
    w.obj().key("channel").str("orderbook").key("type").str(spec(local).native).key("data").obj();
    w.key("asks");
    ws_rows(w, local, syms_[local].ask_orders);
    w.key("bids");
    ws_rows(w, local, syms_[local].bid_orders);
    return w.end().end().take();
  }

  std::span<const Trade> last_trades(size_t local, size_t n) const {
    const auto all = market_.trades(syms_[local].id);
    return all.subspan(all.size() > n ? all.size() - n : 0);
  }

  std::string trades_msg(size_t local) const {
    const auto& sp = spec(local);
    JsonW w;
    w.obj().key("channel").str("trades").key("type").str(sp.native).key("data").arr();
    const auto trades = last_trades(local, kTradesWindow);
    for (auto it = trades.rbegin(); it != trades.rend(); ++it) {  // newest first
      w.obj().key("a").sdec(it->qty, sp.qty_scale).key("v").sdec(it->price * it->qty / pow10(sp.qty_scale), sp.price_scale);
      w.key("p").sdec(it->price, sp.price_scale, sp.price_scale).key("s").num(it->side > 0 ? 1 : 0);
      w.key("t").num(it->ts_us / 1000).end();
    }
    return w.end().end().take();
  }

  std::string ticker_msg(size_t local) const {
    const auto& sp = spec(local);
    const int ps = sp.price_scale, qs = sp.qty_scale;
    const Stats st = market_.stats(syms_[local].id);
    JsonW w;
    w.obj().key("channel").str("ticker").key("market").str(sp.native).key("volume").sdec(st.volume, qs, 8);
    w.key("high").sdec(st.high, ps, 8).key("low").sdec(st.low, ps, 8).key("last").sdec(st.last, ps, 8);
    // The change as a ratio at 8 decimals is the percent at 6: both written exactly.
    const int64_t change = st.open > 0 ? (st.last - st.open) * 100'000'000 / st.open : 0;
    w.key("variation").dec(change, variation_percent_ ? 6 : 8);
    w.key("trades").arr();
    const auto trades = last_trades(local, kTradesWindow);
    for (auto it = trades.rbegin(); it != trades.rend(); ++it) {
      w.obj().key("amount").sdec(it->qty, qs, qs).key("value").sdec(it->price * it->qty / pow10(qs), ps, 2);
      w.key("price").sdec(it->price, ps, ps).key("side").str(it->side > 0 ? "BUY" : "SELL");
      w.key("timestamp").dec(it->ts_us, 3).end();  // ms with a fraction
    }
    return w.end().end().take();
  }

  // ---- websocket control ----------------------------------------------------------------
  void on_message(const std::shared_ptr<net::WsSession>& s, std::string_view text) {
    std::string action, market, channel;
    {
      auto doc = reader_.iterate(text);
      json::od::object obj;
      if (doc.get_object().get(obj)) return reply(s, "Error: invalid JSON");
      std::string_view v;
      if (!obj["action"].get_string().get(v)) action = v;
      if (!obj["market"].get_string().get(v)) market = v;
      if (!obj["channel"].get_string().get(v)) channel = v;
    }
    if (action != "subscribe" && action != "unsubscribe") return reply(s, "Error: unknown action");
    Sub sub{Chan::orderbook, find(market)};
    if (channel == "ticker") sub.chan = Chan::ticker;
    else if (channel == "trades") sub.chan = Chan::trades;
    else if (channel != "orderbook") return reply(s, "Error: unknown channel");
    if (sub.local == kNoSymbol) return reply(s, "Error: unknown market");
    auto& session = Subscribers<Session>::of(s);
    auto it = std::find(session.subs.begin(), session.subs.end(), sub);
    // Decided before the list changes: push_back invalidates `it`.
    const bool fresh = action == "subscribe" && it == session.subs.end();
    if (action == "unsubscribe") {
      if (it != session.subs.end()) session.subs.erase(it);
    } else if (fresh) {
      if (session.subs.size() >= kMaxSubs) return reply(s, "Error: too many subscriptions");
      session.subs.push_back(sub);
    }
    JsonW w;
    w.obj().key("action").str(action).key("market").str(spec(sub.local).native).key("channel").str(channel);
    reply(s, w.key("status").str("ok").end().take());
    if (!fresh) return;
    // A new subscriber starts from the current state of its stream.
    if (sub.chan == Chan::orderbook) subs_.send(s, book_msg(sub.local));
    else if (sub.chan == Chan::ticker) subs_.send(s, ticker_msg(sub.local));
    else if (!market_.trades(syms_[sub.local].id).empty()) subs_.send(s, trades_msg(sub.local));
  }

  // ---- REST ---------------------------------------------------------------------------
  net::HttpResponse rest(const net::HttpRequest& req) {
    constexpr std::string_view kPrefix = "/coinbtr/api/";
    if (req.method != "GET") return error_reply("Method not allowed", 405);
    std::string_view ep = std::string_view(req.path).substr(kPrefix.size());
    if (!ep.starts_with("v2/trading/") && !ep.starts_with("v1/trading/")) return error_reply("Not found", 404);
    ep.remove_prefix(11);
    if (ep.ends_with('/')) ep.remove_suffix(1);
    JsonW w;
    w.obj().key("success").boolean(true).key("msg").null();
    if (ep == "markets" || ep == "tickers") {
      const int64_t n = static_cast<int64_t>(syms_.size());
      int64_t first = 0, count = n;
      if (ep == "markets" && paged_markets_) {
        count = 1;
        if (!int_param(req, "limit", count) || count <= 0) return error_reply("limit must be a positive integer", 400);
        if (!int_param(req, "offset", first) || first < 0) return error_reply("offset must be a non-negative integer", 400);
      }
      const int64_t last = std::min(n, first + std::min(count, n));
      auto page = [&](int64_t offset) {
        return "https://api.tauros.io/api/v2/trading/markets/?limit=" + std::to_string(count) +
               "&offset=" + std::to_string(offset);
      };
      w.key("next");
      if (last < n) w.str(page(last));
      else w.null();
      w.key("previous");
      if (first > 0) w.str(page(std::max<int64_t>(0, first - count)));
      else w.null();
      w.key("count").num(n);
      w.key("payload").arr();
      for (int64_t k = first; k < last; ++k) {
        const auto i = static_cast<size_t>(k);
        if (ep == "markets") market_row(w.obj(), i).end();
        else ticker_row(w.obj(), i).end();
      }
      return json_reply(w.end().end().take());
    }
    const size_t slash = ep.find('/');
    if (slash == std::string_view::npos) return error_reply("Not found", 404);
    const std::string_view what = ep.substr(slash + 1);
    const size_t local = find(ep.substr(0, slash));
    if (local == kNoSymbol) return error_reply("Market not found", 404);
    const auto& sp = spec(local);
    const int ps = sp.price_scale, qs = sp.qty_scale;
    if (what == "orderbook") {
      const Book& b = market_.book(syms_[local].id);
      w.key("payload").obj().key("bids");
      rest_orders(w, local, b.bids);
      w.key("asks");
      rest_orders(w, local, b.asks);
      return json_reply(w.end().end().take());
    }
    if (what != "trades") return error_reply("Not found", 404);
    w.key("payload").arr();
    const auto trades = last_trades(local, kRestTrades);
    for (auto it = trades.rbegin(); it != trades.rend(); ++it) {  // newest first
      w.obj().key("amount").sdec(it->qty, qs, 8).key("price").sdec(it->price, ps, 8);
      w.key("created_at").str(iso_mexico(it->ts_us)).key("id").num(it->id);
      w.key("side").str(it->side > 0 ? "BUY" : "SELL").end();
    }
    return json_reply(w.end().end().take());
  }

  // The best 50 orders of one side of the current book.
  template <class M>
  void rest_orders(JsonW& w, size_t local, const M& side) const {
    const auto& sp = spec(local);
    const int ps = sp.price_scale, qs = sp.qty_scale;
    const std::string created = iso_mexico(ctx_.now_us());
    w.arr();
    size_t n = 0;
    for (auto it = side.begin(); it != side.end() && n < kRestOrders; ++it)
      for (const Order& o : orders_of({it->first, it->second}, sp.lot)) {
        if (n++ >= kRestOrders) break;
        w.obj().key("amount").dec(o.qty, qs).key("value").dec(o.price * o.qty / pow10(qs), ps);
        w.key("price").sdec(o.price, ps, 8).key("created_at").str(created);
        w.key("id").num(2'700'000 + static_cast<int64_t>(n)).end();
      }
    w.end();
  }

  JsonW& market_row(JsonW& w, size_t i) const {
    const auto& sp = spec(i);
    w.key("min_amount").sdec(sp.lot, sp.qty_scale).key("max_amount").str("500").key("min_value").str("1");
    w.key("max_value").str("10000000").key("name").str(sp.native);
    w.key("min_price").str("500.00000000").key("max_price").str("16000000.00000000");
    return w.key("is_open").boolean(true);
  }

  JsonW& ticker_row(JsonW& w, size_t i) const {
    const auto& sp = spec(i);
    const Stats st = market_.stats(syms_[i].id);
    w.key("market").str(sp.native).key("last").dec(st.last, sp.price_scale);
    w.key("high").dec(st.high, sp.price_scale).key("low").dec(st.low, sp.price_scale);
    return w.key("volume").dec(st.volume, sp.qty_scale);
  }

  Context& ctx_;
  Market& market_;
  std::vector<Sym> syms_;
  Subscribers<Session> subs_;
  json::Reader reader_;
  const bool top_orders_;         // variant book=orders
  const bool variation_percent_;  // variant variation=percent
  const bool paged_markets_;      // variant markets=paged
};

InstrumentSpec spec(const std::string& base, const std::string& quote, int ps, int qs) {
  return instrument("coinbtr", base, quote, base + "-" + quote, ps, qs, 50, 70);
}

}  // namespace

const VenueDef& coinbtr_venue() {
  static const VenueDef def{
      "coinbtr",
      "/api",
      "/",
      {},
      {"book", "bbo", "trades", "ticker"},
      {},
      {spec("BTC", "MXN", 2, 8), spec("ETH", "MXN", 2, 8), spec("USDT", "MXN", 3, 2)},  // USDT-MXN: the conversion pair
      factory<Coinbtr>(),
      {{"book", {"orders", "levels"},
        "an orderbook push is the top ten orders per side (the doc), or every order of the top ten levels"},
       {"variation", {"percent", "ratio"},
        "the ticker's variation is the 24 h change in percent (the doc's text), or as a ratio"},
       {"markets", {"whole", "paged"},
        "the market listing in one answer (the doc's example), or in pages of `limit` (default 1) at `offset`"}},
      {},  // every instrument served under every variant
  };
  return def;
}

}  // namespace mdhub::sim
