#pragma once
// JSON rendering of engine state, shared by the HTTP API, the websocket API, NATS and
// export so that every output speaks the same payload format (DESIGN.md "Payload fields"):
// decimals as exact strings, timestamps as integer µs since the epoch, null when absent.
#include <span>
#include <string>
#include <string_view>

#include "src/engine/engine.hpp"

namespace mdhub::render {

/// Appends `"key":` (with a leading comma unless `first`).
void key(std::string& out, std::string_view k, bool first = false);
void str(std::string& out, std::string_view s);          ///< quoted, escaped
void dec(std::string& out, int64_t mantissa, int scale);  ///< "1.5" or null for kNone
void num(std::string& out, int64_t v);                    ///< integer or null for kNone
void side(std::string& out, int8_t side);                 ///< "buy" / "sell" / null

/// Common head: "venue","symbol" fields (no braces).
void head(std::string& out, const InstrumentState& s);

/// `{"venue",...,"seq","venue_seq","ts_exchange","ts_received","bids","asks"}` top `depth` levels.
void book(std::string& out, const InstrumentState& s, size_t depth);
/// Levels array for one side, best first.
void levels(std::string& out, const InstrumentState& s, Side side, size_t depth);
/// Level updates of one side as `[["price","qty"],...]`.
void updates(std::string& out, const InstrumentState& s, std::span<const LevelUpdate> u, Side side);
/// Consolidated book: levels are `["price","qty",{"venue":"qty",...}]`.
void consolidated(std::string& out, const ConsolidatedState& c, const Engine& e, size_t depth);
void consolidated_levels(std::string& out, const ConsolidatedState& c, const Engine& e, Side side,
                         size_t depth);

/// Body fields (no braces) of each payload kind.
void ticker_fields(std::string& out, const InstrumentState& s, const TickerMsg& t);
void bbo_fields(std::string& out, const InstrumentState& s);
void trade_fields(std::string& out, const InstrumentState& s, const TradeRecord& t);
void candle_fields(std::string& out, const InstrumentState& s, const CandleRecord& c);

/// `{"error":{"code":...,"message":...}}`
std::string error(std::string_view code, std::string_view message);

}  // namespace mdhub::render
