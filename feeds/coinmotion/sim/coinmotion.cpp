// Coinmotion: a broker, REST only. GET /v2/rates answers the current buy/sell quotes in one
// of the two documented layouts (variant coinmotion.layout): `pairs`, the newer one (keys
// such as `btcEur`, `btcSek`, `ethBtc`, `btcUsdc` with currencyCode and baseCurrencyCode), or
// `crypto`, the older one (keys by crypto code, `btc`, with display strings and no quote
// currency: EUR pairs only, the other pairs are not served), plus the non-pair keys market,
// fWithdrawalFee, timestamp and version. The quotes are the shared
// market's best bid and ask widened by a fixed broker spread; `buy` (what the broker pays)
// is below `sell` (what it charges). Nothing is pushed or throttled: the REST answer is
// always the current state, and so is the truth.
#include <algorithm>

#include "src/sim/jsonw.hpp"
#include "src/sim/sim_venue.hpp"
#include "src/sim/venue_util.hpp"

namespace mdhub::sim {
namespace {

constexpr size_t kNoSymbol = static_cast<size_t>(-1);
// Broker spread on each side of the book's touch, in 1/10000 of the price.
constexpr int64_t kSpreadBp = 40;

net::HttpResponse json_reply(std::string body, unsigned status = 200) {
  return {status, "application/json", std::move(body), {}, false};
}

net::HttpResponse error_reply(std::string_view message, unsigned status) {
  JsonW w;
  w.obj().key("success").boolean(false).key("message").str(message).end();
  return json_reply(w.take(), status);
}

struct Quote {
  int64_t buy = kNone, sell = kNone;
};

class Coinmotion final : public SimVenue {
 public:
  Coinmotion(Context& ctx, std::vector<uint32_t> ids)
      : ctx_(ctx), market_(ctx.market()), ids_(std::move(ids)), by_crypto_(ctx.variant("coinmotion", "layout") == "crypto") {
    ctx.route("/coinmotion/", [this](const net::HttpRequest& req, net::Respond respond) { respond(rest(req)); });
  }

  void on_step(size_t, const Step&) override {}
  void flush() override {}

  bool truth(std::string_view symbol, TruthBook& out) const override {
    const size_t local = find(symbol);
    if (local == kNoSymbol || !served(local)) return false;
    const auto& sp = spec(local);
    const Quote q = quote(local);
    out.symbol = sp.symbol;
    out.price_scale = sp.price_scale;
    out.qty_scale = sp.qty_scale;
    out.ts_received_us = ctx_.now_us();
    if (q.buy != kNone) out.bids.push_back({q.buy, kNone});
    if (q.sell != kNone) out.asks.push_back({q.sell, kNone});
    return true;
  }

  void stop() override {}

 private:
  const InstrumentSpec& spec(size_t local) const { return market_.spec(ids_[local]); }
  // The older layout names a pair by its crypto code alone: it can only carry EUR quotes.
  bool served(size_t local) const { return !by_crypto_ || spec(local).quote == "EUR"; }

  size_t find(std::string_view symbol) const {
    const std::string u = upper(symbol);
    for (size_t i = 0; i < ids_.size(); ++i)
      if (spec(i).symbol == u || upper(spec(i).native) == u || (by_crypto_ && served(i) && spec(i).base == u)) return i;
    return kNoSymbol;
  }

