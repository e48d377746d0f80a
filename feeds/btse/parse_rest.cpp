// BTSE REST bodies (https://api.btse.com/spot/api/v3.2/...): market_summary, orderbook/L2,
// trades, ohlcv, price, time, and the unified public-api orderbook.
#include <algorithm>

#include "feeds/btse/parse.hpp"
#include "feeds/btse/util.hpp"

namespace mdhub::btse {

using namespace detail;

namespace {

constexpr int kMaxDerivedScale = 12;

ParseStatus fail(Txn& tx, std::string_view what, std::string_view err) {
  return tx.fail("btse", what, err);
}

/// Digits after the point an increment such as 0.5 or 1e-05 needs (0 for whole numbers).
int increment_digits(std::string_view text) {
  auto r = parse_decimal(text, kMaxDerivedScale, Rounding::half_even);
  if (!r || *r <= 0) return 0;
  int d = kMaxDerivedScale;
  for (int64_t m = *r; d > 0 && m % 10 == 0; m /= 10) --d;
  return d;
}

bool get_bool(od::object& obj, std::string_view key, bool dflt, bool& out) {
  od::value v;
  const auto e = obj[key].get(v);
  out = dflt;
  if (e == simdjson::NO_SUCH_FIELD) return true;
  if (e) return false;
  bool is_null = false;
  if (!v.is_null().get(is_null) && is_null) return true;
  return !v.get_bool().get(out);
}

/// A 24h volume that does not fit the instrument's scale is left out rather than failing
/// every ticker of the poll.
bool get_volume(od::object& obj, std::string_view key, int scale, int64_t& v, std::string& err) {
  auto r = json::optional_decimal(obj, key, scale);
  if (r || r.error() == DecimalError::overflow) {
    v = r ? *r : kNone;
    return true;
  }
  err = "bad ";
  err += key;
  err += " (";
  err += to_string(r.error());
  err += ')';
  return false;
}

// A REST book side: its levels, or null for a side with none (the websocket's updates send
// null for a side without levels, and the same encoder may write an empty REST side so).
bool rest_side(od::value v, Side side, const Instrument& inst, ParseOut& out, std::string& err) {
  bool is_null = false;
  if (!v.is_null().get(is_null) && is_null) {
    out.detected.push_back("null_side");
    return true;
  }
  return parse_levels(v, side, inst, out, err);
}

}  // namespace

std::string_view resolution(CandleInterval i) {
  switch (i) {
    case CandleInterval::m1: return "1";
    case CandleInterval::m5: return "5";
    case CandleInterval::m15: return "15";
    case CandleInterval::m30: return "30";
    case CandleInterval::h1: return "60";
    case CandleInterval::h4: return "240";
    case CandleInterval::d1: return "1440";
    default: return {};
  }
}

ParseStatus parse_instruments(json::Reader& reader, std::string_view body,
                              std::vector<Instrument>& instruments, std::string& error) {
  const size_t begin = instruments.size();
  auto fail_with = [&](std::string m) {
    instruments.resize(begin);
    error = "btse market_summary: " + m;
    return ParseStatus::error;
  };
  od::document doc;
  od::array arr;
  std::string err;
  if (!open_array(reader, body, doc, arr, err)) return fail_with(err);
  for (auto item : arr) {
    od::object m;
    if (item.get_object().get(m)) return fail_with("market is not an object");
    std::string_view symbol, base, quote, tick, lot;
    bool active = true, futures = false;
    if (!optional_text(m, "symbol", symbol) || !optional_text(m, "base", base) ||
        !optional_text(m, "quote", quote) || !get_bool(m, "active", true, active) ||
        !get_bool(m, "futures", false, futures) || !optional_text(m, "minPriceIncrement", tick) ||
        !optional_text(m, "minSizeIncrement", lot))
      return fail_with("bad market fields");
    if (symbol.empty() || base.empty() || quote.empty() || futures || !active) continue;
    Instrument inst = listed("btse", symbol, base, quote);
    // More digits than the increments need is harmless; fewer would merge price levels.
    inst.price_scale = std::max(kDefaultPriceScale, increment_digits(tick));
    inst.qty_scale = std::max(kDefaultQtyScale, increment_digits(lot));
    // The book's ladder is laid out on this grid; a bad value only leaves it to be inferred.
    if (auto t = parse_decimal(tick, inst.price_scale); t && *t > 0) inst.tick = *t;
    instruments.push_back(std::move(inst));
  }
  return ParseStatus::ok;
}

ParseStatus parse_market_summary(json::Reader& reader, std::string_view body,
                                 const InstrumentTable& table, RecvTime t, ParseOut& out) {
  Txn tx(out);
  od::document doc;
  od::array arr;
  std::string err;
  if (!open_array(reader, body, doc, arr, err)) return fail(tx, "market_summary", err);
  for (auto item : arr) {
    od::object m;
    if (item.get_object().get(m)) return fail(tx, "market_summary", "market is not an object");
    std::string_view symbol;
    if (!optional_text(m, "symbol", symbol)) return fail(tx, "market_summary", "bad symbol");
    const auto id = table.by_native(symbol);
    if (!id) continue;
    const Instrument& inst = table[*id];
    const int ps = inst.price_scale;
    TickerMsg k;
    // percentageChange is a percent already; volume is quote turnover, size base quantity.
    if (!get_decimal(m, "highestBid", ps, k.bid, err) || !get_decimal(m, "lowestAsk", ps, k.ask, err) ||
        !get_decimal(m, "last", ps, k.last, err) || !get_decimal(m, "high24Hr", ps, k.high, err) ||
        !get_decimal(m, "low24Hr", ps, k.low, err) ||
        !get_volume(m, "size", inst.qty_scale, k.volume_base, err) ||
        !get_volume(m, "volume", ps, k.volume_quote, err) ||
        !get_decimal(m, "percentageChange", kPctScale, k.change_pct, err))
      return fail(tx, "market_summary", err);
    push_event(out, EventKind::ticker, *id, kNone, t, k);
  }
  return ParseStatus::ok;
}

ParseStatus parse_rest_l2(json::Reader& reader, std::string_view body,
                          const InstrumentTable& table, uint32_t instrument, RecvTime t,
                          ParseOut& out) {
  Txn tx(out);
  od::document doc;
  od::object root;
  std::string err;
  if (bad_instrument(table, instrument, err) || !open_object(reader, body, doc, root, err))
    return fail(tx, "orderbook", err);
  int64_t ts = kNone;
  if (!get_ms(root, "timestamp", ts, err)) return fail(tx, "orderbook", err);
  const size_t begin = out.levels.size();
  if (!read_sides(root, "buyQuote", "sellQuote", err,
                  [&](od::value v, Side side) { return rest_side(v, side, table[instrument], out, err); }))
    return fail(tx, "orderbook", err);
  // Level order is not documented: normalize before handing over a full book.
  if (!json::merge_book(out.levels, begin)) return fail(tx, "orderbook", kSizeOverflow);
  push_book(out, BookMsg::Type::replace, begin, instrument, ts, t);
  return ParseStatus::ok;
}

ParseStatus parse_rest_trades(json::Reader& reader, std::string_view body,
                              const InstrumentTable& table, uint32_t instrument, RecvTime t,
                              ParseOut& out) {
  Txn tx(out);
  od::document doc;
  od::array arr;
  std::string err;
  if (bad_instrument(table, instrument, err) ||
      !open_array(reader, body, doc, arr, err))
    return fail(tx, "trades", err);
  for (auto item : arr) {
    od::object r;
    if (item.get_object().get(r)) return fail(tx, "trades", "trade is not an object");
    if (!read_trade_row(r, table, instrument, "serialId", t, out, err)) return fail(tx, "trades", err);
  }
  return ParseStatus::ok;
}

ParseStatus parse_ohlcv(json::Reader& reader, std::string_view body, const InstrumentTable& table,
                        uint32_t instrument, CandleInterval interval, RecvTime t, ParseOut& out) {
  Txn tx(out);
  od::document doc;
  od::array rows;
  std::string err;
  if (bad_instrument(table, instrument, err) ||
      !open_array(reader, body, doc, rows, err))
    return fail(tx, "ohlcv", err);
  const Instrument& inst = table[instrument];
  for (auto item : rows) {
    od::array row;
    if (item.get_array().get(row)) return fail(tx, "ohlcv", "row is not an array");
    // [time s, open, high, low, close, volume]
    int64_t v[6] = {kNone, kNone, kNone, kNone, kNone, kNone};
    const int scales[6] = {6, inst.price_scale, inst.price_scale, inst.price_scale,
                           inst.price_scale, inst.qty_scale};
    int n = 0;
    for (auto x : row) {
      od::value xv;
      if (x.get(xv)) return fail(tx, "ohlcv", "malformed row");
      if (n < 6) {
        auto r = json::decimal(xv, scales[n]);
        if (!r) return fail(tx, "ohlcv", std::string("bad value (") + to_string(r.error()) + ')');
        v[n] = *r;
      }
      ++n;
    }
    if (n < 6) return fail(tx, "ohlcv", "row needs 6 values");
    CandleMsg c;
    c.interval = interval;
    c.open_time_us = v[0];  // seconds read at scale 6 = µs
    c.close_time_us = v[0] + interval_seconds(interval) * 1'000'000;
    c.open = v[1];
    c.high = v[2];
    c.low = v[3];
    c.close = v[4];
    c.volume = v[5];
    c.closed = c.close_time_us <= t.wall_ns / 1000;
    push_event(out, EventKind::candle, instrument, kNone, t, c);
  }
  return ParseStatus::ok;
}

ParseStatus parse_price(json::Reader& reader, std::string_view body, const InstrumentTable& table,
                        RecvTime t, ParseOut& out) {
  Txn tx(out);
  od::document doc;
  od::array arr;
  std::string err;
  if (!open_array(reader, body, doc, arr, err)) return fail(tx, "price", err);
  for (auto item : arr) {
    od::object m;
    if (item.get_object().get(m)) return fail(tx, "price", "row is not an object");
    std::string_view symbol;
    if (!optional_text(m, "symbol", symbol)) return fail(tx, "price", "bad symbol");
    const auto id = table.by_native(symbol);
    if (!id) continue;
    TickerMsg k;
    if (!get_decimal(m, "lastPrice", table[*id].price_scale, k.last, err))
      return fail(tx, "price", err);
    push_event(out, EventKind::ticker, *id, kNone, t, k);
  }
  return ParseStatus::ok;
}

ParseStatus parse_time(json::Reader& reader, std::string_view body, int64_t& epoch_us,
                       std::string& error) {
  od::document doc;
  od::object root;
  od::value v;
  if (reader.iterate(body).get(doc) || doc.get_object().get(root) || root["epoch"].get(v)) {
    error = "btse time: missing epoch";
    return ParseStatus::error;
  }
  auto r = json::decimal(v, 6);  // seconds at scale 6 = µs
  if (!r) {
    error = "btse time: bad epoch";
    return ParseStatus::error;
  }
  epoch_us = *r;
  return ParseStatus::ok;
}

ParseStatus parse_public_orderbook(json::Reader& reader, std::string_view body,
                                   const InstrumentTable& table, uint32_t instrument, RecvTime t,
                                   ParseOut& out) {
  Txn tx(out);
  od::document doc;
  od::object root, data;
  std::string err;
  if (bad_instrument(table, instrument, err) || !open_object(reader, body, doc, root, err))
    return fail(tx, "public orderbook", err);
  bool success = true;
  if (!get_bool(root, "success", true, success)) return fail(tx, "public orderbook", "bad success");
  if (!success) {
    std::string_view msg;
    if (!optional_text(root, "msg", msg)) msg = "unknown error";
    return fail(tx, "public orderbook", "venue error: " + std::string(msg));
  }
  if (root["data"].get_object().get(data)) return fail(tx, "public orderbook", "missing data");
  int64_t ts = kNone;
  if (!get_ms(data, "timestamp", ts, err)) return fail(tx, "public orderbook", err);
  const size_t begin = out.levels.size();
  if (!read_sides(data, "bids", "asks", err,
                  [&](od::value v, Side side) { return rest_side(v, side, table[instrument], out, err); }))
    return fail(tx, "public orderbook", err);
  if (!json::merge_book(out.levels, begin)) return fail(tx, "public orderbook", kSizeOverflow);
  push_book(out, BookMsg::Type::replace, begin, instrument, ts, t);
  return ParseStatus::ok;
}

}  // namespace mdhub::btse
