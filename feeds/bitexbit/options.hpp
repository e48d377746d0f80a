#pragma once
// bitexbit's options ([venues.bitexbit.options]); the common runtime knobs are in
// feeds/common. A poll interval of 0 means "not scheduled"; depth polls always exist as the
// resync path.
#include "feeds/common/options.hpp"

namespace mdhub::bitexbit::opt {

inline constexpr std::string_view kTimeframes[] = {"5", "15", "30", "60", "240", "D",
                                                   "5m", "15m", "30m", "1h", "4h", "1d"};
inline constexpr std::string_view kTimeUnits[] = {"auto", "s", "ms"};

/// /tickers per batch of symbols (when ticker or bbo is on).
inline constexpr OptionSpec tickers_poll_ms = poll_ms_option("tickers_poll_ms", 2000);
/// Symbols per /tickers call (the venue allows at most 5).
inline constexpr OptionSpec tickers_batch = int_option("tickers_batch", 5, 1, 5);
/// /depth per instrument (book channel); a resync runs it at once.
inline constexpr OptionSpec depth_poll_ms = poll_ms_option("depth_poll_ms", 1000);
/// Levels per side asked for (the venue gives at most 50).
inline constexpr OptionSpec depth_limit = int_option("depth_limit", 50, 1, 50);
/// /trades per instrument with since_id = the highest id seen.
inline constexpr OptionSpec trades_poll_ms = poll_ms_option("trades_poll_ms", 1000);
/// Rows per trades page (at most 1000).
inline constexpr OptionSpec trades_limit = int_option("trades_limit", 1000, 1, 1000);
/// Delay of the next trades poll after a full page.
inline constexpr OptionSpec trades_catchup_ms = int_option("trades_catchup_ms", 100, 0, 600000);
/// Trades held while the backlog behind a full newest-first page is fetched (with until_id)
/// so that they are published in id order; beyond this the rest of that backlog is skipped.
inline constexpr OptionSpec trades_backlog_max = int_option("trades_backlog_max", 10000, 1, 1000000);
/// /ohlcv per instrument (candles channel).
inline constexpr OptionSpec ohlcv_poll_ms = poll_ms_option("ohlcv_poll_ms", 30000);
/// 5 15 30 60 240 D (or 5m 15m 30m 1h 4h 1d).
inline constexpr OptionSpec ohlcv_timeframe = choice_option("ohlcv_timeframe", "5", kTimeframes);
/// Candles asked for by the first poll.
inline constexpr OptionSpec ohlcv_history = int_option("ohlcv_history", 100, 1, 1000);
/// Candles asked for by later polls.
inline constexpr OptionSpec ohlcv_limit = int_option("ohlcv_limit", 5, 1, 1000);
/// auto (values < 1e11 are seconds), s, ms.
inline constexpr OptionSpec ohlcv_time_unit = choice_option("ohlcv_time_unit", "auto", kTimeUnits);

inline constexpr OptionSpec kAll[] = {tickers_poll_ms, tickers_batch,     depth_poll_ms,   depth_limit,
                                      trades_poll_ms,  trades_limit,      trades_catchup_ms, trades_backlog_max,
                                      ohlcv_poll_ms,   ohlcv_timeframe,   ohlcv_history,   ohlcv_limit,
                                      ohlcv_time_unit};

}  // namespace mdhub::bitexbit::opt
