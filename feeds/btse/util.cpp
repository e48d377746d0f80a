#include "feeds/btse/util.hpp"

#include <algorithm>

namespace mdhub::btse::detail {

Event make_event(EventKind kind, uint32_t instrument, int64_t ts_us, RecvTime t) {
  Event e;
  e.kind = kind;
  e.instrument = instrument;
  e.ts_exchange_us = ts_us;
  e.recv = t;
  return e;
}

bool get_decimal(od::object& obj, std::string_view key, int scale, int64_t& v, std::string& err) {
  auto r = json::optional_decimal(obj, key, scale);
  if (!r) {
    err = "bad ";
    err += key;
    err += " (";
    err += to_string(r.error());
    err += ')';
    return false;
  }
  v = *r;
  return true;
}

bool require_decimal(od::object& obj, std::string_view key, int scale, int64_t& v,
                     std::string& err) {
  if (!get_decimal(obj, key, scale, v, err)) return false;
  if (v == kNone) {
    err = "missing ";
    err += key;
    return false;
  }
  return true;
}

bool get_ms(od::object& obj, std::string_view key, int64_t& us, std::string& err) {
  // A millisecond value read at scale 3 is its microsecond mantissa, exactly.
  return get_decimal(obj, key, 3, us, err);
}

bool get_text(od::object& obj, std::string_view key, std::string_view& out) {
  out = {};
  od::value v;
  auto e = obj[key].get(v);
  if (e == simdjson::NO_SUCH_FIELD) return true;
  if (e) return false;
  bool is_null = false;
  if (!v.is_null().get(is_null) && is_null) return true;
  return json::text(v, out);
}

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

bool normalize_book(ParseOut& out, size_t begin, std::string& err) {
  auto first = out.levels.begin() + static_cast<std::ptrdiff_t>(begin);
  std::sort(first, out.levels.end(), [](const LevelUpdate& a, const LevelUpdate& b) {
    if (a.side != b.side) return a.side == Side::bid;
    return a.side == Side::bid ? a.price > b.price : a.price < b.price;
  });
  size_t w = begin;
  for (size_t r = begin; r < out.levels.size(); ++r) {
    const LevelUpdate& l = out.levels[r];
    if (w > begin && out.levels[w - 1].side == l.side && out.levels[w - 1].price == l.price) {
      if (__builtin_add_overflow(out.levels[w - 1].qty, l.qty, &out.levels[w - 1].qty)) {
        err = "level size overflow";
        return false;
      }
    } else {
      out.levels[w++] = l;
    }
  }
  out.levels.resize(w);
  // Zero sizes mean "no level" in a full book; drop them after merging.
  auto last = std::remove_if(out.levels.begin() + static_cast<std::ptrdiff_t>(begin),
                             out.levels.end(), [](const LevelUpdate& l) { return l.qty == 0; });
  out.levels.erase(last, out.levels.end());
  return true;
}

void push_book(ParseOut& out, BookMsg::Type type, size_t level_begin, uint32_t instrument,
               int64_t ts_us, RecvTime t, uint64_t seq, uint64_t prev_seq) {
  Event e = make_event(EventKind::book, instrument, ts_us, t);
  BookMsg b;
  b.type = type;
  b.level_begin = static_cast<uint32_t>(level_begin);
  b.level_count = static_cast<uint32_t>(out.levels.size() - level_begin);
  b.seq = seq;
  b.prev_seq = prev_seq;
  e.body = b;
  out.events.push_back(e);
}

bool read_trade_row(od::object& r, const InstrumentTable& table, uint32_t fallback,
                    std::string_view id_key, RecvTime t, ParseOut& out, std::string& err) {
  std::string_view symbol, side;
  if (!get_text(r, "symbol", symbol)) {
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
  if (!get_text(r, "side", side)) {
    err = "bad side";
    return false;
  }
  // The side is the taker's: the aggressor.
  if (side == "BUY" || side == "buy") m.side = 1;
  else if (side == "SELL" || side == "sell") m.side = -1;
  od::value idv;
  const auto e = r[id_key].get(idv);
  if (e == simdjson::SUCCESS) {
    if (!json::integer(idv, m.trade_id)) {
      err = "bad ";
      err += id_key;
      return false;
    }
  } else if (e != simdjson::NO_SUCH_FIELD) {
    err = "malformed trade";
    return false;
  }
  Event ev = make_event(EventKind::trade, id, ts, t);
  ev.body = m;
  out.events.push_back(ev);
  return true;
}

bool get_uint(od::object& obj, std::string_view key, uint64_t& v) {
  od::value val;
  int64_t i = 0;
  if (obj[key].get(val) || !json::integer(val, i) || i < 0) return false;
  v = static_cast<uint64_t>(i);
  return true;
}

}  // namespace mdhub::btse::detail
