#include "feeds/coinmotion/parse.hpp"

#include <limits>
#include <utility>

namespace mdhub::coinmotion {
namespace {

namespace od = simdjson::ondemand;
using json::Got;
using json::json_error;
using json::upper;

// Every field is optional; a bad value is worded "<key>: <reason>".
bool dec(od::object& o, std::string_view key, int scale, int64_t& v, std::string& err) {
  return json::decimal_field(o, key, scale, false, json::Wording::key_colon, v, err);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Seconds (integer or decimal text) -> µs, sub-µs digits truncated.
bool seconds_to_us(std::string_view s, int64_t& us) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t v = 0;
  size_t i = 0;
  int frac = 0;
  bool any = false;
  for (; i < s.size() && is_digit(s[i]); ++i) {
    if (v > (kMax - 9) / 10) return false;
    v = v * 10 + (s[i] - '0');
    any = true;
  }
  if (i < s.size() && s[i] == '.') {
    for (++i; i < s.size() && is_digit(s[i]); ++i) {
      any = true;
      if (frac < 6) {
        if (v > (kMax - 9) / 10) return false;
        v = v * 10 + (s[i] - '0');
        ++frac;
      }
    }
  }
  if (!any || i != s.size()) return false;
  for (; frac < 6; ++frac) {
    if (v > kMax / 10) return false;
    v *= 10;
  }
  us = v;
  return true;
}

struct Pair {
  std::string_view key;
  std::string symbol, base, quote;
  bool keyed_by_pair = false;  ///< the newer layout: the entry names its quote currency
};

// Reads the identity of a payload entry: `absent` when the entry is not a pair.
Got pair_of(od::object& obj, std::string_view key, std::string_view default_quote, Pair& p) {
  std::string_view code, base;
  Got g = json::string_field(obj, "currencyCode", code);
  if (g != Got::value) return g;
  if (code.empty()) return Got::absent;
  p.key = key;
  p.base = upper(code);
  p.quote = upper(default_quote);
  g = json::string_field(obj, "baseCurrencyCode", base);
  if (g == Got::bad) return g;
  if (g == Got::value && !base.empty()) {
    p.quote = upper(base);
    p.keyed_by_pair = true;
  }
  p.symbol = p.base + "-" + p.quote;
  return Got::value;
}

// Walks `{"success":..,"message":..,"payload":{...}}`; `on_pair(pair, obj, err)` per pair.
// Returns false with `err` set on bad input or a venue error.
template <class F>
bool walk(json::Reader& rd, std::string_view body, std::string_view default_quote, int64_t& ts_us,
          std::string& err, F&& on_pair) {
  ts_us = kNone;
  auto bad = [&err](std::string msg) {
    err = std::move(msg);
    return false;
  };
  if (json::blank(body)) return bad("empty body");
  od::document doc;
  if (auto e = rd.iterate(body).get(doc)) return bad(json_error(e));
  od::object root;
  if (auto e = doc.get_object().get(root))
    return bad(json::shape_error(e, "an object"));
  bool success = true, have_payload = false;
  std::string message;
  for (auto field : root) {
    std::string_view key, s;
    od::value v;
    if (auto e = field.unescaped_key().get(key)) return bad(json_error(e));
    if (auto e = field.value().get(v)) return bad(json_error(e));
    od::json_type rt;
    if (auto e = v.type().get(rt)) return bad(json_error(e));
    if (key == "success" && rt == od::json_type::boolean) {
      if (auto e = v.get_bool().get(success)) return bad(json_error(e));
    } else if (key == "message" && rt == od::json_type::string) {
      if (!json::text(v, s)) return bad("bad message");
      message.assign(s);
    } else if (key == "payload") {
      have_payload = true;
      od::object payload;
      if (rt != od::json_type::object) {
        if (!success) continue;  // the message says why
        return bad("payload is not an object");
      }
      if (auto e = v.get_object().get(payload)) return bad(json_error(e));
      for (auto entry : payload) {
        std::string_view ekey;
        od::value ev;
        if (auto e = entry.unescaped_key().get(ekey)) return bad(json_error(e));
        if (auto e = entry.value().get(ev)) return bad(json_error(e));
        od::json_type jt;
        if (ev.type().get(jt)) return bad("bad payload entry");
        if (ekey == "timestamp") {
          if (jt == od::json_type::null) continue;
          if (!json::text(ev, s) || !seconds_to_us(s, ts_us)) return bad("timestamp: not a time in seconds");
          continue;
        }
        if (ekey == "message" && jt == od::json_type::string) {
          if (!json::text(ev, s)) return bad("bad message");
          message.assign(s);
          continue;
        }
        if (jt != od::json_type::object) continue;
        od::object obj;
        if (auto e = ev.get_object().get(obj)) return bad(json_error(e));
        Pair p;
        const Got g = pair_of(obj, ekey, default_quote, p);
        if (g == Got::bad) return bad(std::string(ekey) + ": bad currencyCode or baseCurrencyCode");
        if (g == Got::absent) continue;
        if (!on_pair(p, obj, err)) return false;
      }
    }
  }
  if (!json::consumed_all(doc))
    return bad("bad JSON: content after the top-level value");
  if (!success) return bad("venue error: " + (message.empty() ? std::string("success is false") : message));
  if (!have_payload) return bad("missing payload");
  return true;
}

}  // namespace

ParseStatus parse_rate_pairs(json::Reader& rd, std::string_view body, std::string_view default_quote,
                             std::vector<Instrument>& out, std::string& error) {
  const size_t start = out.size();
  int64_t ts = kNone;
  std::string err;
  const bool ok = walk(rd, body, default_quote, ts, err, [&](const Pair& p, od::object&, std::string&) {
    for (size_t i = start; i < out.size(); ++i)
      if (out[i].symbol == p.symbol) return true;  // both layouts in one answer: first wins
    Instrument inst;
    inst.venue = "coinmotion";
    inst.native.assign(p.key);
    inst.symbol = p.symbol;
    inst.base = p.base;
    inst.quote = p.quote;
    out.push_back(std::move(inst));
    return true;
  });
  if (ok && out.size() == start) err = "no currency pairs in the payload";
  if (!ok || out.size() == start) {
    out.resize(start);
    error = "rates: " + err;
    return ParseStatus::error;
  }
  return ParseStatus::ok;
}

ParseStatus parse_rates(json::Reader& rd, std::string_view body, const InstrumentTable& table,
                        const RatesOptions& opt, RecvTime t, ParseOut& out) {
  const size_t mark = out.events.size();
  int64_t ts = kNone;
  std::string err;
  bool by_pair = false, by_crypto = false;
  const bool ok = walk(rd, body, opt.default_quote, ts, err, [&](const Pair& p, od::object& obj, std::string& e) {
    (p.keyed_by_pair ? by_pair : by_crypto) = true;
    const auto id = table.by_symbol(p.symbol);
    if (!id) return true;
    const Instrument& inst = table[*id];
    int64_t buy = kNone, sell = kNone;
    TickerMsg tk;
    if (!dec(obj, "buy", inst.price_scale, buy, e) || !dec(obj, "sell", inst.price_scale, sell, e) ||
        !dec(obj, "high", inst.price_scale, tk.high, e) || !dec(obj, "low", inst.price_scale, tk.low, e)) {
      e = std::string(p.key) + ": " + e;
      return false;
    }
    tk.bid = opt.buy_is_bid ? buy : sell;
    tk.ask = opt.buy_is_bid ? sell : buy;
    if (opt.order_quotes && tk.bid != kNone && tk.ask != kNone && tk.bid > tk.ask) std::swap(tk.bid, tk.ask);
    Event ev;
    ev.instrument = *id;
    ev.recv = t;
    if (opt.ticker) {
      ev.kind = EventKind::ticker;
      ev.body = tk;
      out.events.push_back(ev);
    }
    if (opt.bbo) {
      BboMsg b;
      b.bid = tk.bid;
      b.ask = tk.ask;
      ev.kind = EventKind::bbo;
      ev.body = b;
      out.events.push_back(ev);
    }
    return true;
  });
  if (!ok) {
    out.events.resize(mark);
    out.error = "rates: " + err;
    return ParseStatus::error;
  }
  // The timestamp may follow the pairs in the payload.
  for (size_t i = mark; i < out.events.size(); ++i) out.events[i].ts_exchange_us = ts;
  if (by_pair) out.detected.push_back("rates_by_pair");
  if (by_crypto) out.detected.push_back("rates_by_crypto");
  return ParseStatus::ok;
}

}  // namespace mdhub::coinmotion
