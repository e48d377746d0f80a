#include "feeds/narkasa/util.hpp"

namespace mdhub::narkasa::detail {

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

bool check_code(od::object& root, std::string& err) {
  std::string_view code;
  if (!optional_text(root, "code", code)) {
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
