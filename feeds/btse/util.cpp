#include "feeds/btse/util.hpp"

namespace mdhub::btse::detail {

bool parse_levels(od::value v, Side side, const Instrument& inst, ParseOut& out,
                  std::string& err) {
  od::array arr;
  if (v.get_array().get(arr)) {
    err = "levels are not an array";
    return false;
  }
  for (auto item : arr) {
    od::value lv;
    od::json_type type;
    if (item.get(lv) || lv.type().get(type)) {
      err = "malformed level";
      return false;
    }
    int64_t price = kNone, qty = kNone;
    if (type == od::json_type::array) {
      // [price, size]
      od::array pair;
      if (lv.get_array().get(pair)) {
        err = "malformed level";
        return false;
      }
      int n = 0;
      for (auto x : pair) {
        od::value xv;
        if (x.get(xv)) {
          err = "malformed level";
          return false;
        }
        if (n < 2) {
          auto r = json::decimal(xv, n == 0 ? inst.price_scale : inst.qty_scale);
          if (!r) {
            err = std::string(n == 0 ? "bad price (" : "bad size (") + to_string(r.error()) + ')';
            return false;
          }
          (n == 0 ? price : qty) = *r;
        }
        ++n;
      }
      if (n < 2) {
        err = "level needs [price, size]";
        return false;
      }
    } else if (type == od::json_type::object) {
      od::object lvl;
      if (lv.get_object().get(lvl) || !require_decimal(lvl, "price", inst.price_scale, price, err) ||
          !require_decimal(lvl, "size", inst.qty_scale, qty, err)) {
        if (err.empty()) err = "malformed level";
        return false;
      }
    } else {
      err = "level is neither [price, size] nor an object";
      return false;
    }
    if (price < 0 || qty < 0) {
      err = "negative price or size in a level";
      return false;
    }
    out.levels.push_back(LevelUpdate{side, price, qty});
  }
  return true;
}

bool integral(od::value v, int64_t& out, bool& as_double) {
  as_double = false;
  od::json_type t;
  if (v.type().get(t)) return false;
  if (t == od::json_type::number) {
    od::number_type nt;
    if (v.get_number_type().get(nt)) return false;
    if (nt != od::number_type::floating_point_number) return !v.get_int64().get(out) && out >= 0;
    // From the decimal text, never through a double: exact at scale 0 or rejected.
    auto r = json::decimal(v, 0, Rounding::exact);
    if (!r || *r < 0) return false;
    out = *r;
    as_double = true;
    return true;
  }
  return json::integer(v, out) && out >= 0;
}

bool get_integral(od::object& o, std::string_view key, uint64_t& out, bool& as_double) {
  od::value v;
  int64_t i = 0;
  if (o[key].get(v) || !integral(v, i, as_double)) return false;
  out = static_cast<uint64_t>(i);
  return true;
}

bool read_trade_row(od::object& r, const InstrumentTable& table, uint32_t fallback,
                    std::string_view id_key, RecvTime t, ParseOut& out, std::string& err) {
  std::string_view symbol, side;
  if (!optional_text(r, "symbol", symbol)) {
    err = "bad symbol";
    return false;
  }
  uint32_t id = fallback;
  if (!symbol.empty()) {
    const auto found = table.by_native(symbol);
    if (!found) return true;
    id = *found;
  } else if (fallback >= table.size()) {
    err = "missing symbol";
    return false;
  }
  const Instrument& inst = table[id];
  TradeMsg m;
  int64_t ts = kNone;
  if (!require_decimal(r, "price", inst.price_scale, m.price, err) ||
      !require_decimal(r, "size", inst.qty_scale, m.qty, err) || !get_ms(r, "timestamp", ts, err))
    return false;
  if (m.price < 0 || m.qty < 0) {
    err = "negative price or size";
    return false;
  }
  if (!optional_text(r, "side", side)) {
    err = "bad side";
    return false;
  }
  // The side is the taker's: the aggressor.
  if (side == "BUY" || side == "buy") m.side = 1;
  else if (side == "SELL" || side == "sell") m.side = -1;
  od::value idv;
  const auto e = r[id_key].get(idv);
  if (e == simdjson::SUCCESS) {
    bool as_double = false;
    if (!integral(idv, m.trade_id, as_double)) {
      err = "bad ";
      err += id_key;
      return false;
    }
    if (as_double) out.detected.push_back("id_as_double");
  } else if (e != simdjson::NO_SUCH_FIELD) {
    err = "malformed trade";
    return false;
  }
  Event ev = make_event(EventKind::trade, id, ts, t);
  ev.body = m;
  out.events.push_back(ev);
  return true;
}

}  // namespace mdhub::btse::detail
