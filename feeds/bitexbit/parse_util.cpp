#include "feeds/bitexbit/parse_util.hpp"

namespace mdhub::bitexbit::detail {

bool time_field(od::object& o, std::string_view key, int digits, int64_t& us, std::string& err) {
  us = kNone;
  std::string_view text;
  const Got g = text_field(o, key, text);
  if (g == Got::absent) return true;
  if (g == Got::bad || !scaled_trunc(text, digits, us)) {
    err = std::string(key) + ": not a timestamp";
    return false;
  }
  return true;
}

bool symbol_matches(od::object& o, const Instrument& inst, std::string& err) {
  std::string_view s;
  const Got g = text_field(o, "symbol", s);
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
      if (n == 0 && !decimal_value(cv, "level price", inst.price_scale, px, err)) return false;
      if (n == 1 && !decimal_value(cv, "level amount", inst.qty_scale, qty, err)) return false;
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

}  // namespace mdhub::bitexbit::detail
