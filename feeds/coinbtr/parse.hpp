#pragma once
// Pure parsers for the Tauros (ex-CoinBTR) public API: websocket frames and REST bodies in,
// normalized events out into the caller's ParseOut. No clock, socket or logging; the
// receive time is passed in. On ParseStatus::error nothing is appended and `out.error`
// says why. Not thread-safe only through the Reader, which callers own (one per feed).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/common/events.hpp"
#include "feeds/common/instruments.hpp"
#include "feeds/common/json.hpp"

namespace mdhub::coinbtr {

/// How the ticker's `variation` maps to change_pct. Its unit is not published, so the
/// default publishes no change at all rather than a value that may be off by 100x.
enum class VariationUnit : uint8_t { none, ratio, percent };

struct ParseOptions {
  bool book = true;    ///< emit BookMsg::replace for order books
  bool bbo = false;    ///< emit a BboMsg from the aggregated top of each order book
  bool ticker_trades = true;  ///< emit the trades embedded in ticker frames
  VariationUnit variation = VariationUnit::none;
  size_t rest_book_levels = 0;  ///< cap per side for REST books after aggregation; 0 = all
  size_t rest_book_orders = 0;  ///< cap per side for REST books in orders, before it; 0 = all
};

/// `/v2/trading/markets/` (`payload` or `data` envelope): open markets only. `next` (when
/// given) gets the listing's `next` page URL as sent, "" when null or absent.
ParseStatus parse_markets(json::Reader& rd, std::string_view body, std::vector<Instrument>& out,
                          std::string& error, std::string* next = nullptr);

/// A websocket frame: `orderbook` (market in `type`, the book replaced, rows per order summed
/// by price; the window it shows is counted in `detected`: `book_top_orders` for ten orders
/// on fewer than ten prices, `book_top_levels` for more than ten rows on a side), `ticker`
/// (market in `market`), `trades` (last ten). Plain-text
/// frames starting with `Error` are errors; subscription replies and unknown channels are
/// ignored, as are frames for markets not in `table`.
ParseStatus parse_ws_frame(json::Reader& rd, std::string_view frame, const InstrumentTable& table,
                           const ParseOptions& opt, RecvTime t, ParseOut& out);

/// `/v2/trading/tickers/`: one TickerMsg per known market (no bid/ask, no timestamp).
ParseStatus parse_rest_tickers(json::Reader& rd, std::string_view body,
                               const InstrumentTable& table, RecvTime t, ParseOut& out);

/// `/v2/trading/<market>/orderbook/` of `instrument`: best orders per side, summed by price.
ParseStatus parse_rest_orderbook(json::Reader& rd, std::string_view body,
                                 const InstrumentTable& table, uint32_t instrument,
                                 const ParseOptions& opt, RecvTime t, ParseOut& out);

/// `/v2/trading/<market>/trades/` of `instrument`: the last trades, in the venue's order.
ParseStatus parse_rest_trades(json::Reader& rd, std::string_view body,
                              const InstrumentTable& table, uint32_t instrument, RecvTime t,
                              ParseOut& out);

}  // namespace mdhub::coinbtr
