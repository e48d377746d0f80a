// BTSE spot: REST /spot/api/v3.2/... (v3.3 alias), the trade socket /ws/spot
// (tradeHistoryApi:SYM) and the order-book socket /ws/oss/spot (update:SYM_0 snapshot then
// seqNum/prevSeqNum deltas, snapshotL1:SYM). The websocket book is the top 50 levels of a
// deeper book (50 to 80 levels a side), as the venue documents: a snapshot carries the top
// 50, and each market step is one delta of what changed inside the window - changed and new
// levels (a level entering from below arrives as a new level) and deletions of levels that
// left the book. A level pushed out of the window by a better one gets no delete: a client
// keeps its book to the window. The truth is that top-50 view; REST L2 shows the whole book.
// Each book keeps an undo history of its recent sequence numbers for the truth at a past seq.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <limits>
#include <span>

#include "feeds/common/json.hpp"
#include "src/sim/jsonw.hpp"
#include "src/sim/sim_venue.hpp"
#include "src/sim/venue_util.hpp"

namespace mdhub::sim {
namespace {

constexpr size_t kNoSymbol = static_cast<size_t>(-1);
constexpr size_t kWindow = 50;  // levels a side on the websocket book
constexpr size_t kMaxSubs = 256;  // per session
constexpr int64_t kDefaultTrades = 50, kMaxTrades = 500;
constexpr size_t kMaxCandles = 300;
constexpr int64_t kResolutions[] = {1, 5, 15, 30, 60, 240, 360, 1440, 10080, 43200};

enum class Kind : uint8_t { trade, update, l1 };
struct Sub {
  Kind kind;
  size_t local;
  std::string topic;  // as the client wrote it
  bool operator==(const Sub& o) const { return kind == o.kind && local == o.local; }
};
struct Session {
  bool oss = false;  // the order-book socket; else the trade socket
  std::vector<Sub> subs;
};

struct Sym {
  uint32_t id = 0;
  uint64_t seq = 0;
  int64_t book_ts_us = 0;  // timestamp of the last book message
  Level l1_bid{0, 0}, l1_ask{0, 0};
  BookHistory history;  // for the truth at a past seq
  std::vector<Level> win_bids, win_asks;  // the published window
};

net::HttpResponse error_reply(std::string_view message, unsigned status = 400) {
  JsonW w;
  w.obj().key("status").num(status).key("errorCode").num(status).key("message").str(message).end();
  return {status, "application/json", w.take(), {}, false};
}

net::HttpResponse json_reply(std::string body) { return {200, "application/json", std::move(body), {}, false}; }

class Btse final : public SimVenue {
 public:
  Btse(Context& ctx, std::vector<uint32_t> ids) : ctx_(ctx), market_(ctx.market()), subs_(ctx.faults()) {
    for (size_t i = 0; i < ids.size(); ++i) {
      Sym s;
      s.id = ids[i];
      s.seq = 100'000 * (i + 1);
      s.book_ts_us = ctx.now_us();
      s.history = BookHistory(s.seq, s.book_ts_us);
      s.win_bids = top_levels(market_.book(s.id).bids, kWindow);
      s.win_asks = top_levels(market_.book(s.id).asks, kWindow);
      syms_.push_back(std::move(s));
      set_l1(i);
    }
    ctx.route("/btse/spot/api/", [this](const net::HttpRequest& req, net::Respond respond) { respond(rest(req)); });
    ctx.websocket("/btse/ws/spot", handler(false));
    ctx.websocket("/btse/ws/oss/spot", handler(true));
  }

  void on_step(size_t local, const Step& step) override {
    Sym& sym = syms_[local];
    if (!step.updates.empty()) {
      ++sym.seq;
      sym.book_ts_us = step.ts_us;
      sym.history.record(step.ts_us, step.updates, step.prev_qty);
      // Every step moves the sequence, even one that only changed levels below the window
      // (its delta is empty), so the history stays one entry per sequence number.
      window_changes(Side::bid, market_.book(sym.id).bids, sym.win_bids);
      window_changes(Side::ask, market_.book(sym.id).asks, sym.win_asks);
      if (ctx_.faults().drift("btse", spec(local).native)) drift(local);
      broadcast(book_msg(local, "delta", changes_), Kind::update, local);
    }
    if (set_l1(local)) broadcast(l1_msg(local), Kind::l1, local);
    if (!step.trades.empty()) broadcast(trades_msg(local, step.trades), Kind::trade, local);
  }

