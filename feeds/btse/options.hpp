#pragma once
// BTSE's options ([venues.btse.options]); the common runtime knobs are in feeds/common.
#include "feeds/common/options.hpp"

namespace mdhub::btse::opt {

inline constexpr std::string_view kApiVersions[] = {"v3.2", "v3.3"};
inline constexpr std::string_view kIntervals[] = {"1m", "5m", "15m", "30m", "1h", "4h", "1d"};
inline constexpr std::string_view kTimeUnits[] = {"ms", "s"};

/// REST path version (v3.3 has identical market-data endpoints).
inline constexpr OptionSpec api_version = choice_option("api_version", "v3.2", kApiVersions);
/// Price grouping of the `update:SYM_<g>` topic (0 = finest).
inline constexpr OptionSpec book_grouping = int_option("book_grouping", 0, 0, 10);
/// Use the websockets; false = REST polling only.
inline constexpr OptionSpec ws_enabled = bool_option("ws_enabled", true);
/// App-level keepalive text (the server answers `pong`).
inline constexpr OptionSpec ping_text = text_option("ping_text", "ping");
inline constexpr OptionSpec ping_interval_ms = int_or_off_option("ping_interval_ms", 20000, 100, 3600000);
inline constexpr OptionSpec idle_timeout_ms = int_or_off_option("idle_timeout_ms", 60000, 1000, 3600000);
/// market_summary (all tickers in one request).
inline constexpr OptionSpec ticker_poll_ms = poll_ms_option("ticker_poll_ms", 2000);
/// ohlcv per instrument.
inline constexpr OptionSpec candles_poll_ms = poll_ms_option("candles_poll_ms", 15000);
/// ohlcv resolution 1 5 15 30 60 240 1440 minutes.
inline constexpr OptionSpec candle_interval = choice_option("candle_interval", "1m", kIntervals);
/// Unit of the ohlcv `start` parameter: ms (v3.2 doc) or s.
inline constexpr OptionSpec ohlcv_time_unit = choice_option("ohlcv_time_unit", "ms", kTimeUnits);
/// orderbook/L2 per instrument; defaults to 0 (off) with the websockets, to 1000 without.
inline constexpr OptionSpec depth_poll_ms = poll_ms_option("depth_poll_ms", 1000);
/// `depth` parameter of orderbook/L2; 0 = the venue's default.
inline constexpr OptionSpec depth_limit = int_option("depth_limit", 0, 0, 1000);
/// trades per instrument; defaults to 0 (off) with the websockets, to 1000 without.
inline constexpr OptionSpec trades_poll_ms = poll_ms_option("trades_poll_ms", 1000);
/// `count` parameter of the trades request.
inline constexpr OptionSpec trades_count = int_option("trades_count", 100, 1, 1000);

inline constexpr OptionSpec kAll[] = {api_version,     book_grouping,   ws_enabled,     ping_text,
                                      ping_interval_ms, idle_timeout_ms, ticker_poll_ms, candles_poll_ms,
                                      candle_interval, ohlcv_time_unit, depth_poll_ms,  depth_limit,
                                      trades_poll_ms,  trades_count};

}  // namespace mdhub::btse::opt
