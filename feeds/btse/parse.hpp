#pragma once
// BTSE parsers: pure functions from a websocket frame or REST body (plus the instrument
// table and the receive time) to normalized events appended to the caller's ParseOut. No
// clock, no socket, no logging; on ParseStatus::error nothing is appended and `out.error`
// says why. Thread safety: none needed beyond the caller-owned Reader (one per feed).
//
// BTSE symbols are `BASE-QUOTE` (looked up by native name); websocket book levels are
// `[price, size]` string pairs, REST numbers are JSON numbers or strings (both accepted);
// timestamps are ms except `ohlcv` rows and `/time` (seconds).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/common/events.hpp"
#include "feeds/common/instruments.hpp"
#include "feeds/common/json.hpp"

namespace mdhub::btse {

/// One websocket frame from either socket, routed by the topic family (the part before
/// `:`) and the symbol inside `data`:
///  - `update:SYM_G`: BookMsg::snapshot (type snapshot) or BookMsg::delta with seq = seqNum,
///    prev_seq = prevSeqNum (size "0" deletes), window 50 (the venue's top 50 levels); a
///    `null` side has no levels; seqNum/prevSeqNum may be integral JSON doubles;
///  - `snapshotL1:SYM`: BboMsg;
///  - `tradeHistoryApi[:SYM]`: one TradeMsg per row (trade_id = tradeId), in frame order.
/// Error frames (`severity` + `errors`/`error`) that name a topic (`arg`) answer a
/// subscription -> ignored with `out.subscription_error` (the venue's code, topic and
/// message); others -> error with the venue's code and message.
/// Text `pong`, JSON pongs, subscribe acks, frames without a topic, unknown topics and
/// unknown symbols -> ignored.
/// The frame is parsed where it lies when its room allows (see FrameView).
ParseStatus parse_ws(json::Reader& reader, FrameView frame, const InstrumentTable& table,
                     RecvTime t, ParseOut& out);

/// `GET /api/v3.x/market_summary` as discovery: spot markets only (`futures: true` and
/// `active: false` are skipped); scales from minPriceIncrement/minSizeIncrement when they
/// need more than the default 8 digits.
ParseStatus parse_instruments(json::Reader& reader, std::string_view body,
                              std::vector<Instrument>& instruments, std::string& error);
/// `GET /api/v3.x/market_summary` as a ticker poll: one TickerMsg per market in the table
/// (percentageChange is already percent).
ParseStatus parse_market_summary(json::Reader& reader, std::string_view body,
                                 const InstrumentTable& table, RecvTime t, ParseOut& out);
/// `GET /api/v3.x/orderbook/L2` (or `/orderbook`) for `instrument`: BookMsg::replace (no
/// sequence number is published on REST).
ParseStatus parse_rest_l2(json::Reader& reader, std::string_view body,
                          const InstrumentTable& table, uint32_t instrument, RecvTime t,
                          ParseOut& out);
/// `GET /api/v3.x/trades` for `instrument`: one TradeMsg per row (trade_id = serialId).
ParseStatus parse_rest_trades(json::Reader& reader, std::string_view body,
                              const InstrumentTable& table, uint32_t instrument, RecvTime t,
                              ParseOut& out);
/// `GET /api/v3.x/ohlcv` for `instrument`: rows `[time s, open, high, low, close, volume]`.
ParseStatus parse_ohlcv(json::Reader& reader, std::string_view body, const InstrumentTable& table,
                        uint32_t instrument, CandleInterval interval, RecvTime t, ParseOut& out);
/// `GET /api/v3.x/price`: a TickerMsg carrying only `last` (lastPrice) per known market.
ParseStatus parse_price(json::Reader& reader, std::string_view body, const InstrumentTable& table,
                        RecvTime t, ParseOut& out);
/// `GET /api/v3.x/time`: the venue's clock (`epoch`, seconds) in µs.
ParseStatus parse_time(json::Reader& reader, std::string_view body, int64_t& epoch_us,
                       std::string& error);
/// `GET /public-api/market/v1/orderbook` (the newer unified API, fallback only) for
/// `instrument`: BookMsg::replace stamped with `data.timestamp`.
ParseStatus parse_public_orderbook(json::Reader& reader, std::string_view body,
                                   const InstrumentTable& table, uint32_t instrument, RecvTime t,
                                   ParseOut& out);

/// ohlcv `resolution` (minutes) for an interval; empty when BTSE has no such resolution
/// (3m, 2h).
std::string_view resolution(CandleInterval i);

}  // namespace mdhub::btse
