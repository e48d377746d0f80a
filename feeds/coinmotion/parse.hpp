#pragma once
// Pure parser for Coinmotion's `/v2/rates`: body in, quote events out into the caller's
// ParseOut. Both payload layouts parse: keys by crypto code (`btc`, quote implied) and keys
// by pair (`btcEur` with `baseCurrencyCode`). Entries that are not objects or have no
// `currencyCode` (`market`, `fWithdrawalFee`, `timestamp`, `version`) are not pairs. No
// clock, socket or logging. The Reader is the caller's (one per feed).
#include <string>
#include <string_view>
#include <vector>

#include "feeds/common/events.hpp"
#include "feeds/common/instruments.hpp"
#include "feeds/common/json.hpp"

namespace mdhub::coinmotion {

struct RatesOptions {
  std::string default_quote = "EUR";  ///< quote currency when a pair has no baseCurrencyCode
  /// `buy` is the rate Coinmotion pays (the user sells: a bid) and `sell` the rate it
  /// charges (an ask) — the only reading that fits every published example (buy < sell).
  bool buy_is_bid = true;
  /// After mapping, a bid above the ask is taken as the mapping being the wrong way round for
  /// that quote: bid = min(buy, sell), ask = max(buy, sell).
  bool order_quotes = true;
  bool ticker = true;  ///< emit TickerMsg (bid, ask, high, low)
  bool bbo = true;     ///< emit BboMsg (bid, ask; no sizes)
};

/// The pairs in a `/v2/rates` answer as instruments (native = the payload key). An answer
/// with no pair at all is an error: it is not the rates endpoint.
ParseStatus parse_rate_pairs(json::Reader& rd, std::string_view body, std::string_view default_quote,
                             std::vector<Instrument>& out, std::string& error);

/// Quotes for the pairs in `table`. `timestamp` (payload level, seconds) -> ts_exchange_us
/// of every event, kNone when absent. `{"success":false,"message":...}` (or the message in
/// `payload.message`) is an error with that message.
ParseStatus parse_rates(json::Reader& rd, std::string_view body, const InstrumentTable& table,
                        const RatesOptions& opt, RecvTime t, ParseOut& out);

}  // namespace mdhub::coinmotion
