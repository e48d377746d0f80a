#include "feeds/narkasa/util.hpp"

#include <algorithm>

namespace mdhub::narkasa::detail {

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
    od::object lvl;
    if (item.get_object().get(lvl)) {
      err = "level is not an object";
      return false;
    }
    int64_t price = kNone, qty = kNone;
    if (!require_decimal(lvl, "price", inst.price_scale, price, err) ||
        !require_decimal(lvl, "amount", inst.qty_scale, qty, err))
      return false;
    if (price < 0 || qty < 0) {
      err = "negative price or amount in a level";
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
               int64_t ts_us, RecvTime t) {
  Event e = make_event(EventKind::book, instrument, ts_us, t);
  BookMsg b;
  b.type = type;
  b.level_begin = static_cast<uint32_t>(level_begin);
  b.level_count = static_cast<uint32_t>(out.levels.size() - level_begin);
  e.body = b;
  out.events.push_back(e);
}

bool check_code(od::object& root, std::string& err) {
  std::string_view code;
  if (!get_text(root, "code", code)) {
    err = "bad code field";
    return false;
  }
  // A body without a code is accepted: the venue documents the envelope, not its absence.
  if (code.empty() || code == "00000") return true;
  err = "venue error code ";
  err += code;
  return false;
}

bool read_ticker(od::object& obj, const Instrument& inst, TickerMsg& m, std::string& err) {
  const int ps = inst.price_scale;
  // changePercent is already a percent (3.32 = 3.32 %).
  return get_decimal(obj, "firstBid", ps, m.bid, err) &&
         get_decimal(obj, "firstAsk", ps, m.ask, err) &&
         get_decimal(obj, "last", ps, m.last, err) && get_decimal(obj, "open", ps, m.open, err) &&
         get_decimal(obj, "high", ps, m.high, err) && get_decimal(obj, "low", ps, m.low, err) &&
         get_decimal(obj, "volumeQty", inst.qty_scale, m.volume_base, err) &&
         get_decimal(obj, "volume", ps, m.volume_quote, err) &&
         get_decimal(obj, "changePercent", kPctScale, m.change_pct, err);
}

}  // namespace mdhub::narkasa::detail
