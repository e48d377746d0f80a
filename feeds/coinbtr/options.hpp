#pragma once
// coinbtr's (Tauros) options ([venues.coinbtr.options]); the common runtime knobs are in
// feeds/common. A poll interval of 0 means "not scheduled".
#include "feeds/common/options.hpp"

namespace mdhub::coinbtr::opt {

inline constexpr std::string_view kVariationUnits[] = {"none", "ratio", "percent"};
inline constexpr std::string_view kBookWindows[] = {"auto", "orders", "levels"};

/// REST /v2/trading/tickers/ period when the ticker channel is on (the websocket ticker
/// channel is subscribed as well).
inline constexpr OptionSpec ticker_poll_ms = poll_ms_option("ticker_poll_ms", 5000);
/// REST order book per market; defaults to 0 with a websocket, 1000 without. Always run
/// once by a resync.
inline constexpr OptionSpec book_poll_ms = poll_ms_option("book_poll_ms", 1000);
/// REST last trades per market; defaults to 0 with a websocket, 2000 without.
inline constexpr OptionSpec trades_poll_ms = poll_ms_option("trades_poll_ms", 2000);
/// Levels per side kept from a REST book (the websocket sends the top 10, so a resync and the
/// next push describe the same depth); 0 = all 50 orders' levels.
inline constexpr OptionSpec rest_book_levels = int_option("rest_book_levels", 10, 0, 1000);
/// What the websocket's orderbook pushes show: the top ten orders per side (the doc), or the
/// orders of the top ten levels; auto follows the pushes (`detected` book_top_orders /
/// book_top_levels), starting with orders.
inline constexpr OptionSpec book_window = choice_option("book_window", "auto", kBookWindows);
/// Orders per side kept from a REST book (before summing) while the window is orders, so that
/// a resync shows what the next push shows; 0 = all.
inline constexpr OptionSpec rest_book_orders = int_option("rest_book_orders", 10, 0, 1000);
/// Ticker `variation` -> change_pct: percent (as is: the doc calls it the "percentage
/// variation price in 24h"), ratio (x100: the doc's example value may read so), none
/// (change_pct stays empty).
inline constexpr OptionSpec variation_unit = choice_option("variation_unit", "percent", kVariationUnits);
/// Also emit the trades embedded in ticker frames (deduplicated with the trades channel; only
/// when the trades channel is on).
inline constexpr OptionSpec ticker_trades = bool_option("ticker_trades", true);
/// Trades remembered per market to drop overlapping repeats.
inline constexpr OptionSpec trade_dedup_window = int_option("trade_dedup_window", 200, 16, 100000);
/// Optional app-level ping frame (the venue documents none).
inline constexpr OptionSpec ping_text = text_option("ping_text", "");
inline constexpr OptionSpec ping_interval_ms = int_or_off_option("ping_interval_ms", 20000, 100, 3600000);
/// Reconnect after this long without any frame.
inline constexpr OptionSpec idle_timeout_ms = int_or_off_option("idle_timeout_ms", 60000, 1000, 3600000);

inline constexpr OptionSpec kAll[] = {ticker_poll_ms,     book_poll_ms,     trades_poll_ms,   rest_book_levels,
                                      book_window,        rest_book_orders, variation_unit,   ticker_trades,
                                      trade_dedup_window, ping_text,        ping_interval_ms, idle_timeout_ms};

}  // namespace mdhub::coinbtr::opt
