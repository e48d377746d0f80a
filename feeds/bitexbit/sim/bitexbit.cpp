// bitexbit: REST only, API v2 under /api/v2/public (pairs, tickers, depth, trades, ohlcv).
// Every answer describes the current market, so the truth is the current top 50 per side.
// Prices and amounts are decimal strings padded to the pair's precision, except the depth
// levels, which are JSON numbers as in the venue's own example; times are ms, but the depth
// `date` is float seconds and candle times are seconds.
// Variants (--variant bitexbit.KEY=VALUE); neither changes the truth:
//   trades_order=newest (default) a /trades page is the newest `limit` trades of the asked
//                range, newest first, as in the venue's own example (ids 17802900,
//                17802242, 17802190); so a full page after `since_id` leaves older trades
//                behind it, to be fetched with `until_id`.
//   trades_order=oldest the oldest `limit` trades after `since_id`, oldest first (without
//                `since_id`, the newest `limit`, oldest first).
//   since_bound=inclusive (default) `since_id`/`until_id` are the minimal/maximal id
//                returned, as the docs describe them: the row with that id comes back.
//   since_bound=exclusive only ids strictly after `since_id` (before `until_id`).
#include <algorithm>
#include <limits>

#include "src/sim/jsonw.hpp"
#include "src/sim/sim_venue.hpp"
#include "src/sim/venue_util.hpp"

namespace mdhub::sim {
namespace {

constexpr size_t kNoSymbol = static_cast<size_t>(-1);
constexpr int64_t kMaxDepth = 50;
constexpr size_t kMaxTickerSymbols = 5;
constexpr int64_t kDefaultLimit = 100, kMaxLimit = 1000;

net::HttpResponse json_reply(std::string body, unsigned status = 200) {
  return {status, "application/json", std::move(body), {}, false};
}

net::HttpResponse error_reply(std::string_view message, unsigned status = 400) {
  JsonW w;
  w.obj().key("error").str(message).end();
  return json_reply(w.take(), status);
}

// Timeframe name -> seconds; 0 if unknown.
int64_t timeframe_seconds(std::string_view tf) {
  if (tf == "5") return 300;
  if (tf == "15") return 900;
  if (tf == "30") return 1800;
  if (tf == "60") return 3600;
  if (tf == "240") return 14400;
  if (tf == "D") return 86400;
  return 0;
}

class Bitexbit final : public SimVenue {
 public:
  Bitexbit(Context& ctx, std::vector<uint32_t> ids)
      : ctx_(ctx),
        market_(ctx.market()),
        ids_(std::move(ids)),
        newest_first_(ctx.variant("bitexbit", "trades_order") == "newest"),
        inclusive_(ctx.variant("bitexbit", "since_bound") == "inclusive") {
    ctx.route("/bitexbit/api/v2/public/", [this](const net::HttpRequest& req, net::Respond respond) {
      respond(rest(req));
    });
  }

  void on_step(size_t, const Step&) override {}
  void flush() override {}  // nothing is pushed

  bool truth(std::string_view symbol, TruthBook& out) const override {
    const size_t local = find(symbol);
    if (local == kNoSymbol) return false;
    const auto& sp = spec(local);
    const Book& b = market_.book(ids_[local]);
    out.symbol = sp.symbol;
    out.price_scale = sp.price_scale;
    out.qty_scale = sp.qty_scale;
    out.ts_received_us = ctx_.now_us();
    out.bids = top_levels(b.bids, kMaxDepth);
    out.asks = top_levels(b.asks, kMaxDepth);
    return true;
  }

  void stop() override {}

 private:
  const InstrumentSpec& spec(size_t local) const { return market_.spec(ids_[local]); }

  size_t find(std::string_view symbol) const {
    const std::string u = upper(symbol);
    for (size_t i = 0; i < ids_.size(); ++i)
      if (spec(i).native == u || spec(i).symbol == u) return i;
    return kNoSymbol;
  }

  net::HttpResponse rest(const net::HttpRequest& req) {
    constexpr std::string_view kPrefix = "/bitexbit/api/v2/public/";
    if (req.method != "GET") return error_reply("Method not allowed", 405);
    std::string_view ep = std::string_view(req.path).substr(kPrefix.size());
    if (ep.ends_with('/')) ep.remove_suffix(1);
    if (ep == "pairs") return pairs();
    if (ep == "tickers") return tickers(req);
    if (ep != "depth" && ep != "trades" && ep != "ohlcv") return error_reply("Not found", 404);
    const std::string* sym = req.param("symbol");
    if (!sym) return error_reply("symbol is required");
    const size_t local = find(*sym);
    if (local == kNoSymbol) return error_reply("Unknown symbol", 404);
    if (ep == "depth") return depth(req, local);
    if (ep == "trades") return trades(req, local);
    return ohlcv(req, local);
  }

