#include "feeds/btse/util.hpp"

namespace mdhub::btse::detail {

namespace {

// A price or size as the decimal reader would take it: a string or number text, else bad.
// Strings, the websocket's form, are tried first: one call instead of a type check and one.
LevelText::State text_of(od::value v, std::string_view& s) {
  const auto e = v.get_string().get(s);
  if (e == simdjson::SUCCESS) return LevelText::State::text;
  if (e != simdjson::INCORRECT_TYPE) return LevelText::State::bad;
  return json::text(v, s) ? LevelText::State::text : LevelText::State::bad;
}

// An object level's field: absent or null is missing (a lookup that fails is bad).
LevelText::State object_field(od::object& lvl, std::string_view key, std::string_view& s) {
  od::value v;
  const auto e = lvl[key].get(v);
  if (e == simdjson::NO_SUCH_FIELD) return LevelText::State::missing;
  if (e) return LevelText::State::bad;
  bool is_null = false;
  if (!v.is_null().get(is_null) && is_null) return LevelText::State::missing;
  return text_of(v, s);
}

bool convert_one(LevelText::State st, std::string_view s, int scale, const char* name,
                 int64_t& v, std::string& err) {
  DecimalError e = DecimalError::syntax;
  if (st == LevelText::State::text) {
    const auto r = parse_decimal(s, scale, Rounding::half_even);
    if (r) {
      v = *r;
      return true;
    }
    e = r.error();
  } else if (st == LevelText::State::missing) {
    err = std::string("missing ") + name;
    return false;
  } else if (st == LevelText::State::short_pair) {
    err = "level needs [price, size]";
    return false;
  }
  err = std::string("bad ") + name + " (" + to_string(e) + ')';
  return false;
}

}  // namespace

bool read_level_text(od::value lv, Side side, LevelText& out, std::string& err) {
  out = LevelText{};
  out.side = side;
  // [price, size], the websocket's form, is tried first; what follows the size is ignored.
  od::array pair;
  const auto ae = lv.get_array().get(pair);
  if (ae == simdjson::SUCCESS) {
    int n = 0;
    for (auto x : pair) {
      od::value xv;
      if (x.get(xv)) {
        err = "malformed level";
        return false;
      }
      if (n == 0) out.price_state = text_of(xv, out.price);
      else if (n == 1) out.qty_state = text_of(xv, out.qty);
      // The level fails on its first bad value: nothing after it is read, as a value that
      // is not what it seems may have left the document unreadable.
      if (n > 1 || (n == 0 ? out.price_state : out.qty_state) != LevelText::State::text) break;
      ++n;
    }
    return true;
  }
  od::json_type type;
  if (ae != simdjson::INCORRECT_TYPE || lv.type().get(type)) {
    err = "malformed level";
    return false;
  }
  if (type == od::json_type::object) {
    od::object lvl;
    if (lv.get_object().get(lvl)) {
      err = "malformed level";
      return false;
    }
    out.price_state = object_field(lvl, "price", out.price);
    if (out.price_state == LevelText::State::text) out.qty_state = object_field(lvl, "size", out.qty);
    return true;
  }
  err = "level is neither [price, size] nor an object";
  return false;
}

bool convert_level(const LevelText& lt, const Instrument& inst, LevelUpdate& out,
                   std::string& err) {
  int64_t price = kNone, qty = kNone;
  if (!convert_one(lt.price_state, lt.price, inst.price_scale, "price", price, err) ||
      !convert_one(lt.qty_state, lt.qty, inst.qty_scale, "size", qty, err))
    return false;
  if (price < 0 || qty < 0) {
    err = "negative price or size in a level";
    return false;
  }
  out = LevelUpdate{lt.side, price, qty};
  return true;
}

namespace {

/// Walks a levels array, handing each level's value to `each` (which words its own errors).
template <class Each>
bool each_level(od::value v, std::string& err, Each&& each) {
  od::array arr;
  if (v.get_array().get(arr)) {
    err = "levels are not an array";
    return false;
  }
  for (auto item : arr) {
    od::value lv;
    if (item.get(lv)) {
      err = "malformed level";
      return false;
    }
    if (!each(lv)) return false;
  }
  return true;
}

}  // namespace

bool collect_levels(od::value v, Side side, std::vector<LevelText>& into, std::string& err) {
  return each_level(v, err, [&](od::value lv) {
    if (read_level_text(lv, side, into.emplace_back(), err)) return true;
    into.pop_back();
    return false;
  });
}

bool parse_levels(od::value v, Side side, const Instrument& inst, ParseOut& out,
                  std::string& err) {
  return each_level(v, err, [&](od::value lv) {
    LevelText lt;
    LevelUpdate l;
    if (!read_level_text(lv, side, lt, err) || !convert_level(lt, inst, l, err)) return false;
    out.levels.push_back(l);
    return true;
  });
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