  // The touch widened by the spread, rounded outwards to the tick, so buy < sell always.
  Quote quote(size_t local) const {
    const auto& sp = spec(local);
    const Book& b = market_.book(ids_[local]);
    Quote q;
    if (!b.bids.empty()) {
      const int64_t p = b.bids.begin()->first;
      q.buy = (p - p * kSpreadBp / 10'000) / sp.tick * sp.tick;
    }
    if (!b.asks.empty()) {
      const int64_t p = b.asks.begin()->first;
      const int64_t raw = p + (p * kSpreadBp + 9'999) / 10'000;
      q.sell = (raw + sp.tick - 1) / sp.tick * sp.tick;
    }
    return q;
  }

  net::HttpResponse rest(const net::HttpRequest& req) {
    if (req.method != "GET") return error_reply("Method not allowed", 405);
    if (req.path != "/coinmotion/v2/rates" && req.path != "/coinmotion/v2/rates/")
      return error_reply("Not found", 404);
    JsonW w;
    w.obj().key("success").boolean(true).key("payload").obj();
    for (size_t i = 0; i < ids_.size(); ++i) {
      if (!served(i)) continue;
      const auto& sp = spec(i);
      const int ps = sp.price_scale;
      const Quote q = quote(i);
      const Stats st = market_.stats(ids_[i]);
      const int64_t change = st.last - st.open;
      if (by_crypto_) {
        // Shape of the 2019 fixture: display strings beside the decimals, no quote currency.
        const std::string code = lower(sp.base);
        w.key(code).obj().key("currencyCode").str(sp.base);
        w.key("buy").sdec(q.buy, ps, ps).key("sell").sdec(q.sell, ps, ps);
        w.key("fbuy").str(display(q.buy, ps) + " \u20ac / 1 " + sp.base);
        w.key("fsell").str(display(q.sell, ps) + " \u20ac / 1 " + sp.base);
        w.key("low").sdec(st.low, ps, ps).key("fhigh").str(display(st.high, ps) + " \u20ac / 1 " + sp.base);
        w.key("changeSign").boolean(change >= 0);
        w.key("buyTruncated").num(q.buy == kNone ? 0 : q.buy / pow10(ps));
        w.key("sellTruncated").num(q.sell == kNone ? 0 : q.sell / pow10(ps));
        w.key("changeAmount").dec(change < 0 ? -change : change, ps);
      } else {
        w.key(sp.native).obj().key("currencyCode").str(sp.base).key("baseCurrencyCode").str(sp.quote);
        w.key("buy").sdec(q.buy, ps, ps).key("sell").sdec(q.sell, ps, ps);
        w.key("low").sdec(st.low, ps, ps).key("high").sdec(st.high, ps, ps);
        w.key("changeAmount").dec(change < 0 ? -change : change, ps).key("changeSign").boolean(change >= 0);
      }
      w.end();
    }
    w.key("market").obj().key("changeAmount").num(0).key("changeSign").boolean(true).end();
    w.key("fWithdrawalFee").str("0.90 \u20ac");
    w.key("timestamp").num(ctx_.now_us() / 1'000'000).key("version").str("1.24.0");
    return json_reply(w.end().end().take());
  }

  static std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return out;
  }
  static int64_t pow10(int n) {
    int64_t p = 1;
    while (n-- > 0) p *= 10;
    return p;
  }
  static std::string display(int64_t m, int ps) {
    JsonW w;
    w.sdec(m, ps, ps);
    std::string s = w.take();
    return s.size() >= 2 ? s.substr(1, s.size() - 2) : s;  // without the quotes
  }

  Context& ctx_;
  Market& market_;
  std::vector<uint32_t> ids_;
  const bool by_crypto_;
};

InstrumentSpec spec(std::string native, const std::string& base, const std::string& quote, int ps, int qs) {
  return instrument("coinmotion", base, quote, std::move(native), ps, qs, 20, 40);
}

}  // namespace

const VenueDef& coinmotion_venue() {
  static const VenueDef def{
      "coinmotion",
      "",
      "",
      {},
      {"ticker", "bbo"},
      {{"rates_poll_ms", "1000"}},  // polled fast enough for a test to see the market move
      // Quotes in EUR and SEK, and pairs quoted in BTC or USDC, as the live venue lists them.
      {spec("btcEur", "BTC", "EUR", 2, 4), spec("ethEur", "ETH", "EUR", 2, 4), spec("btcSek", "BTC", "SEK", 2, 4),
       spec("ethBtc", "ETH", "BTC", 6, 4), spec("btcUsdc", "BTC", "USDC", 2, 4),
       spec("usdcEur", "USDC", "EUR", 4, 2)},  // the conversion pair USDC <-> EUR
      factory<Coinmotion>(),
      {{"layout", {"pairs", "crypto"},
        "rates keyed by pair with baseCurrencyCode (btcEur; every quote currency), or by crypto code with "
        "display strings (btc; EUR pairs only)"}},
      // The older layout names a rate by its crypto code alone: only EUR quotes can be said.
      [](const InstrumentSpec& inst, const auto& variant) {
        return variant("layout") == "crypto" && inst.quote != "EUR" ? "coinmotion.layout=crypto serves EUR pairs only"
                                                                   : std::string();
      },
  };
  return def;
}

}  // namespace mdhub::sim
