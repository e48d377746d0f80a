#include "feeds/bitexbit/parse.hpp"

#include <algorithm>

#include "feeds/bitexbit/parse_util.hpp"

namespace mdhub::bitexbit {
namespace {

using namespace detail;

// A precision as a scale: clamped; missing: the default; anything else: false.
bool clamp_scale(od::object& o, std::string_view key, int& scale) {
  int64_t n = kDefaultPriceScale;
  if (int_field(o, key, n) == Got::bad) return false;
  scale = static_cast<int>(std::clamp<int64_t>(n, kMinPairScale, kMaxPairScale));
  return true;
}

}  // namespace

ParseStatus parse_pairs(json::Reader& rd, std::string_view body, std::vector<Instrument>& out,
                        std::string& error) {
  const size_t start = out.size();
  auto bad = [&](std::string msg) {
    out.resize(start);
    error = "pairs: " + std::move(msg);
    return ParseStatus::error;
  };
  if (blank(body)) return bad(kEmpty);
  od::document doc;
  if (auto e = rd.iterate(body).get(doc)) return bad(json_error(e));
  od::array arr;
  if (auto e = doc.get_array().get(arr)) return bad(shape_error(e, "an array"));
  for (auto el : arr) {
    od::object row;
    if (auto e = el.get_object().get(row)) return bad(json_error(e));
    std::string_view symbol, base, quote;
    if (text_field(row, "symbol", symbol) != Got::value) return bad("pair without symbol");
    Instrument inst;
    inst.native.assign(symbol);
    if (text_field(row, "base", base) != Got::value) return bad("pair without base");
    inst.base.assign(base);
    if (text_field(row, "quote", quote) != Got::value) return bad("pair without quote");
    inst.quote.assign(quote);
    od::value v;
    od::json_type t;
    bool enabled = true;
    const Got g = field(row, "is_enabled", v, t);
    if (g == Got::bad || (g == Got::value && t == od::json_type::boolean && v.get_bool().get(enabled)))
      return bad("bad is_enabled");
    if (!clamp_scale(row, "price_precision", inst.price_scale)) return bad("bad price_precision");
    if (!clamp_scale(row, "amount_precision", inst.qty_scale)) return bad("bad amount_precision");
    if (!enabled || inst.base.empty() || inst.quote.empty()) continue;
    inst.venue = "bitexbit";
    inst.base = upper(inst.base);
    inst.quote = upper(inst.quote);
    inst.symbol = canonical_symbol(inst.base, inst.quote);
    out.push_back(std::move(inst));
  }
  if (!consumed_all(doc)) return bad(kTrailing);
  return ParseStatus::ok;
}

ParseStatus parse_tickers(json::Reader& rd, std::string_view body, const InstrumentTable& table,
                          bool ticker, bool bbo, RecvTime t, ParseOut& out) {
  Txn m(out);
  std::string err;
  if (blank(body)) return m.fail(std::string("tickers: ") + kEmpty);
  od::document doc;
  if (auto e = rd.iterate(body).get(doc)) return m.fail("tickers: " + json_error(e));
  od::array arr;
  if (auto e = doc.get_array().get(arr)) return m.fail("tickers: " + shape_error(e, "an array"));
  for (auto el : arr) {
    od::object row;
    if (auto e = el.get_object().get(row)) return m.fail("tickers: " + json_error(e));
    std::string_view symbol;
    if (text_field(row, "symbol", symbol) != Got::value) return m.fail("tickers: ticker without symbol");
    const auto id = table.by_native(symbol);
    if (!id) continue;
    const Instrument& inst = table[*id];
    TickerMsg tk;
    int64_t ts = kNone;
    if (!time_field(row, "date", 3, ts, err) ||
        !dec(row, "last", inst.price_scale, false, tk.last, err) ||
        !dec(row, "buy", inst.price_scale, false, tk.bid, err) ||
        !dec(row, "sell", inst.price_scale, false, tk.ask, err) ||
        !dec(row, "high", inst.price_scale, false, tk.high, err) ||
        !dec(row, "low", inst.price_scale, false, tk.low, err) ||
        !dec(row, "change", kPctScale, false, tk.change_pct, err) ||
        !dec(row, "vol1", inst.qty_scale, false, tk.volume_base, err) ||
        !dec(row, "vol2", inst.price_scale, false, tk.volume_quote, err))
      return m.fail("tickers: " + std::string(symbol) + ": " + err);
    if (ticker) {
      Event e = make_event(EventKind::ticker, *id, ts, t);
      e.body = tk;
      out.events.push_back(e);
    }
    if (bbo) {
      // An empty side shows as price 0: no quote, not a quote at zero.
      BboMsg b;
      b.bid = tk.bid == 0 ? kNone : tk.bid;
      b.ask = tk.ask == 0 ? kNone : tk.ask;
      Event e = make_event(EventKind::bbo, *id, ts, t);
      e.body = b;
      out.events.push_back(e);
    }
  }
  if (!consumed_all(doc)) return m.fail(std::string("tickers: ") + kTrailing);
  return ParseStatus::ok;
}

ParseStatus parse_depth(json::Reader& rd, std::string_view body, const InstrumentTable& table,
                        uint32_t instrument, RecvTime t, ParseOut& out) {
  Txn m(out);
  if (instrument >= table.size()) return m.fail("depth: unknown instrument");
  const Instrument& inst = table[instrument];
  std::string err;
  if (blank(body)) return m.fail(std::string("depth: ") + kEmpty);
  od::document doc;
  if (auto e = rd.iterate(body).get(doc)) return m.fail("depth: " + json_error(e));
  od::object root;
  if (auto e = doc.get_object().get(root)) return m.fail("depth: " + shape_error(e, "an object"));
  int64_t ts = kNone;
  bool bids = false, asks = false;
  for (auto field : root) {
    std::string_view key, s;
    od::value v;
    if (auto e = field.unescaped_key().get(key)) return m.fail("depth: " + json_error(e));
    if (auto e = field.value().get(v)) return m.fail("depth: " + json_error(e));
    od::json_type jt;
    if (auto e = v.type().get(jt)) return m.fail("depth: " + json_error(e));
    if (key == "bids") {
      bids = true;
      if (!levels(v, Side::bid, inst, out, err)) return m.fail("depth: " + err);
    } else if (key == "asks") {
      asks = true;
      if (!levels(v, Side::ask, inst, out, err)) return m.fail("depth: " + err);
    } else if (key == "date" && jt != od::json_type::null) {
      if (!json::text(v, s) || !scaled_trunc(s, 6, ts)) return m.fail("depth: date: not a timestamp");
    } else if (key == "symbol" && jt == od::json_type::string) {
      if (!json::text(v, s)) return m.fail("depth: bad symbol");
      if (s != inst.native)
        return m.fail("depth: symbol " + std::string(s) + " in the answer for " + inst.native);
    }
  }
  if (!consumed_all(doc)) return m.fail(std::string("depth: ") + kTrailing);
  if (!bids || !asks) return m.fail("depth: missing bids or asks");
  if (!json::merge_book(out.levels, m.levels_begin())) return m.fail("depth: level amount sum out of range");
  BookMsg b;
  b.type = BookMsg::Type::replace;
  b.level_begin = static_cast<uint32_t>(m.levels_begin());
  b.level_count = static_cast<uint32_t>(out.levels.size() - m.levels_begin());
  Event e = make_event(EventKind::book, instrument, ts, t);
  e.body = b;
  out.events.push_back(e);
  return ParseStatus::ok;
}

ParseStatus parse_trades(json::Reader& rd, std::string_view body, const InstrumentTable& table,
                         uint32_t instrument, int64_t after_id, RecvTime t, ParseOut& out,
                         TradesPage& page) {
  Txn m(out);
  page = {};
  if (instrument >= table.size()) return m.fail("trades: unknown instrument");
  const Instrument& inst = table[instrument];
  std::string err;
  if (blank(body)) return m.fail(std::string("trades: ") + kEmpty);
  od::document doc;
  if (auto e = rd.iterate(body).get(doc)) return m.fail("trades: " + json_error(e));
  od::array arr;
  if (auto e = doc.get_array().get(arr)) return m.fail("trades: " + shape_error(e, "an array"));
  for (auto el : arr) {
    od::object row;
    if (auto e = el.get_object().get(row)) return m.fail("trades: " + json_error(e));
    int64_t id = 0;
    if (int_field(row, "id", id) != Got::value) return m.fail("trades: trade without an integer id");
    ++page.rows;
    if (page.max_id == kNone || id > page.max_id) page.max_id = id;
    if (page.min_id == kNone || id < page.min_id) page.min_id = id;
    if (page.first_id == kNone) page.first_id = id;
    page.last_id = id;
    if (id == after_id) page.saw_after = true;
    if (after_id != kNone && id <= after_id) continue;
    TradeMsg tr;
    tr.trade_id = id;
    int64_t ts = kNone;
    if (!symbol_matches(row, inst, err) || !time_field(row, "date", 3, ts, err) ||
        !dec(row, "price", inst.price_scale, true, tr.price, err) ||
        !dec(row, "amount", inst.qty_scale, true, tr.qty, err))
      return m.fail("trades: " + err);
    std::string_view type;
    const Got g = text_field(row, "type", type);
    if (g == Got::bad) return m.fail("trades: bad type");
    if (g == Got::value) tr.side = type == "buy" ? int8_t{1} : type == "sell" ? int8_t{-1} : int8_t{0};
    Event e = make_event(EventKind::trade, instrument, ts, t);
    e.body = tr;
    out.events.push_back(e);
  }
  if (!consumed_all(doc)) return m.fail(std::string("trades: ") + kTrailing);
  // Pages come newest first or oldest first; consumers get id order, each id once.
  auto first = out.events.begin() + static_cast<std::ptrdiff_t>(m.events_begin());
  auto id_of = [](const Event& e) { return std::get<TradeMsg>(e.body).trade_id; };
  std::stable_sort(first, out.events.end(), [&](const Event& a, const Event& b) { return id_of(a) < id_of(b); });
  out.events.erase(std::unique(first, out.events.end(),
                               [&](const Event& a, const Event& b) { return id_of(a) == id_of(b); }),
                   out.events.end());
  return ParseStatus::ok;
}

}  // namespace mdhub::bitexbit
