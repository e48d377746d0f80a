// Narkasa REST bodies (https://api.narkasa.com/v3/api): /market/markets, /market/24h,
// /market/depth, /market/orderbook, /market/trades, /market/candles, /ping, /time.
#include "feeds/common/best_levels.hpp"
#include "feeds/common/instruments.hpp"
#include "feeds/narkasa/parse.hpp"
#include "feeds/narkasa/util.hpp"

namespace mdhub::narkasa {

using namespace detail;

namespace {

ParseStatus fail(Txn& tx, std::string_view what, std::string_view err) {
  return tx.fail("narkasa", what, err);
}

/// Parses the envelope of a REST body: a JSON object with a success code.
bool open_body(json::Reader& reader, std::string_view body, od::document& doc, od::object& root,
               std::string& err) {
  return open_object(reader, body, doc, root, err) && check_code(root, err);
}

/// Looks up a field that must hold an array (or an object for `want_object`).
bool member_array(od::object& root, std::string_view key, od::array& arr, std::string& err) {
  auto e = root[key].get_array().get(arr);
  if (e == simdjson::SUCCESS) return true;
  err = e == simdjson::NO_SUCH_FIELD ? "missing " : "bad ";
  err += key;
  return false;
}

bool member_object(od::object& root, std::string_view key, od::object& obj, std::string& err) {
  auto e = root[key].get_object().get(obj);
  if (e == simdjson::SUCCESS) return true;
  err = e == simdjson::NO_SUCH_FIELD ? "missing " : "bad ";
  err += key;
  return false;
}

/// Reads both sides of a `book` object into out.levels.
bool read_book(od::object& book, const Instrument& inst, ParseOut& out, std::string& err) {
  return read_sides(book, "bids", "asks", err,
                    [&](od::value v, Side side) { return parse_levels(v, side, inst, out, err); });
}

}  // namespace

ParseStatus parse_markets(json::Reader& reader, std::string_view body,
                          std::vector<Instrument>& instruments, std::string& error) {
  const size_t begin = instruments.size();
  auto fail_with = [&](std::string m) {
    instruments.resize(begin);
    error = "narkasa markets: " + m;
    return ParseStatus::error;
  };
  od::document doc;
  od::object root;
  od::array markets;
  std::string err;
  if (!open_body(reader, body, doc, root, err) || !member_array(root, "markets", markets, err))
    return fail_with(err);
  for (auto item : markets) {
    od::object m;
    if (item.get_object().get(m)) return fail_with("market is not an object");
    std::string_view symbol, base, quote;
    if (!optional_text(m, "symbol", symbol) || !optional_text(m, "firstSymbol", base) ||
        !optional_text(m, "secondSymbol", quote))
      return fail_with("bad symbol fields");
    // Symbols are concatenated (BTCTRY, 1INCHUSDT): base and quote come from the venue,
    // never from splitting the string.
    if (symbol.empty() || base.empty() || quote.empty()) continue;
    instruments.push_back(listed("narkasa", symbol, base, quote));
  }
  return ParseStatus::ok;
}

ParseStatus parse_tickers(json::Reader& reader, std::string_view body, const InstrumentTable& table,
                          RecvTime t, ParseOut& out) {
  Txn tx(out);
  od::document doc;
  od::object root;
  od::array markets;
  std::string err;
  if (!open_body(reader, body, doc, root, err) || !member_array(root, "markets", markets, err))
    return fail(tx, "markets", err);
  for (auto item : markets) {
    od::object m;
    if (item.get_object().get(m)) return fail(tx, "markets", "market is not an object");
    std::string_view symbol;
    if (!optional_text(m, "symbol", symbol)) return fail(tx, "markets", "bad symbol");
    const auto id = table.by_native(symbol);
    if (!id) continue;
    TickerMsg tk;
    if (!read_ticker(m, table[*id], tk, err)) return fail(tx, "markets", err);
    push_event(out, EventKind::ticker, *id, kNone, t, tk);
  }
  return ParseStatus::ok;
}

ParseStatus parse_24h(json::Reader& reader, std::string_view body, const InstrumentTable& table,
                      RecvTime t, ParseOut& out) {
  Txn tx(out);
  od::document doc;
  od::object root, m;
  std::string err;
  if (!open_body(reader, body, doc, root, err) || !member_object(root, "market", m, err))
    return fail(tx, "24h", err);
  std::string_view symbol;
  if (!optional_text(m, "symbol", symbol)) return fail(tx, "24h", "bad symbol");
  if (symbol.empty()) return fail(tx, "24h", "missing symbol");
  const auto id = table.by_native(symbol);
  if (!id) return ParseStatus::ignored;
  TickerMsg tk;
  if (!read_ticker(m, table[*id], tk, err)) return fail(tx, "24h", err);
  push_event(out, EventKind::ticker, *id, kNone, t, tk);
  return ParseStatus::ok;
}

ParseStatus parse_rest_depth(json::Reader& reader, std::string_view body,
                             const InstrumentTable& table, uint32_t instrument, RecvTime t,
                             ParseOut& out) {
  Txn tx(out);
  od::document doc;
  od::object root, book;
  std::string err;
  if (bad_instrument(table, instrument, err) || !open_body(reader, body, doc, root, err) ||
      !member_object(root, "book", book, err))
    return fail(tx, "depth", err);
  const size_t begin = out.levels.size();
  if (!read_book(book, table[instrument], out, err)) return fail(tx, "depth", err);
  if (!json::merge_book(out.levels, begin)) return fail(tx, "depth", kSizeOverflow);
  // No sequence and no timestamp: a pure snapshot stamped with the receive time only.
  push_book(out, BookMsg::Type::replace, begin, instrument, kNone, t);
  return ParseStatus::ok;
}

ParseStatus parse_rest_orderbook(json::Reader& reader, std::string_view body,
                                 const InstrumentTable& table, uint32_t instrument, RecvTime t,
                                 ParseOut& out) {
  Txn tx(out);
  od::document doc;
  od::object root, book;
  std::string err;
  if (bad_instrument(table, instrument, err) || !open_body(reader, body, doc, root, err) ||
      !member_object(root, "book", book, err))
    return fail(tx, "orderbook", err);
  const size_t begin = out.levels.size();
  if (!read_book(book, table[instrument], out, err)) return fail(tx, "orderbook", err);
  // "First buy and sell order": take the best of whatever the venue listed.
  const BboMsg b = best_of(std::span<const LevelUpdate>(out.levels).subspan(begin));
  out.levels.resize(begin);
  push_event(out, EventKind::bbo, instrument, kNone, t, b);
  return ParseStatus::ok;
}

ParseStatus parse_rest_trades(json::Reader& reader, std::string_view body,
                              const InstrumentTable& table, uint32_t instrument,
                              bool trade_type_0_is_sell, RecvTime t, ParseOut& out) {
  Txn tx(out);
  od::document doc;
  od::object root;
  od::array rows;
  std::string err;
  if (bad_instrument(table, instrument, err) || !open_body(reader, body, doc, root, err) ||
      !member_array(root, "trades", rows, err))
    return fail(tx, "trades", err);
  const Instrument& inst = table[instrument];
  for (auto item : rows) {
    od::object r;
    if (item.get_object().get(r)) return fail(tx, "trades", "trade is not an object");
    TradeMsg m;
    int64_t ts = kNone, type = kNone;
    if (!require_decimal(r, "price", inst.price_scale, m.price, err) ||
        !require_decimal(r, "amount", inst.qty_scale, m.qty, err) ||
        !get_decimal(r, "type", 0, type, err) || !get_ms(r, "time", ts, err))
      return fail(tx, "trades", err);
    if (m.price < 0 || m.qty < 0) return fail(tx, "trades", "negative price or amount");
    m.side = type == kNone ? int8_t{0} : trade_side(type, trade_type_0_is_sell);
    push_event(out, EventKind::trade, instrument, ts, t, m);
  }
  return ParseStatus::ok;
}

ParseStatus parse_rest_candles(json::Reader& reader, std::string_view body,
                               const InstrumentTable& table, uint32_t instrument,
                               CandleInterval interval, RecvTime t, ParseOut& out) {
  Txn tx(out);
  od::document doc;
  od::object root;
  od::array rows;
  std::string err;
  if (bad_instrument(table, instrument, err) || !open_body(reader, body, doc, root, err) ||
      !member_array(root, "candles", rows, err))
    return fail(tx, "candles", err);
  const Instrument& inst = table[instrument];
  const int ps = inst.price_scale;
  for (auto item : rows) {
    od::object k;
    if (item.get_object().get(k)) return fail(tx, "candles", "candle is not an object");
    CandleMsg c;
    c.interval = interval;
    if (!get_ms(k, "openTime", c.open_time_us, err) || !get_decimal(k, "open", ps, c.open, err) ||
        !get_decimal(k, "high", ps, c.high, err) || !get_decimal(k, "low", ps, c.low, err) ||
        !get_decimal(k, "close", ps, c.close, err) ||
        !get_decimal(k, "volume", inst.qty_scale, c.volume, err))
      return fail(tx, "candles", err);
    if (c.open_time_us == kNone) return fail(tx, "candles", "missing openTime");
    // REST spells the end `closetime`, the websocket `closeTime`; both are derivable from
    // the interval, which keeps REST and websocket candles identical.
    c.close_time_us = c.open_time_us + interval_seconds(interval) * 1'000'000;
    c.closed = c.close_time_us <= t.wall_ns / 1000;
    push_event(out, EventKind::candle, instrument, kNone, t, c);
  }
  return ParseStatus::ok;
}

ParseStatus parse_ping(json::Reader& reader, std::string_view body, std::string& error) {
  od::document doc;
  od::object root;
  std::string_view data;
  if (!open_body(reader, body, doc, root, error) || !optional_text(root, "data", data)) {
    if (error.empty()) error = "bad data";
    error = "narkasa ping: " + error;
    return ParseStatus::error;
  }
  if (data != "PONG") {
    error = "narkasa ping: unexpected answer " + std::string(data);
    return ParseStatus::error;
  }
  return ParseStatus::ok;
}

ParseStatus parse_time(json::Reader& reader, std::string_view body, int64_t& time_ms,
                       std::string& error) {
  od::document doc;
  od::object root;
  od::value v;
  if (!open_body(reader, body, doc, root, error)) {
    error = "narkasa time: " + error;
    return ParseStatus::error;
  }
  if (root["data"].get(v) || !json::integer(v, time_ms)) {
    error = "narkasa time: missing or bad data";
    return ParseStatus::error;
  }
  return ParseStatus::ok;
}

}  // namespace mdhub::narkasa
