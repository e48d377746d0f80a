#include "feeds/coinbtr/parse_util.hpp"

#include <algorithm>
#include <limits>

#include "feeds/coinbtr/time.hpp"

namespace mdhub::coinbtr::detail {
namespace {

// Appends one side's rows ({pkey: price, qkey: size} objects, one per order) to out.levels.
bool book_rows(od::value v, Side side, const Instrument& inst, std::string_view pkey,
               std::string_view qkey, ParseOut& out, std::string& err) {
  od::array arr;
  if (v.get_array().get(arr)) {
    err = side == Side::bid ? "bids is not an array" : "asks is not an array";
    return false;
  }
  for (auto el : arr) {
    od::object row;
    if (el.get_object().get(row)) {
      err = "book row is not an object";
      return false;
    }
    int64_t price = 0, qty = 0;
    if (!dec(row, pkey, inst.price_scale, true, price, err) ||
        !dec(row, qkey, inst.qty_scale, true, qty, err))
      return false;
    if (price <= 0 || qty < 0) {
      err = "book row with a non-positive price or negative size";
      return false;
    }
    out.levels.push_back({side, price, qty});
  }
  return true;
}

}  // namespace

bool value_text(od::value v, std::string_view& s, bool& is_text) {
  od::json_type t;
  if (v.type().get(t)) return false;
  is_text = t == od::json_type::string || t == od::json_type::number;
  return !is_text || json::text(v, s);
}

bool ms_field(od::object& o, std::string_view key, int64_t& us, std::string& err) {
  std::string_view text;
  const Got g = text_field(o, key, text);
  if (g == Got::absent) {
    err = "missing " + std::string(key);
    return false;
  }
  int64_t ms = 0;
  if (g == Got::bad || !scaled_trunc(text, 0, ms) ||
      ms > std::numeric_limits<int64_t>::max() / 1000) {
    err = std::string(key) + ": not a timestamp in ms";
    return false;
  }
  us = ms * 1000;
  return true;
}

bool side_of(od::object& o, std::string_view key, int8_t& side, std::string& err) {
  side = 0;
  std::string_view s;
  const Got g = text_field(o, key, s);
  if (g == Got::bad) {
    err = "bad " + std::string(key);
    return false;
  }
  if (g == Got::value) {
    if (s == "BUY" || s == "buy" || s == "1") side = 1;
    else if (s == "SELL" || s == "sell" || s == "0") side = -1;
  }
  return true;
}

void emit_book(ParseOut& out, size_t begin, uint32_t inst, const ParseOptions& opt, RecvTime t) {
  BboMsg bbo;
  for (size_t i = begin; i < out.levels.size(); ++i) {
    const auto& lv = out.levels[i];
    if (lv.side == Side::bid && bbo.bid == kNone) {
      bbo.bid = lv.price;
      bbo.bid_qty = lv.qty;
    } else if (lv.side == Side::ask && bbo.ask == kNone) {
      bbo.ask = lv.price;
      bbo.ask_qty = lv.qty;
    }
  }
  if (opt.book) {
    BookMsg b;
    b.type = BookMsg::Type::replace;
    b.level_begin = static_cast<uint32_t>(begin);
    b.level_count = static_cast<uint32_t>(out.levels.size() - begin);
    Event e = make_event(EventKind::book, inst, kNone, t);
    e.body = b;
    out.events.push_back(e);
  } else {
    out.levels.resize(begin);
  }
  if (opt.bbo) {
    Event e = make_event(EventKind::bbo, inst, kNone, t);
    e.body = bbo;
    out.events.push_back(e);
  }
}

bool book_object(od::value v, const Instrument& inst, std::string_view pkey, std::string_view qkey,
                 size_t cap, size_t order_cap, ParseOut& out, BookShape* shape, std::string& err) {
  od::object obj;
  if (v.get_object().get(obj)) {
    err = "book is not an object";
    return false;
  }
  const size_t begin = out.levels.size();
  bool bids = false, asks = false;
  for (auto field : obj) {
    std::string_view key;
    od::value fv;
    if (auto e = field.unescaped_key().get(key)) return bad_json(err, e);
    if (auto e = field.value().get(fv)) return bad_json(err, e);
    if (key == "bids") {
      bids = true;
      if (!book_rows(fv, Side::bid, inst, pkey, qkey, out, err)) return false;
    } else if (key == "asks") {
      asks = true;
      if (!book_rows(fv, Side::ask, inst, pkey, qkey, out, err)) return false;
    }
  }
  if (!bids || !asks) {
    err = "book without bids or asks";
    return false;
  }
  if (shape || order_cap > 0) {
    // Bids then asks, best first; equal prices keep the venue's order (its queue).
    std::stable_sort(out.levels.begin() + static_cast<std::ptrdiff_t>(begin), out.levels.end(),
                     [](const LevelUpdate& a, const LevelUpdate& b) {
                       if (a.side != b.side) return a.side == Side::bid;
                       return a.side == Side::bid ? a.price > b.price : a.price < b.price;
                     });
    size_t w = begin, kept[2] = {0, 0};
    const LevelUpdate* prev = nullptr;
    LevelUpdate last{};
    for (size_t r = begin; r < out.levels.size(); ++r) {
      const LevelUpdate lv = out.levels[r];
      const size_t s = lv.side == Side::bid ? 0 : 1;
      if (shape) {
        ++shape->rows[s];
        if (!prev || prev->side != lv.side || prev->price != lv.price) ++shape->prices[s];
      }
      last = lv;
      prev = &last;
      if (order_cap > 0 && kept[s] == order_cap) continue;
      ++kept[s];
      out.levels[w++] = lv;
    }
    out.levels.resize(w);
  }
  if (!json::merge_book(out.levels, begin, cap)) {
    err = "book size sum out of range";
    return false;
  }
  return true;
}

void push_trade(ParseOut& out, uint32_t inst, int64_t ts_us, RecvTime t, int64_t price,
                int64_t qty, int8_t side, int64_t id) {
  Event e = make_event(EventKind::trade, inst, ts_us, t);
  TradeMsg m;
  m.price = price;
  m.qty = qty;
  m.side = side;
  m.trade_id = id;
  e.body = m;
  out.events.push_back(e);
}

}  // namespace mdhub::coinbtr::detail
