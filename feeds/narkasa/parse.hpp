#pragma once
// Narkasa parsers: pure functions from a websocket frame or REST body (plus the instrument
// table and the receive time) to normalized events appended to the caller's ParseOut. No
// clock, no socket, no logging; on ParseStatus::error nothing is appended and `out.error`
// says why. Thread safety: none needed beyond the caller-owned Reader (one per feed).
//
// Narkasa sends prices and amounts as JSON numbers and times as milliseconds; symbols are
// concatenated (`BTCTRY`) and looked up by native name. Frames for symbols not in the
// table are `ignored`.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/common/events.hpp"
#include "feeds/common/instruments.hpp"
#include "feeds/common/json.hpp"

namespace mdhub::narkasa {

/// How websocket `depth` pushes are applied: the venue does not publish whether they are
/// full snapshots or deltas.
enum class DepthMode : uint8_t {
  /// Each push replaces the sides it carries; a side that is absent, null or `[]` is
  /// unchanged (how the public clients read it) -> BookMsg::replace with has_bids/has_asks.
  /// So a genuinely empty side cannot come over the websocket; the REST depth (the resync
  /// path) is where an empty side is an empty side.
  sides,
  snapshot,  ///< each push is the whole published book (absent side = empty) -> BookMsg::replace
  delta,     ///< each push changes levels (amount 0 deletes) -> BookMsg::delta, seq 0
};

struct WsParseOptions {
  DepthMode depth_mode = DepthMode::sides;
  /// tradeType/type 0 = buyer is maker, i.e. the aggressor sold (the published reading).
  bool trade_type_0_is_sell = true;
};

/// Native interval names m1 m3 m5 m15 m30 h1 h2 h4 d1 <-> CandleInterval.
bool parse_native_interval(std::string_view name, CandleInterval& out);
std::string_view native_interval_name(CandleInterval i);

/// Aggressor side (+1 buy, -1 sell, 0 unknown) for a trade `type`/`tradeType` value.
int8_t trade_side(int64_t type, bool type_0_is_sell);

/// One websocket frame. Control replies (objects with `method`), keepalive answers (no
/// `type`, or the bare text pong/ping) and unknown symbols -> ignored; a SUBSCRIBE reply
/// whose `status` is not `success` also sets `out.subscription_error`. `orderBook` yields a
/// BboMsg whose absent fields stay kNone (the feed merges them with its previous L1). In
/// DepthMode::sides a `depth` push with a side absent or empty adds "depth_side_absent" /
/// "depth_side_empty" to `out.detected`; one with no side at all is ignored.
ParseStatus parse_ws(json::Reader& reader, std::string_view frame, const InstrumentTable& table,
                     RecvTime t, const WsParseOptions& opt, ParseOut& out);

/// `GET /market/markets` as discovery: one Instrument per market (base/quote from
/// firstSymbol/secondSymbol, default scales).
ParseStatus parse_markets(json::Reader& reader, std::string_view body,
                          std::vector<Instrument>& instruments, std::string& error);
/// `GET /market/markets` as a ticker poll: one TickerMsg per market in the table.
ParseStatus parse_tickers(json::Reader& reader, std::string_view body, const InstrumentTable& table,
                          RecvTime t, ParseOut& out);
/// `GET /market/24h?symbol=`: one TickerMsg.
ParseStatus parse_24h(json::Reader& reader, std::string_view body, const InstrumentTable& table,
                      RecvTime t, ParseOut& out);
/// `GET /market/depth?symbol=` for `instrument`: BookMsg::replace (sorted, zero sizes dropped).
ParseStatus parse_rest_depth(json::Reader& reader, std::string_view body,
                             const InstrumentTable& table, uint32_t instrument, RecvTime t,
                             ParseOut& out);
/// `GET /market/orderbook?symbol=` for `instrument`: BboMsg from the first bid and ask.
ParseStatus parse_rest_orderbook(json::Reader& reader, std::string_view body,
                                 const InstrumentTable& table, uint32_t instrument, RecvTime t,
                                 ParseOut& out);
/// `GET /market/trades?symbol=` for `instrument`: one TradeMsg per row (no trade id).
ParseStatus parse_rest_trades(json::Reader& reader, std::string_view body,
                              const InstrumentTable& table, uint32_t instrument,
                              bool trade_type_0_is_sell, RecvTime t, ParseOut& out);
/// `GET /market/candles?symbol=&interval=` for `instrument`: one CandleMsg per row.
ParseStatus parse_rest_candles(json::Reader& reader, std::string_view body,
                               const InstrumentTable& table, uint32_t instrument,
                               CandleInterval interval, RecvTime t, ParseOut& out);
/// `GET /ping`: ok when the venue answered PONG.
ParseStatus parse_ping(json::Reader& reader, std::string_view body, std::string& error);
/// `GET /time`: the venue's clock in ms since the epoch.
ParseStatus parse_time(json::Reader& reader, std::string_view body, int64_t& time_ms,
                       std::string& error);

}  // namespace mdhub::narkasa