  net::HttpResponse pairs() const {
    JsonW w;
    w.arr();
    for (size_t i = 0; i < ids_.size(); ++i) {
      const auto& sp = spec(i);
      w.obj().key("symbol").str(sp.native).key("label").str(sp.base + "/" + sp.quote);
      w.key("base").str(sp.base).key("quote").str(sp.quote);
      w.key("price_precision").num(sp.price_scale).key("amount_precision").num(sp.qty_scale);
      w.key("min_amount").sdec(sp.lot, sp.qty_scale, 8).key("max_amount").str("100000000");
      w.key("min_value").sdec(sp.tick, sp.price_scale, 8);
      w.key("can_create_order").boolean(true).key("can_cancel_order").boolean(true).key("is_enabled").boolean(true);
      w.end();
    }
    return json_reply(w.end().take());
  }

  net::HttpResponse tickers(const net::HttpRequest& req) const {
    std::vector<size_t> which;
    if (const std::string* list = req.param("symbols"); list && !list->empty()) {
      std::string_view rest = *list;
      while (!rest.empty()) {
        const size_t comma = rest.find(',');
        const std::string_view one = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        const size_t local = find(one);
        if (local == kNoSymbol) return error_reply("Unknown symbol " + std::string(one), 404);
        if (std::find(which.begin(), which.end(), local) == which.end()) which.push_back(local);
      }
      if (which.size() > kMaxTickerSymbols) return error_reply("At most 5 symbols");
    } else {
      for (size_t i = 0; i < ids_.size(); ++i) which.push_back(i);
    }
    JsonW w;
    w.arr();
    for (size_t i : which) {
      const auto& sp = spec(i);
      const int ps = sp.price_scale, qs = sp.qty_scale;
      const Stats st = market_.stats(ids_[i]);
      const Book& b = market_.book(ids_[i]);
      const auto trades = market_.trades(ids_[i]);
      const int64_t date_us = trades.empty() ? ctx_.now_us() : trades.back().ts_us;
      // Percent change at two decimals: 100 * (last - open) / open, at scale 2.
      const int64_t change = st.open > 0 ? (st.last - st.open) * 10'000 / st.open : 0;
      w.obj().key("date").num(date_us / 1000).key("symbol").str(sp.native);
      w.key("last").sdec(st.last, ps, 8);
      w.key("buy").sdec(b.bids.empty() ? 0 : b.bids.begin()->first, ps, 8);
      w.key("sell").sdec(b.asks.empty() ? 0 : b.asks.begin()->first, ps, 8);
      w.key("change").sdec(change, 2, 8).key("vol1").sdec(st.volume, qs, 8);
      // The quote volume carries price and amount decimals; the venue writes it at the price's.
      w.key("vol2").sdec(st.quote_volume / pow10(qs), ps, 8);
      w.key("high").sdec(st.high, ps, 8).key("low").sdec(st.low, ps, 8).end();
    }
    return json_reply(w.end().take());
  }

  net::HttpResponse depth(const net::HttpRequest& req, size_t local) const {
    int64_t limit = kMaxDepth;
    if (!int_param(req, "limit", limit) || limit <= 0) return error_reply("limit must be a positive integer");
    const size_t n = static_cast<size_t>(std::min(limit, kMaxDepth));
    const auto& sp = spec(local);
    const Book& b = market_.book(ids_[local]);
    const auto bids = top_levels(b.bids, n), asks = top_levels(b.asks, n);
    JsonW w;
    w.obj().key("date").dec(ctx_.now_us(), 6);
    int64_t sum_asks = 0, sum_bids = 0;
    w.key("asks").arr();
    for (const Level& l : asks) {
      w.arr().dec(l.price, sp.price_scale).dec(l.qty, sp.qty_scale).end();
      sum_asks += l.qty;
    }
    w.end().key("bids").arr();
    for (const Level& l : bids) {
      w.arr().dec(l.price, sp.price_scale).dec(l.qty, sp.qty_scale).end();
      sum_bids += l.qty;
    }
    w.end().key("sum_bids").dec(sum_bids, sp.qty_scale).key("sum_asks").dec(sum_asks, sp.qty_scale);
    return json_reply(w.end().take());
  }

