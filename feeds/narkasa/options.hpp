#pragma once
// Narkasa's options ([venues.narkasa.options]); the common runtime knobs are in feeds/common.
// A poll interval of 0 means "not scheduled"; each defaults to 0 with the websocket and to the
// value given below without it. The depth polls exist whenever the book channel is enabled,
// even at interval 0: they are the per-instrument resync.
#include "feeds/common/options.hpp"

namespace mdhub::narkasa::opt {

inline constexpr std::string_view kIntervals[] = {"m1", "m3", "m5", "m15", "m30", "h1", "h2", "h4", "d1",
                                                  "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "1d"};
inline constexpr std::string_view kDepthModes[] = {"sides", "snapshot", "delta"};

/// Use the websocket; false = REST polling only.
inline constexpr OptionSpec ws_enabled = bool_option("ws_enabled", true);
/// One SUBSCRIBE frame listing every subscription instead of one frame per instrument x
/// channel (batching is undocumented).
inline constexpr OptionSpec subscribe_batch = bool_option("subscribe_batch", false);
/// Subscribe `allTickers` once instead of `ticker` per instrument.
inline constexpr OptionSpec all_tickers = bool_option("all_tickers", false);
inline constexpr OptionSpec candle_interval = choice_option("candle_interval", "m1", kIntervals);
/// `depth` pushes replace the sides they carry (sides: absent or [] = unchanged, the public
/// clients' reading); `snapshot`: the whole book (absent = empty); `delta`: amount 0 deletes.
inline constexpr OptionSpec depth_mode = choice_option("depth_mode", "sides", kDepthModes);
/// tradeType/type 0 = buyer is maker = the aggressor sold.
inline constexpr OptionSpec trade_type_0_is_sell = bool_option("trade_type_0_is_sell", true);
inline constexpr OptionSpec ping_text = text_option("ping_text", R"({"data":"ping"})");
inline constexpr OptionSpec ping_interval_ms = int_or_off_option("ping_interval_ms", 5000, 100, 3600000);
inline constexpr OptionSpec idle_timeout_ms = int_or_off_option("idle_timeout_ms", 60000, 1000, 3600000);
/// REST /market/depth per instrument (1000 without the websocket).
inline constexpr OptionSpec depth_poll_ms = poll_ms_option("depth_poll_ms", 1000);
/// REST /market/trades per instrument (1000 without the websocket).
inline constexpr OptionSpec trades_poll_ms = poll_ms_option("trades_poll_ms", 1000);
/// REST /market/markets, all tickers in one request (2000 without the websocket).
inline constexpr OptionSpec ticker_poll_ms = poll_ms_option("ticker_poll_ms", 2000);
/// REST /market/orderbook per instrument (2000 without the websocket).
inline constexpr OptionSpec bbo_poll_ms = poll_ms_option("bbo_poll_ms", 2000);
/// REST /market/candles per instrument (15000 without the websocket).
inline constexpr OptionSpec candles_poll_ms = poll_ms_option("candles_poll_ms", 15000);

inline constexpr OptionSpec kAll[] = {ws_enabled,      subscribe_batch, all_tickers,    candle_interval,
                                      depth_mode,      trade_type_0_is_sell, ping_text,  ping_interval_ms,
                                      idle_timeout_ms, depth_poll_ms,   trades_poll_ms, ticker_poll_ms,
                                      bbo_poll_ms,     candles_poll_ms};

}  // namespace mdhub::narkasa::opt