  void flush() override {}  // nothing is throttled: every change is already published

  bool truth(std::string_view symbol, TruthBook& out) const override {
    const size_t local = find(symbol);
    if (local == kNoSymbol) return false;
    const Sym& s = syms_[local];
    fill_truth(local, s.seq, s.book_ts_us, market_.book(s.id), out);
    return true;
  }

  bool history_range(std::string_view symbol, uint64_t& first, uint64_t& last) const override {
    const size_t local = find(symbol);
    if (local == kNoSymbol) return false;
    first = syms_[local].history.first();
    last = syms_[local].history.last();
    return true;
  }

  bool truth_at(std::string_view symbol, uint64_t seq, TruthBook& out) const override {
    const size_t local = find(symbol);
    if (local == kNoSymbol) return false;
    const Sym& s = syms_[local];
    Book book = market_.book(s.id);
    if (!s.history.rollback(book, seq)) return false;
    fill_truth(local, seq, s.history.ts_us(seq), book, out);
    return true;
  }

  void stop() override { subs_.clear(); }

 private:
  const InstrumentSpec& spec(size_t local) const { return market_.spec(syms_[local].id); }

  // Appends to changes_ (cleared for the bids) what turns `win`, the window last published,
  // into the top of `side`, and makes `win` that.
  template <class M>
  void window_changes(Side s, const M& side, std::vector<Level>& win) {
    if (s == Side::bid) changes_.clear();
    std::vector<Level> next = top_levels(side, kWindow);
    const auto has = [](const std::vector<Level>& v, int64_t price) {
      return std::find_if(v.begin(), v.end(), [&](const Level& l) { return l.price == price; }) != v.end();
    };
    for (const Level& l : next)
      if (std::find(win.begin(), win.end(), l) == win.end()) changes_.push_back({s, l.price, l.qty});
    for (const Level& l : win)
      if (!has(next, l.price) && !side.contains(l.price)) changes_.push_back({s, l.price, 0});
    win = std::move(next);
  }

  // The drift fault: one level near the top of the published window, chosen by the sequence
  // number, goes out one lot bigger than it is. The window (what later deltas are diffed
  // against) and the truth keep the real size, so the client holds a wrong level until the
  // market next changes it.
  void drift(size_t local) {
    const Sym& sym = syms_[local];
    const bool bid = sym.seq % 2 == 0;
    const std::vector<Level>& win = bid ? sym.win_bids : sym.win_asks;
    if (win.empty()) return;
    const Level& l = win[(sym.seq / 2) % std::min<size_t>(win.size(), 5)];
    const Side side = bid ? Side::bid : Side::ask;
    const int64_t qty = l.qty + spec(local).lot;
    for (LevelUpdate& u : changes_)
      if (u.side == side && u.price == l.price) {
        u.qty = qty;
        return;
      }
    changes_.push_back({side, l.price, qty});
  }

  void fill_truth(size_t local, uint64_t seq, int64_t ts_us, const Book& b, TruthBook& out) const {
    const auto& sp = spec(local);
    out.symbol = sp.symbol;
    out.has_seq = true;
    out.seq = seq;
    out.ts_exchange_us = ts_us / 1000 * 1000;  // the venue sends ms
    out.ts_received_us = ts_us;
    out.price_scale = sp.price_scale;
    out.qty_scale = sp.qty_scale;
    out.bids = top_levels(b.bids, kWindow);
    out.asks = top_levels(b.asks, kWindow);
  }

