#include "feeds/coinbtr/parse.hpp"

#include <string>

#include "feeds/coinbtr/parse_util.hpp"

namespace mdhub::coinbtr {
namespace {

// Which window a push shows (the doc: the top ten orders per side): more than ten rows on a
// side are the orders of ten levels; ten rows on fewer than ten prices are ten orders.
void note_book_window(const detail::BookShape& shape, ParseOut& out) {
  constexpr size_t kTop = 10;
  if (shape.rows[0] > kTop || shape.rows[1] > kTop) {
    out.detected.push_back("book_top_levels");
  } else if ((shape.rows[0] == kTop && shape.prices[0] < kTop) || (shape.rows[1] == kTop && shape.prices[1] < kTop)) {
    out.detected.push_back("book_top_orders");
  }
}

using namespace detail;

bool ws_trades(od::value v, const Instrument& inst, uint32_t id, RecvTime t, ParseOut& out,
               std::string& err) {
  od::array arr;
  if (v.get_array().get(arr)) {
    err = "data is not an array";
    return false;
  }
  for (auto el : arr) {
    od::object row;
    if (el.get_object().get(row)) {
      err = "trade is not an object";
      return false;
    }
    int64_t price = 0, qty = 0, ts = 0;
    int8_t side = 0;
    if (!dec(row, "p", inst.price_scale, true, price, err) ||
        !dec(row, "a", inst.qty_scale, true, qty, err) || !ms_field(row, "t", ts, err) ||
        !side_of(row, "s", side, err))
      return false;
    push_trade(out, id, ts, t, price, qty, side, kNone);
  }
  return true;
}

bool ws_ticker(od::object& root, const Instrument& inst, uint32_t id, const ParseOptions& opt,
               RecvTime t, ParseOut& out, std::string& err) {
  TickerMsg tk;
  if (!dec(root, "last", inst.price_scale, false, tk.last, err) ||
      !dec(root, "high", inst.price_scale, false, tk.high, err) ||
      !dec(root, "low", inst.price_scale, false, tk.low, err) ||
      !dec(root, "volume", inst.qty_scale, false, tk.volume_base, err))
    return false;
  // A ratio r is the percent 100r: at two more decimals its mantissa is the percent's at
  // kPctScale, so the conversion stays exact.
  if (opt.variation != VariationUnit::none &&
      !dec(root, "variation", opt.variation == VariationUnit::ratio ? kPctScale + 2 : kPctScale,
           false, tk.change_pct, err))
    return false;
  Event e = make_event(EventKind::ticker, id, kNone, t);
  e.body = tk;
  out.events.push_back(e);
  if (!opt.ticker_trades) return true;
  od::value tv;
  od::json_type tt;
  const Got g = json::field(root, "trades", tv, tt);
  if (g == Got::absent) return true;
  od::array arr;
  if (g == Got::bad) {
    err = "bad trades";
    return false;
  }
  if (tv.get_array().get(arr)) {
    err = "trades is not an array";
    return false;
  }
  for (auto el : arr) {
    od::object row;
    if (el.get_object().get(row)) {
      err = "trade is not an object";
      return false;
    }
    int64_t price = 0, qty = 0, ts = 0;
    int8_t side = 0;
    if (!dec(row, "price", inst.price_scale, true, price, err) ||
        !dec(row, "amount", inst.qty_scale, true, qty, err) ||
        !ms_field(row, "timestamp", ts, err) || !side_of(row, "side", side, err))
      return false;
    push_trade(out, id, ts, t, price, qty, side, kNone);
  }
  return true;
}

}  // namespace

ParseStatus parse_ws_frame(json::Reader& rd, std::string_view frame, const InstrumentTable& table,
                           const ParseOptions& opt, RecvTime t, ParseOut& out) {
  Txn m(out);
  const std::string_view text = json::trim(frame);
  if (text.substr(0, 5) == "Error") {
    constexpr size_t kMaxError = 256;
    return m.fail(std::string(text.substr(0, kMaxError)));
  }
  if (text.empty()) return m.fail("empty frame");
  od::document doc;
  if (auto e = rd.iterate(frame).get(doc)) return m.fail(shape_error(e, kObject));
  od::object root;
  if (auto e = doc.get_object().get(root)) return m.fail(shape_error(e, kObject));

  // First pass: the routing fields, wherever they sit. The payload is parsed in a second
  // pass because its scales depend on the market, which may come after it.
  std::string channel, type_field, market_field;
  bool action = false;
  for (auto field : root) {
    std::string_view key, s;
    od::value v;
    if (auto e = field.unescaped_key().get(key)) return m.fail(shape_error(e, kObject));
    if (auto e = field.value().get(v)) return m.fail(shape_error(e, kObject));
    bool is_text = false;
    if (!value_text(v, s, is_text)) return m.fail("bad JSON: broken value of " + std::string(key));
    if (key == "action") action = true;
    else if (key == "channel" && is_text) channel.assign(s);
    else if (key == "type" && is_text) type_field.assign(s);
    else if (key == "market" && is_text) market_field.assign(s);
  }
  if (!consumed_all(doc)) return m.fail("bad JSON: content after the top-level value");
  // Subscription replies carry `action`; data frames carry a channel. Anything else is a
  // control frame we have no use for.
  if (action || channel.empty()) return ParseStatus::ignored;
  const bool is_book = channel == "orderbook", is_ticker = channel == "ticker",
             is_trades = channel == "trades";
  if (!is_book && !is_ticker && !is_trades) return ParseStatus::ignored;
  // Books and trades name the market in `type`, tickers in `market`.
  const std::string& market = is_ticker ? (market_field.empty() ? type_field : market_field)
                                        : (type_field.empty() ? market_field : type_field);
  if (market.empty()) return m.fail(channel + ": missing market");
  const auto id = table.by_native(upper(market));
  if (!id) return ParseStatus::ignored;
  const Instrument& inst = table[*id];

  doc.rewind();
  if (auto e = doc.get_object().get(root)) return m.fail(shape_error(e, kObject));
  std::string err;
  bool ok = true;
  if (is_ticker) {
    ok = ws_ticker(root, inst, *id, opt, t, out, err);
  } else {
    od::value data;
    od::json_type dt;
    const Got g = json::field(root, "data", data, dt);
    if (g == Got::absent) return m.fail(channel + ": missing data");
    if (g == Got::bad) return m.fail(channel + ": bad data");
    if (is_book) {
      const size_t begin = out.levels.size();
      BookShape shape;
      ok = book_object(data, inst, "p", "a", 0, 0, out, &shape, err);
      if (ok) {
        emit_book(out, begin, *id, opt, t);
        note_book_window(shape, out);
      }
    } else {
      ok = ws_trades(data, inst, *id, t, out, err);
    }
  }
  if (!ok) return m.fail(channel + ": " + err);
  return ParseStatus::ok;
}

}  // namespace mdhub::coinbtr
