// Candles (`/ohlcv`) and the venue's timeframe names.
#include <algorithm>
#include <limits>

#include "feeds/bitexbit/parse.hpp"
#include "feeds/bitexbit/parse_util.hpp"

namespace mdhub::bitexbit {
namespace {

using namespace detail;

// Candle fields from `[time, o, h, l, c, v]`.
bool candle_row(od::array row, const Instrument& inst, int64_t& time, CandleMsg& c,
                std::string& err) {
  size_t n = 0;
  for (auto cell : row) {
    od::value v;
    if (auto e = cell.get(v)) {
      err = json_error(e);
      return false;
    }
    bool ok = true;
    switch (n) {
      case 0:
        ok = json::integer(v, time);
        if (!ok) err = "candle time is not an integer";
        break;
      case 1: ok = decimal_value(v, "open", inst.price_scale, c.open, err); break;
      case 2: ok = decimal_value(v, "high", inst.price_scale, c.high, err); break;
      case 3: ok = decimal_value(v, "low", inst.price_scale, c.low, err); break;
      case 4: ok = decimal_value(v, "close", inst.price_scale, c.close, err); break;
      case 5: ok = decimal_value(v, "volume", inst.qty_scale, c.volume, err); break;
      default: break;
    }
    if (!ok) return false;
    ++n;
  }
  if (n < 6) {
    err = "candle with fewer than 6 fields";
    return false;
  }
  return true;
}

// Candle fields from `{"time":..,"open":..,...}` (the v1 chart shape).
bool candle_object(od::object row, const Instrument& inst, int64_t& time, CandleMsg& c,
                   std::string& err) {
  if (int_field(row, "time", time) != Got::value) {
    err = "candle time is not an integer";
    return false;
  }
  return dec(row, "open", inst.price_scale, true, c.open, err) &&
         dec(row, "high", inst.price_scale, true, c.high, err) &&
         dec(row, "low", inst.price_scale, true, c.low, err) &&
         dec(row, "close", inst.price_scale, true, c.close, err) &&
         dec(row, "volume", inst.qty_scale, false, c.volume, err);
}

struct Timeframe {
  std::string_view name;
  CandleInterval interval;
};
// The docs label `5` "15 min": a typo, `15` is listed separately.
constexpr Timeframe kTimeframes[] = {{"5", CandleInterval::m5},   {"15", CandleInterval::m15},
                                     {"30", CandleInterval::m30}, {"60", CandleInterval::h1},
                                     {"240", CandleInterval::h4}, {"D", CandleInterval::d1}};

}  // namespace

bool timeframe_interval(std::string_view timeframe, CandleInterval& out) {
  for (const auto& tf : kTimeframes) {
    if (tf.name == timeframe) {
      out = tf.interval;
      return true;
    }
  }
  return false;
}

std::string_view timeframe_name(CandleInterval interval) {
  for (const auto& tf : kTimeframes)
    if (tf.interval == interval) return tf.name;
  return {};
}

int64_t candle_time_us(int64_t value, TimeUnit unit) {
  constexpr int64_t kSecondsBelow = 100'000'000'000;  // 1e11
  if (value < 0) return kNone;
  const bool seconds = unit == TimeUnit::seconds || (unit == TimeUnit::automatic && value < kSecondsBelow);
  const int64_t mul = seconds ? 1'000'000 : 1'000;
  if (value > std::numeric_limits<int64_t>::max() / mul) return kNone;
  return value * mul;
}

ParseStatus parse_ohlcv(json::Reader& rd, std::string_view body, const InstrumentTable& table,
                        uint32_t instrument, CandleInterval interval, TimeUnit unit, RecvTime t,
                        ParseOut& out) {
  Txn m(out);
  if (instrument >= table.size()) return m.fail("ohlcv: unknown instrument");
  const Instrument& inst = table[instrument];
  std::string err;
  if (blank(body)) return m.fail(std::string("ohlcv: ") + kEmpty);
  od::document doc;
  if (auto e = rd.iterate(body).get(doc)) return m.fail("ohlcv: " + json_error(e));
  od::array arr;
  if (auto e = doc.get_array().get(arr)) return m.fail("ohlcv: " + shape_error(e, "an array"));
  const int64_t len_us = interval_seconds(interval) * 1'000'000;
  for (auto el : arr) {
    od::value rv;
    if (auto e = el.get(rv)) return m.fail("ohlcv: " + json_error(e));
    od::json_type jt;
    if (rv.type().get(jt)) return m.fail("ohlcv: bad row");
    CandleMsg c;
    c.interval = interval;
    int64_t time = 0;
    bool ok = false;
    if (jt == od::json_type::array) {
      od::array row;
      ok = !rv.get_array().get(row) && candle_row(row, inst, time, c, err);
    } else if (jt == od::json_type::object) {
      od::object row;
      ok = !rv.get_object().get(row) && candle_object(row, inst, time, c, err);
    } else {
      err = "candle is neither an array nor an object";
    }
    if (!ok) return m.fail("ohlcv: " + (err.empty() ? std::string("bad row") : err));
    c.open_time_us = candle_time_us(time, unit);
    if (c.open_time_us == kNone) return m.fail("ohlcv: candle time out of range");
    c.close_time_us = c.open_time_us + len_us;
    c.closed = c.close_time_us <= t.wall_ns / 1000;
    Event e = make_event(EventKind::candle, instrument, kNone, t);
    e.body = c;
    out.events.push_back(e);
  }
  if (!consumed_all(doc)) return m.fail(std::string("ohlcv: ") + kTrailing);
  auto first = out.events.begin() + static_cast<std::ptrdiff_t>(m.events_begin());
  std::stable_sort(first, out.events.end(), [](const Event& a, const Event& b) {
    return std::get<CandleMsg>(a.body).open_time_us < std::get<CandleMsg>(b.body).open_time_us;
  });
  return ParseStatus::ok;
}

}  // namespace mdhub::bitexbit