  size_t find(std::string_view symbol) const {
    const std::string u = upper(symbol);
    for (size_t i = 0; i < syms_.size(); ++i)
      if (spec(i).native == u) return i;
    return kNoSymbol;
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

  // ---- publishing ---------------------------------------------------------------------
  void broadcast(const std::string& text, Kind kind, size_t local) {
    subs_.broadcast(text, [&](const Session& st) {
      return std::any_of(st.subs.begin(), st.subs.end(), [&](const Sub& s) { return s.kind == kind && s.local == local; });
    });
  }

  void levels(JsonW& w, Side side, std::span<const LevelUpdate> ups, int ps, int qs) const {
    w.arr();
    for (const auto& u : ups)
      if (u.side == side) {
        w.arr().sdec(u.price, ps, ps);
        if (u.qty == 0) w.str("0");  // a deleted level, written as the venue does
        else w.sdec(u.qty, qs, qs);
        w.end();
      }
    w.end();
  }

  std::string book_msg(size_t local, std::string_view type, std::span<const LevelUpdate> ups) const {
    const auto& sp = spec(local);
    const Sym& s = syms_[local];
    JsonW w;
    w.obj().key("topic").str("update:" + sp.native + "_0").key("data").obj().key("bids");
    levels(w, Side::bid, ups, sp.price_scale, sp.qty_scale);
    w.key("asks");
    levels(w, Side::ask, ups, sp.price_scale, sp.qty_scale);
    w.key("seqNum").num(static_cast<int64_t>(s.seq)).key("prevSeqNum").num(static_cast<int64_t>(s.seq - 1));
    w.key("type").str(type).key("timestamp").num(s.book_ts_us / 1000).key("symbol").str(sp.native);
    return w.end().end().take();
  }

  std::string snapshot_msg(size_t local) const {
    std::vector<LevelUpdate> all;
    const Book& b = market_.book(syms_[local].id);
    for (const Level& l : top_levels(b.bids, kWindow)) all.push_back({Side::bid, l.price, l.qty});
    for (const Level& l : top_levels(b.asks, kWindow)) all.push_back({Side::ask, l.price, l.qty});
    return book_msg(local, "snapshot", all);
  }

  std::string l1_msg(size_t local) const {
    const auto& sp = spec(local);
    const Sym& s = syms_[local];
    const int ps = sp.price_scale, qs = sp.qty_scale;
    JsonW w;
    w.obj().key("topic").str("snapshotL1:" + sp.native).key("data").obj().key("bids").arr();
    if (s.l1_bid.qty > 0) w.arr().sdec(s.l1_bid.price, ps, ps).sdec(s.l1_bid.qty, qs, qs).end();
    w.end().key("asks").arr();
    if (s.l1_ask.qty > 0) w.arr().sdec(s.l1_ask.price, ps, ps).sdec(s.l1_ask.qty, qs, qs).end();
    w.end().key("type").str("snapshotL1").key("symbol").str(sp.native).key("timestamp").num(ctx_.now_us() / 1000);
    return w.end().end().take();
  }

  void trade_fields(JsonW& w, size_t local, const Trade& t, std::string_view id_key) const {
    const auto& sp = spec(local);
    w.key("symbol").str(sp.native).key("side").str(t.side > 0 ? "BUY" : "SELL");
    w.key("size").dec(t.qty, sp.qty_scale).key("price").dec(t.price, sp.price_scale);
    w.key(id_key).num(t.id).key("timestamp").num(t.ts_us / 1000);
  }

  std::string trades_msg(size_t local, std::span<const Trade> trades) const {
    JsonW w;
    w.obj().key("topic").str("tradeHistoryApi:" + spec(local).native).key("data").arr();
    for (const Trade& t : trades) {
      trade_fields(w.obj(), local, t, "tradeId");
      w.end();
    }
    return w.end().end().take();
  }

  // ---- websocket control ----------------------------------------------------------------
  net::WsHandler handler(bool oss) {
    net::WsHandler h;
    h.on_open = [this, oss](const std::shared_ptr<net::WsSession>& s) { subs_.open(s).oss = oss; };
    h.on_message = [this](const std::shared_ptr<net::WsSession>& s, std::string_view text) { on_message(s, text); };
    h.on_close = [this](const std::shared_ptr<net::WsSession>& s) { subs_.close(s); };
    return h;
  }

  static std::string error_frame(const std::vector<std::pair<std::string, int>>& errors) {
    JsonW w;
    w.obj().key("severity").str("ERROR").key("errors").arr();
    for (const auto& [arg, code] : errors) {
      std::string_view msg = code == 1000   ? "Market pair provided is currently not supported."
                             : code == 1001 ? "Operation provided is currently not supported."
                             : code == 1005 ? "Topic provided does not exist."
                             : code == 1007 ? "User message buffer is full."
                                            : "Invalid request.";
      w.obj().key("arg").str(arg).key("error").obj().key("code").num(code).key("message").str(msg).end().end();
    }
    return w.end().end().take();
  }

  // "update:BTC-USD_0" -> kind/local; 0 or an error code.
  int classify(bool oss, std::string_view topic, Sub& out) const {
    const size_t colon = topic.find(':');
    if (colon == std::string_view::npos) return 1005;
    const std::string_view name = topic.substr(0, colon);
    std::string_view sym = topic.substr(colon + 1);
    if (!oss && name == "tradeHistoryApi") out.kind = Kind::trade;
    else if (oss && name == "snapshotL1") out.kind = Kind::l1;
    else if (oss && name == "update") {
      out.kind = Kind::update;
      // Only the finest grouping is simulated.
      if (sym.size() < 2 || sym.substr(sym.size() - 2) != "_0") return sym.find('_') == std::string_view::npos ? 1002 : 1000;
      sym.remove_suffix(2);
    } else {
      return 1005;
    }
    out.local = find(sym);
    out.topic = topic;
    return out.local == kNoSymbol ? 1000 : 0;
  }

  void on_message(const std::shared_ptr<net::WsSession>& s, std::string_view text) {
    if (text == "ping") return reply(s, "pong");
    std::string op;
    std::vector<std::string> args;
    {
      auto doc = reader_.iterate(text);
      json::od::object obj;
      std::string_view v;
      if (doc.get_object().get(obj) || obj["op"].get_string().get(v))
        return reply(s, error_frame({{std::string(text.substr(0, 200)), 1002}}));
      op = v;
      json::od::array arr;
      if (!obj["args"].get_array().get(arr))
        for (auto item : arr)
          if (!item.get_string().get(v)) args.emplace_back(v);
    }
    if (op == "ping") return reply(s, R"({"op":"pong","timestamp":)" + std::to_string(ctx_.now_us() / 1000) + "}");
    if (op != "subscribe" && op != "unsubscribe") return reply(s, error_frame({{op, 1001}}));
    auto& session = Subscribers<Session>::of(s);
    std::vector<std::pair<std::string, int>> errors;
    std::vector<Sub> ok;
    for (const auto& a : args) {
      Sub sub{};
      if (int code = classify(session.oss, a, sub)) errors.emplace_back(a, code);
      else ok.push_back(std::move(sub));
    }
    std::vector<Sub> added;
    for (auto& sub : ok) {
      auto it = std::find(session.subs.begin(), session.subs.end(), sub);
      if (op == "unsubscribe") {
        if (it != session.subs.end()) session.subs.erase(it);
      } else if (it == session.subs.end()) {
        if (session.subs.size() >= kMaxSubs) {
          errors.emplace_back(sub.topic, 1007);
          continue;
        }
        session.subs.push_back(sub);
        added.push_back(sub);
      }
    }
    if (!ok.empty()) {
      JsonW w;
      w.obj().key("event").str(op).key("channel").arr();
      for (const auto& sub : ok) w.str(sub.topic);
      reply(s, w.end().end().take());
    }
    if (!errors.empty()) reply(s, error_frame(errors));
    // A new book subscriber gets the whole book first, then the deltas.
    for (const auto& sub : added) {
      if (sub.kind == Kind::update) subs_.send(s, snapshot_msg(sub.local));
      if (sub.kind == Kind::l1) subs_.send(s, l1_msg(sub.local));
    }
  }

  // ---- REST ---------------------------------------------------------------------------
  net::HttpResponse rest(const net::HttpRequest& req) {
    constexpr std::string_view kPrefix = "/btse/spot/api/";
    if (req.method != "GET") return error_reply("METHOD_NOT_ALLOWED", 405);
    std::string_view ep = std::string_view(req.path).substr(kPrefix.size());
    if (ep.starts_with("v3.2/") || ep.starts_with("v3.3/")) ep.remove_prefix(5);
    else return error_reply("NOT_FOUND", 404);
    if (ep == "time") {
      const int64_t now = ctx_.now_us();
      const std::time_t secs = static_cast<std::time_t>(now / 1'000'000);
      std::tm tm{};
      gmtime_r(&secs, &tm);
      char iso[40];
      const size_t n = std::strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%S", &tm);
      std::string s(iso, n);
      char ms[8];
      std::snprintf(ms, sizeof ms, ".%03dZ", static_cast<int>(now / 1000 % 1000));
      JsonW w;
      return json_reply(w.obj().key("iso").str(s + ms).key("epoch").num(now / 1'000'000).end().take());
    }
    const bool all_ok = ep == "market_summary" || ep == "price";
    if (!all_ok && ep != "orderbook/L2" && ep != "orderbook" && ep != "trades" && ep != "ohlcv")
      return error_reply("NOT_FOUND", 404);
    const std::string* sym = req.param("symbol");
    size_t local = kNoSymbol;
    if (sym || !all_ok) {
      local = sym ? find(*sym) : kNoSymbol;
      if (local == kNoSymbol) return error_reply("BAD_REQUEST: market pair not supported");
    }
    JsonW w;
    if (ep == "market_summary" || ep == "price") {
      w.arr();
      for (size_t i = 0; i < syms_.size(); ++i)
        if (local == kNoSymbol || local == i) {
          if (ep == "price") price_row(w.obj(), i).end();
          else summary_row(w.obj(), i).end();
        }
      return json_reply(w.end().take());
    }
    const auto& sp = spec(local);
    const int ps = sp.price_scale, qs = sp.qty_scale;
    if (ep == "orderbook/L2" || ep == "orderbook") {
      int64_t nb = std::numeric_limits<int64_t>::max(), na = nb, group = 0;
      if (ep == "orderbook/L2" && (!int_param(req, "depth", nb) || nb <= 0))
        return error_reply("BAD_REQUEST: depth");
      if (ep == "orderbook") {
        if (!int_param(req, "group", group) || group < 0 || group > 8 || !int_param(req, "limit_bids", nb) ||
            nb <= 0 || !int_param(req, "limit_asks", na) || na <= 0)
          return error_reply("BAD_REQUEST: group or limit");
      } else {
        na = nb;
      }
      const Book& b = market_.book(syms_[local].id);
      w.obj().key("buyQuote").arr();
      int64_t k = 0;
      for (auto it = b.bids.begin(); it != b.bids.end() && k < nb; ++it, ++k)
        w.obj().key("price").sdec(it->first, ps, ps).key("size").sdec(it->second, qs, qs).end();
      // Asks are listed highest first, as the venue does: the best ask is the last row.
      std::vector<std::pair<int64_t, int64_t>> asks;
      for (auto it = b.asks.begin(); it != b.asks.end() && static_cast<int64_t>(asks.size()) < na; ++it) asks.push_back(*it);
      w.end().key("sellQuote").arr();
      for (auto it = asks.rbegin(); it != asks.rend(); ++it)
        w.obj().key("price").sdec(it->first, ps, ps).key("size").sdec(it->second, qs, qs).end();
      w.end().key("timestamp").num(syms_[local].book_ts_us / 1000).key("symbol").str(sp.native);
      return json_reply(w.end().take());
    }
    if (ep == "trades") {
      int64_t from = 0, to = std::numeric_limits<int64_t>::max() / 1000, count = kDefaultTrades;
      if (!int_param(req, "startTime", from) || !int_param(req, "endTime", to) || !int_param(req, "count", count) ||
          count <= 0)
        return error_reply("BAD_REQUEST: startTime, endTime or count");
      count = std::min(count, kMaxTrades);
      const auto trades = market_.trades(syms_[local].id);
      w.arr();
      int64_t n = 0;
      for (size_t i = trades.size(); i-- > 0 && n < count;) {  // newest first
        const Trade& t = trades[i];
        if (t.ts_us / 1000 < from || t.ts_us / 1000 > to) continue;
        trade_fields(w.obj(), local, t, "serialId");
        w.end();
        ++n;
      }
      return json_reply(w.end().take());
    }
    // ohlcv
    int64_t res = 1, from = 0, to = std::numeric_limits<int64_t>::max() / 1000;
    if (!int_param(req, "resolution", res) ||
        std::find(std::begin(kResolutions), std::end(kResolutions), res) == std::end(kResolutions))
      return error_reply("BAD_REQUEST: resolution");
    if (!int_param(req, "start", from) || !int_param(req, "end", to))
      return error_reply("BAD_REQUEST: start or end");
    // The documented unit is ms; seconds (what newer clients send) are recognised by size.
    auto to_us = [](int64_t v) { return v < 100'000'000'000 ? v * 1'000'000 : v * 1000; };
    w.arr();
    for (const Candle& c : market_.candles(syms_[local].id, res * 60, to_us(from), to_us(to), kMaxCandles)) {
      w.arr().num(c.open_time_us / 1'000'000).dec(c.open, ps).dec(c.high, ps).dec(c.low, ps).dec(c.close, ps);
      w.dec(c.volume, qs).end();
    }
    return json_reply(w.end().take());
  }

  JsonW& summary_row(JsonW& w, size_t i) const {
    const auto& sp = spec(i);
    const int ps = sp.price_scale, qs = sp.qty_scale;
    const Stats st = market_.stats(syms_[i].id);
    const Book& b = market_.book(syms_[i].id);
    w.key("symbol").str(sp.native).key("last").dec(st.last, ps);
    w.key("lowestAsk").dec(b.asks.empty() ? kNone : b.asks.begin()->first, ps);
    w.key("highestBid").dec(b.bids.empty() ? kNone : b.bids.begin()->first, ps);
    w.key("percentageChange").dec(st.open > 0 ? (st.last - st.open) * 100'000'000 / st.open : 0, 6);
    w.key("volume").dec(st.quote_volume, ps + qs).key("high24Hr").dec(st.high, ps).key("low24Hr").dec(st.low, ps);
    w.key("base").str(sp.base).key("quote").str(sp.quote).key("active").boolean(true).key("size").dec(st.volume, qs);
    w.key("minValidPrice").dec(sp.tick, ps).key("minPriceIncrement").dec(sp.tick, ps);
    w.key("minOrderSize").dec(sp.lot, qs).key("maxOrderSize").num(2000).key("minSizeIncrement").dec(sp.lot, qs);
    for (const char* k : {"openInterest", "openInterestUSD", "contractStart", "contractEnd"}) w.key(k).num(0);
    w.key("timeBasedContract").boolean(false);
    for (const char* k : {"openTime", "closeTime", "startMatching", "inactiveTime", "fundingRate", "contractSize",
                          "maxPosition", "minRiskLimit", "maxRiskLimit"})
      w.key(k).num(0);
    w.key("availableSettlement").null().key("futures").boolean(false);
    return w.key("isMarketOpenToOtc").boolean(false).key("isMarketOpenToSpot").boolean(true);
  }

  JsonW& price_row(JsonW& w, size_t i) const {
    const auto& sp = spec(i);
    const Book& b = market_.book(syms_[i].id);
    // The index is the mid, exact at one more digit: (bid + ask) / 2 = (bid + ask) * 5 / 10.
    const int64_t mid = b.bids.empty() || b.asks.empty() ? kNone : (b.bids.begin()->first + b.asks.begin()->first) * 5;
    w.key("symbol").str(sp.native).key("indexPrice").dec(mid, sp.price_scale + 1);
    return w.key("lastPrice").dec(market_.stats(syms_[i].id).last, sp.price_scale).key("markPrice").num(0);
  }

  Context& ctx_;
  Market& market_;
  std::vector<Sym> syms_;
  Subscribers<Session> subs_;
  json::Reader reader_;
  std::vector<LevelUpdate> changes_;  // the delta being built
};

InstrumentSpec spec(const std::string& base, const std::string& quote, int ps, int64_t tick, int qs) {
  // 80 levels a side: deeper than the websocket's 50-level window.
  return instrument("btse", base, quote, base + "-" + quote, ps, qs, 50, 80, tick);
}

}  // namespace

const VenueDef& btse_venue() {
  static const VenueDef def{
      "btse",
      "/spot",
      "/ws/spot",
      {{"oss_url", "/ws/oss/spot"}},
      {"book", "bbo", "trades", "ticker", "candles"},
      {},
      {spec("BTC", "USD", 1, 5, 5), spec("ETH", "USD", 2, 5, 4),
       spec("BTC", "USDT", 1, 1, 5), spec("ETH", "USDT", 2, 1, 4),
       // a conversion pair the venue lists: what turns USDT prices into USD
       spec("USDT", "USD", 4, 1, 2)},
      factory<Btse>(),
      // The docs: Retry-After "will give the unlocked timestamp"; BTSE's timestamps are ms.
      {{"retry_after", {"epoch_ms", "epoch_s", "delay", "date"},
        "the http429 fault's Retry-After: the time the limit lifts (ms or s), a delay in s, or an HTTP date"}},
      {},  // every instrument served under every variant
  };
  return def;
}

}  // namespace mdhub::sim
