#pragma once
// Coinmotion's options ([venues.coinmotion.options]); the common runtime knobs are in
// feeds/common.
#include "feeds/common/options.hpp"

namespace mdhub::coinmotion::opt {

/// /v2/rates period (quotes change slowly; the venue is a broker); 0 = not scheduled.
inline constexpr OptionSpec rates_poll_ms = poll_ms_option("rates_poll_ms", 15000);
/// Quote currency of pairs without baseCurrencyCode (keys like `btc`).
inline constexpr OptionSpec default_quote = text_option("default_quote", "EUR");
/// bid = `buy`, ask = `sell` (false: the other way round).
inline constexpr OptionSpec buy_is_bid = bool_option("buy_is_bid", true);
/// Then, if bid > ask, swap them: bid = min, ask = max.
inline constexpr OptionSpec order_quotes = bool_option("order_quotes", true);

inline constexpr OptionSpec kAll[] = {rates_poll_ms, default_quote, buy_is_bid, order_quotes};

}  // namespace mdhub::coinmotion::opt