  net::HttpResponse trades(const net::HttpRequest& req, size_t local) const {
    int64_t limit = kDefaultLimit, since_id = -1, until_id = -1;
    if (!int_param(req, "limit", limit) || limit <= 0) return error_reply("limit must be a positive integer");
    if (!int_param(req, "since_id", since_id)) return error_reply("since_id must be an integer");
    if (!int_param(req, "until_id", until_id)) return error_reply("until_id must be an integer");
    const size_t n = static_cast<size_t>(std::min(limit, kMaxLimit));
    const bool has_since = req.param("since_id") != nullptr, has_until = req.param("until_id") != nullptr;
    const auto& sp = spec(local);
    const auto all = market_.trades(ids_[local]);  // ascending ids
    // [first, last) is the asked range; the page is its newest or oldest n.
    size_t first = 0, last = all.size();
    if (has_since)
      while (first < last && (inclusive_ ? all[first].id < since_id : all[first].id <= since_id)) ++first;
    if (has_until)
      while (last > first && (inclusive_ ? all[last - 1].id > until_id : all[last - 1].id >= until_id)) --last;
    if (last - first > n) {
      if (newest_first_ || !has_since) first = last - n;
      else last = first + n;
    }
    JsonW w;
    w.arr();
    for (size_t k = 0; k < last - first; ++k) {
      const Trade& t = all[newest_first_ ? last - 1 - k : first + k];
      w.obj().key("date").num(t.ts_us / 1000).key("id").num(t.id).key("symbol").str(sp.native);
      w.key("price").sdec(t.price, sp.price_scale, 8).key("amount").sdec(t.qty, sp.qty_scale, 8);
      w.key("type").str(t.side > 0 ? "buy" : "sell").end();
    }
    return json_reply(w.end().take());
  }

  net::HttpResponse ohlcv(const net::HttpRequest& req, size_t local) const {
    const std::string* tf = req.param("timeframe");
    const int64_t secs = tf ? timeframe_seconds(*tf) : 0;
    if (secs == 0) return error_reply("timeframe must be one of 5, 15, 30, 60, 240, D");
    int64_t limit = kDefaultLimit;
    if (!int_param(req, "limit", limit) || limit <= 0) return error_reply("limit must be a positive integer");
    limit = std::min(limit, kMaxLimit);
    const auto& sp = spec(local);
    const int ps = sp.price_scale, qs = sp.qty_scale;
    JsonW w;
    w.arr();
    for (const Candle& c : market_.candles(ids_[local], secs, 0, std::numeric_limits<int64_t>::max(),
                                           static_cast<size_t>(limit))) {
      w.arr().num(c.open_time_us / 1'000'000).sdec(c.open, ps, 8).sdec(c.high, ps, 8).sdec(c.low, ps, 8);
      w.sdec(c.close, ps, 8).sdec(c.volume, qs, 8).end();
    }
    return json_reply(w.end().take());
  }

  static int64_t pow10(int n) {
    int64_t p = 1;
    while (n-- > 0) p *= 10;
    return p;
  }

  Context& ctx_;
  Market& market_;
  std::vector<uint32_t> ids_;
  const bool newest_first_, inclusive_;
};

InstrumentSpec spec(const std::string& base, const std::string& quote, int ps, int qs) {
  return instrument("bitexbit", base, quote, base + "_" + quote, ps, qs, 50, 70);
}

}  // namespace

const VenueDef& bitexbit_venue() {
  static const VenueDef def{
      "bitexbit",
      "/api/v2/public",
      "",
      {},
      {"book", "bbo", "trades", "ticker", "candles"},
      {{"depth_poll_ms", "500"}, {"tickers_poll_ms", "1000"}},  // polled fast enough for a test to see the market move
      {spec("BTC", "USDT", 2, 6), spec("ETH", "USDT", 2, 5), spec("BTC", "USD", 2, 6), spec("USDT", "UAH", 3, 2)},
      factory<Bitexbit>(),
      {{"trades_order", {"newest", "oldest"},
        "a /trades page is the newest `limit` trades of the range, newest first (the venue's "
        "example), or the oldest `limit` after since_id, oldest first"},
       {"since_bound", {"inclusive", "exclusive"},
        "since_id/until_id are the minimal/maximal id returned (the docs) or exclusive bounds"}},
      {},  // every instrument served under every variant
  };
  return def;
}

}  // namespace mdhub::sim
