#pragma once
// Pure parsers for bitexbit's public REST API v2 (`/api/v2/public`): bodies in, normalized
// events out into the caller's ParseOut. No clock, socket or logging; the receive time is
// passed in. On ParseStatus::error nothing is appended and `out.error` says why. The
// Reader is the caller's (one per feed); otherwise thread-safe.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/common/events.hpp"
#include "feeds/common/instruments.hpp"
#include "feeds/common/json.hpp"

namespace mdhub::bitexbit {

/// Bounds for the published precisions used as instrument scales: beyond 12 decimals a
/// BTC price in sats-of-a-dollar would overflow the int64 mantissa.
inline constexpr int kMinPairScale = 0;
inline constexpr int kMaxPairScale = 12;

/// `/pairs`: enabled pairs; `price_precision`/`amount_precision` become the scales
/// (clamped to kMinPairScale..kMaxPairScale; missing or not an integer: 8).
ParseStatus parse_pairs(json::Reader& rd, std::string_view body, std::vector<Instrument>& out,
                        std::string& error);

/// `/tickers?symbols=...`: per known symbol a TickerMsg (`ticker`) and a BboMsg from
/// `buy`/`sell` without sizes (`bbo`; a zero price is an empty side). `date` is ms.
/// Volumes: `vol1` (base) at the quantity scale, `vol2` (quote) at the price scale;
/// `change` is already a percent.
ParseStatus parse_tickers(json::Reader& rd, std::string_view body, const InstrumentTable& table,
                          bool ticker, bool bbo, RecvTime t, ParseOut& out);

/// `/depth?symbol=X&limit=N` of `instrument`: BookMsg::replace. Levels are `[price, amount]`
/// with numbers or strings, sorted and summed by price here whatever order they come in;
/// `date` is float seconds, converted to µs exactly from its text.
ParseStatus parse_depth(json::Reader& rd, std::string_view body, const InstrumentTable& table,
                        uint32_t instrument, RecvTime t, ParseOut& out);

/// What a trades page held, for the since_id cursor and paging.
struct TradesPage {
  size_t rows = 0;          ///< rows in the response, new or not
  int64_t max_id = kNone;   ///< highest id in the response
  int64_t min_id = kNone;   ///< lowest id in the response
  int64_t first_id = kNone; ///< id of the first row, and of the last: their order is the page's
  int64_t last_id = kNone;
  bool saw_after = false;   ///< a row has id == `after_id` (an inclusive since_id)
  /// +1 ids ascend (oldest first), -1 descend (newest first), 0 unknown (< 2 distinct ids).
  int order() const { return first_id == last_id ? 0 : first_id < last_id ? 1 : -1; }
};

/// `/trades?symbol=X&...` of `instrument`: emits the trades with id > `after_id` (kNone:
/// all), each id once, in ascending id order, whatever order the page lists them in.
/// `type` buy/sell is the taker side.
ParseStatus parse_trades(json::Reader& rd, std::string_view body, const InstrumentTable& table,
                         uint32_t instrument, int64_t after_id, RecvTime t, ParseOut& out,
                         TradesPage& page);

/// Unit of candle times: the docs say ms, their example is seconds.
enum class TimeUnit : uint8_t { automatic, seconds, millis };
/// `automatic` reads values below 1e11 as seconds (1e11 s is the year 5138; 1e11 ms is 1973).
int64_t candle_time_us(int64_t value, TimeUnit unit);

/// Venue timeframe (`5`, `15`, `30`, `60`, `240`, `D`) <-> CandleInterval.
bool timeframe_interval(std::string_view timeframe, CandleInterval& out);
std::string_view timeframe_name(CandleInterval interval);  ///< "" when the venue has none

/// `/ohlcv?symbol=X&timeframe=T&...` of `instrument`: rows `[time, open, high, low, close,
/// volume]` (v1-style objects with those names are accepted too), emitted oldest first. A
/// candle is closed once its end (open + interval) is not after the receive time.
ParseStatus parse_ohlcv(json::Reader& rd, std::string_view body, const InstrumentTable& table,
                        uint32_t instrument, CandleInterval interval, TimeUnit unit, RecvTime t,
                        ParseOut& out);

}  // namespace mdhub::bitexbit
