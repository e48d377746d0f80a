#include "feeds/bitexbit/parse_util.hpp"

#include <algorithm>
#include <limits>

namespace mdhub::bitexbit::detail {
namespace {
bool is_digit(char c) { return c >= '0' && c <= '9'; }
}  // namespace

ParseStatus fail(ParseOut& o, Mark m, std::string msg) {
  o.events.resize(m.events);
  o.levels.resize(m.levels);
  o.error = std::move(msg);
  return ParseStatus::error;
}

std::string json_error(simdjson::error_code e) {
  return std::string("bad JSON: ") + simdjson::error_message(e);
}

// simdjson reports the position as out of bounds once the whole document was consumed;
// anything else means bytes after the top-level value.
bool consumed_all(od::document& doc) { return doc.current_location().error() != simdjson::SUCCESS; }
std::string shape_error(simdjson::error_code e, const char* want) {
  return e == simdjson::INCORRECT_TYPE ? std::string("expected ") + want : json_error(e);
}
bool blank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

Got get(od::object& o, std::string_view key, od::value& v, od::json_type& t) {
  const auto err = o.find_field_unordered(key).get(v);
  if (err == simdjson::NO_SUCH_FIELD) return Got::absent;
  if (err || v.type().get(t)) return Got::bad;
  return t == od::json_type::null ? Got::absent : Got::value;
}

Got get_text(od::object& o, std::string_view key, std::string_view& s) {
  od::value v;
  od::json_type t;
  const Got g = get(o, key, v, t);
  if (g != Got::value) return g;
  if (t != od::json_type::string && t != od::json_type::number) return Got::bad;
  return json::text(v, s) ? Got::value : Got::bad;
}

Got get_int(od::object& o, std::string_view key, int64_t& n) {
  od::value v;
  od::json_type t;
  const Got g = get(o, key, v, t);
  if (g != Got::value) return g;
  return json::integer(v, n) ? Got::value : Got::bad;
}

bool dec(od::object& o, std::string_view key, int scale, bool required, int64_t& v,
         std::string& err) {
  auto r = json::optional_decimal(o, key, scale);
  if (!r) {
    err = std::string(key) + ": " + to_string(r.error());
    return false;
  }
  if (required && *r == kNone) {
    err = "missing " + std::string(key);
    return false;
  }
  v = *r;
  return true;
}

bool dec_value(od::value v, std::string_view what, int scale, int64_t& out, std::string& err) {
  auto r = json::decimal(v, scale);
  if (!r) {
    err = std::string(what) + ": " + to_string(r.error());
    return false;
  }
  out = *r;
  return true;
}


std::string upper(std::string s) {
  for (char& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

bool scaled_trunc(std::string_view s, int digits, int64_t& out) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  auto push = [&](int64_t& v, int d) {
    if (v > (kMax - d) / 10) return false;
    v = v * 10 + d;
    return true;
  };
  size_t i = 0;
  int64_t v = 0;
  bool any = false;
  for (; i < s.size() && is_digit(s[i]); ++i) {
    any = true;
    if (!push(v, s[i] - '0')) return false;
  }
  int taken = 0;
  if (i < s.size() && s[i] == '.') {
    for (++i; i < s.size() && is_digit(s[i]); ++i) {
      any = true;
      if (taken < digits) {
        if (!push(v, s[i] - '0')) return false;
        ++taken;
      }
    }
  }
  if (!any) return false;
  if (i != s.size()) {
    if (s[i] != 'e' && s[i] != 'E') return false;
    auto r = parse_decimal(s, digits, Rounding::half_even);
    if (!r || *r < 0) return false;
    out = *r;
    return true;
  }
  for (; taken < digits; ++taken)
    if (!push(v, 0)) return false;
  out = v;
  return true;
}

bool time_field(od::object& o, std::string_view key, int digits, int64_t& us, std::string& err) {
  us = kNone;
  std::string_view text;
  const Got g = get_text(o, key, text);
  if (g == Got::absent) return true;
  if (g == Got::bad || !scaled_trunc(text, digits, us)) {
    err = std::string(key) + ": not a timestamp";
    return false;
  }
  return true;
}

Event make_event(EventKind kind, uint32_t inst, int64_t ts, RecvTime t) {
  Event e;
  e.kind = kind;
  e.instrument = inst;
  e.ts_exchange_us = ts;
  e.recv = t;
  return e;
}

bool symbol_matches(od::object& o, const Instrument& inst, std::string& err) {
  std::string_view s;
  const Got g = get_text(o, "symbol", s);
  if (g == Got::bad) {
    err = "bad symbol";
    return false;
  }
  if (g == Got::absent || s == inst.native) return true;
  err = "symbol " + std::string(s) + " in the answer for " + inst.native;
  return false;
}

bool levels(od::value v, Side side, const Instrument& inst, ParseOut& out, std::string& err) {
  od::array arr;
  if (v.get_array().get(arr)) {
    err = side == Side::bid ? "bids is not an array" : "asks is not an array";
    return false;
  }
  for (auto el : arr) {
    od::array row;
    if (el.get_array().get(row)) {
      err = "level is not an array";
      return false;
    }
    int64_t px = kNone, qty = kNone;
    size_t n = 0;
    for (auto cell : row) {
      od::value cv;
      if (auto e = cell.get(cv)) {
        err = json_error(e);
        return false;
      }
      if (n == 0 && !dec_value(cv, "level price", inst.price_scale, px, err)) return false;
      if (n == 1 && !dec_value(cv, "level amount", inst.qty_scale, qty, err)) return false;
      ++n;
    }
    if (n < 2) {
      err = "level with fewer than 2 fields";
      return false;
    }
    if (px <= 0 || qty < 0) {
      err = "level with a non-positive price or negative amount";
      return false;
    }
    out.levels.push_back({side, px, qty});
  }
  return true;
}

bool aggregate(ParseOut& out, size_t begin, std::string& err) {
  auto first = out.levels.begin() + static_cast<std::ptrdiff_t>(begin);
  std::sort(first, out.levels.end(), [](const LevelUpdate& a, const LevelUpdate& b) {
    if (a.side != b.side) return a.side < b.side;
    return a.side == Side::bid ? a.price > b.price : a.price < b.price;
  });
  size_t w = begin;
  for (size_t r = begin; r < out.levels.size(); ++r) {
    const LevelUpdate lv = out.levels[r];
    if (w > begin && out.levels[w - 1].side == lv.side && out.levels[w - 1].price == lv.price) {
      if (__builtin_add_overflow(out.levels[w - 1].qty, lv.qty, &out.levels[w - 1].qty)) {
        err = "level amount sum out of range";
        return false;
      }
    } else {
      out.levels[w++] = lv;
    }
  }
  out.levels.resize(w);
  const auto last = std::remove_if(out.levels.begin() + static_cast<std::ptrdiff_t>(begin),
                                   out.levels.end(), [](const LevelUpdate& l) { return l.qty == 0; });
  out.levels.erase(last, out.levels.end());
  return true;
}

}  // namespace mdhub::bitexbit::detail
