// Narkasa's REST API (/v3/api/...): a pure function of the market's current state.
// Envelope `{"code":"00000",...}`, errors `{"code":"10037",...}`, numbers as JSON numbers,
// times in ms.
#include <algorithm>
#include <limits>

#include "feeds/narkasa/sim/narkasa.hpp"
#include "src/sim/sim_venue.hpp"
#include "src/sim/venue_util.hpp"

namespace mdhub::sim::narkasa {
namespace {

constexpr size_t kRestTrades = 100;
constexpr size_t kRestCandles = 500;

// Orders per level are not modelled; a stable small count keeps the field realistic.
int64_t order_count(const Level& l) {
  return 1 + static_cast<int64_t>((static_cast<uint64_t>(l.price) * 31 + static_cast<uint64_t>(l.qty)) % 7);
}

std::string_view asset_name(std::string_view code) {
  if (code == "BTC") return "Bitcoin";
  if (code == "ETH") return "Ethereum";
  if (code == "USDT") return "Tether";
  return code;
}

net::HttpResponse error_reply(std::string_view code, std::string_view message, unsigned status = 400) {
  JsonW w;
  w.obj().key("code").str(code).key("message").str(message).end();
  return {status, "application/json", w.take(), {}, false};
}

net::HttpResponse ok(JsonW& w) { return {200, "application/json", w.end().take(), {}, false}; }

JsonW& market_fields(JsonW& w, const Market& m, uint32_t id) {
  const auto& sp = m.spec(id);
  w.key("symbol").str(sp.native).key("name").str(asset_name(sp.base));
  w.key("firstSymbol").str(sp.base).key("secondSymbol").str(sp.quote);
  ticker_fields(w, m, id, true);
  return w;
}

int64_t interval_seconds(std::string_view name) {
  for (const auto& i : kIntervals)
    if (i.name == name) return i.seconds;
  return 0;
}

}  // namespace

void book_levels(JsonW& w, const std::vector<Level>& levels, int ps, int qs, bool count) {
  w.arr();
  for (const Level& l : levels) {
    w.obj().key("price").dec(l.price, ps).key("amount").dec(l.qty, qs);
    if (count) w.key("count").num(order_count(l));
    w.end();
  }
  w.end();
}

void ticker_fields(JsonW& w, const Market& m, uint32_t id, bool full) {
  const auto& sp = m.spec(id);
  const Stats st = m.stats(id);
  const Book& b = m.book(id);
  const int ps = sp.price_scale, qs = sp.qty_scale;
  w.key("changeAmount").dec(st.last - st.open, ps);
  if (full) w.key("changePercent").dec(st.open > 0 ? (st.last - st.open) * 1'000'000 / st.open : 0, 4);
  w.key("firstBid").dec(b.bids.empty() ? kNone : b.bids.begin()->first, ps);
  w.key("firstAsk").dec(b.asks.empty() ? kNone : b.asks.begin()->first, ps);
  w.key("open").dec(st.open, ps).key("high").dec(st.high, ps).key("low").dec(st.low, ps);
  w.key("avg").dec(st.volume > 0 ? st.quote_volume / st.volume : st.last, ps);
  w.key("last").dec(st.last, ps).key("volume").dec(st.quote_volume, ps + qs).key("volumeQty").dec(st.volume, qs);
  if (full) w.key("openTime").num(st.open_time_us / 1000);
  w.key("tradeCount").num(st.trades);
}

void candle_fields(JsonW& w, const Candle& c, int ps, int qs) {
  w.key("openTime").num(c.open_time_us / 1000).key("open").dec(c.open, ps).key("low").dec(c.low, ps);
  w.key("high").dec(c.high, ps).key("close").dec(c.close, ps).key("volume").dec(c.volume, qs);
}

net::HttpResponse rest(const Market& m, const std::vector<uint32_t>& ids, const net::HttpRequest& req, int64_t now_us) {
  constexpr std::string_view kPrefix = "/narkasa/v3/api/";
  if (req.method != "GET") return error_reply("90000", "Method not allowed.", 405);
  const std::string_view ep = std::string_view(req.path).substr(kPrefix.size());
  JsonW w;
  w.obj().key("code").str("00000");
  if (ep == "ping") return ok(w.key("data").str("PONG"));
  if (ep == "time") return ok(w.key("data").num(now_us / 1000));
  if (ep == "market/markets") {
    w.key("markets").arr();
    for (uint32_t id : ids) market_fields(w.obj(), m, id).end();
    return ok(w.end());
  }
  if (ep != "market/24h" && ep != "market/info" && ep != "market/candles" && ep != "market/orderbook" &&
      ep != "market/depth" && ep != "market/trades")
    return error_reply("90000", "Unknown endpoint.", 404);
  const std::string* sym = req.param("symbol");
  const std::string native = sym ? upper(*sym) : std::string();
  auto it = std::find_if(ids.begin(), ids.end(), [&](uint32_t id) { return m.spec(id).native == native; });
  if (it == ids.end()) return error_reply("10037", "Invalid symbol.");
  const uint32_t id = *it;
  const auto& sp = m.spec(id);
  const int ps = sp.price_scale, qs = sp.qty_scale;
  const Book& book = m.book(id);
  if (ep == "market/24h") return ok(market_fields(w.key("market").obj(), m, id).end());
  if (ep == "market/info") {
    w.key("info").obj().key("symbol").str(sp.native).key("firstSymbol").str(sp.base).key("secondSymbol").str(sp.quote);
    w.key("firstSymbolMaxLength").num(qs).key("secondSymbolMaxLength").num(ps).key("minTradeTotal").num(10);
    w.key("minAmount").dec(sp.lot, qs).key("commission").dec(2, 3).key("enable").str("true");
    w.key("cancelEnable").str("true").key("orderEnable").str("true").key("commissionTaker").dec(2, 3);
    w.key("commissionMaker").dec(1, 3).key("commissionPercentage").dec(2, 1).key("commissionTierBased").boolean(false);
    w.key("precision").obj().key("price").num(ps).key("amount").num(qs).key("total").num(ps).end();
    return ok(w.end());
  }
  if (ep == "market/orderbook" || ep == "market/depth") {
    const size_t n = ep == "market/depth" ? kDepthLevels : 1;
    w.key("book").obj().key("bids");
    book_levels(w, top_levels(book.bids, n), ps, qs, n > 1);
    w.key("asks");
    book_levels(w, top_levels(book.asks, n), ps, qs, n > 1);
    return ok(w.end());
  }
  if (ep == "market/trades") {
    const auto trades = m.trades(id);
    w.key("trades").arr();
    const size_t n = std::min(trades.size(), kRestTrades);
    for (size_t i = 0; i < n; ++i) {
      const Trade& t = trades[trades.size() - 1 - i];  // newest first
      w.obj().key("price").dec(t.price, ps).key("amount").dec(t.qty, qs).key("time").num(t.ts_us / 1000);
      w.key("type").num(t.side > 0 ? 1 : 0).end();
    }
    return ok(w.end());
  }
  // market/candles
  const std::string* iv = req.param("interval");
  const int64_t secs = interval_seconds(iv ? std::string_view(*iv) : std::string_view("m1"));
  int64_t from = 0, to = std::numeric_limits<int64_t>::max() / 1000;
  if (secs == 0) return error_reply("90000", "Invalid interval.");
  if (!int_param(req, "startDate", from) || !int_param(req, "endDate", to)) return error_reply("90000", "Invalid date.");
  w.key("candles").arr();
  for (const Candle& c : m.candles(id, secs, from * 1000, to * 1000, kRestCandles)) {
    candle_fields(w.obj(), c, ps, qs);
    w.key("closetime").num(c.open_time_us / 1000 + secs * 1000).end();
  }
  return ok(w.end());
}

}  // namespace mdhub::sim::narkasa
