// Narkasa websocket frames (wss://api.narkasa.com/v3): ticker, allTickers, candles,
// orderBook (L1), depth (L2) and trade pushes, plus control replies and keepalives.
#include <cctype>

#include "feeds/narkasa/parse.hpp"
#include "feeds/narkasa/util.hpp"

namespace mdhub::narkasa {

using namespace detail;

namespace {

constexpr std::string_view kNativeIntervals[kCandleIntervals] = {"m1", "m3", "m5",  "m15", "m30",
                                                                 "h1", "h2", "h4", "d1"};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

ParseStatus fail(Txn& tx, std::string_view what, std::string_view err) {
  return tx.fail("narkasa", what, err);
}

ParseStatus ticker(od::object& root, const Instrument& inst, uint32_t id, RecvTime t, Txn& tx,
                   ParseOut& out) {
  TickerMsg m;
  std::string err;
  if (!read_ticker(root, inst, m, err)) return fail(tx, "ticker", err);
  // openTime is the start of the rolling 24h window, not the time of this update.
  Event e = make_event(EventKind::ticker, id, kNone, t);
  e.body = m;
  out.events.push_back(e);
  return ParseStatus::ok;
}

ParseStatus candle(od::object& root, const Instrument& inst, uint32_t id, RecvTime t, Txn& tx,
                   ParseOut& out) {
  std::string err;
  std::string_view iv;
  if (!optional_text(root, "interval", iv)) return fail(tx, "candles", "bad interval");
  CandleMsg c;
  if (iv.empty()) return fail(tx, "candles", "missing interval");
  if (!parse_native_interval(iv, c.interval))
    return fail(tx, "candles", "unknown interval " + std::string(iv));
  od::object k;
  auto e = root["kline"].get_object().get(k);
  if (e == simdjson::NO_SUCH_FIELD) return fail(tx, "candles", "missing kline");
  if (e) return fail(tx, "candles", "kline is not an object");
  const int ps = inst.price_scale;
  int64_t update_us = kNone;
  if (!get_ms(k, "openTime", c.open_time_us, err) || !get_decimal(k, "open", ps, c.open, err) ||
      !get_decimal(k, "high", ps, c.high, err) || !get_decimal(k, "low", ps, c.low, err) ||
      !get_decimal(k, "close", ps, c.close, err) ||
      !get_decimal(k, "volume", inst.qty_scale, c.volume, err) ||
      !get_ms(k, "closeTime", update_us, err))
    return fail(tx, "candles", err);
  if (c.open_time_us == kNone) return fail(tx, "candles", "missing openTime");
  // closeTime is the time of the last update of a still-open candle (it falls inside the
  // interval), so the interval end is computed and the update time becomes the event time.
  c.close_time_us = c.open_time_us + interval_seconds(c.interval) * 1'000'000;
  c.closed = c.close_time_us <= t.wall_ns / 1000;
  Event ev = make_event(EventKind::candle, id, update_us, t);
  ev.body = c;
  out.events.push_back(ev);
  return ParseStatus::ok;
}

ParseStatus bbo(od::object& root, const Instrument& inst, uint32_t id, RecvTime t, Txn& tx,
                ParseOut& out) {
  BboMsg b;
  std::string err;
  if (!get_decimal(root, "bidPrice", inst.price_scale, b.bid, err) ||
      !get_decimal(root, "bidAmount", inst.qty_scale, b.bid_qty, err) ||
      !get_decimal(root, "askPrice", inst.price_scale, b.ask, err) ||
      !get_decimal(root, "askAmount", inst.qty_scale, b.ask_qty, err))
    return fail(tx, "orderBook", err);
  Event e = make_event(EventKind::bbo, id, kNone, t);
  e.body = b;
  out.events.push_back(e);
  return ParseStatus::ok;
}

ParseStatus depth(od::object& root, const Instrument& inst, uint32_t id, RecvTime t,
                  const WsParseOptions& opt, Txn& tx, ParseOut& out) {
  od::object d;
  auto e = root["depth"].get_object().get(d);
  if (e == simdjson::NO_SUCH_FIELD) return fail(tx, "depth", "missing depth");
  if (e) return fail(tx, "depth", "depth is not an object");
  std::string err;
  const size_t begin = out.levels.size();
  bool carried[2] = {false, false};
  bool absent = false, empty = false;
  for (auto [key, side] : {std::pair{"bids", Side::bid}, std::pair{"asks", Side::ask}}) {
    od::value v;
    od::json_type type;
    const Got got = field(d, key, v, type);
    if (got == Got::absent) {  // missing or null
      absent = true;
      continue;
    }
    const size_t side_begin = out.levels.size();
    if (got == Got::bad || !parse_levels(v, side, inst, out, err))
      return fail(tx, "depth", got == Got::bad ? std::string("bad ") + key : err);
    empty = empty || out.levels.size() == side_begin;
    carried[side == Side::bid ? 0 : 1] = out.levels.size() > side_begin;
  }
  switch (opt.depth_mode) {
    case DepthMode::sides: {
      if (!carried[0] && !carried[1]) return ParseStatus::ignored;  // nothing changed
      if (absent) out.detected.push_back("depth_side_absent");
      if (empty) out.detected.push_back("depth_side_empty");
      if (!json::merge_book(out.levels, begin)) return fail(tx, "depth", kSizeOverflow);
      push_book(out, BookMsg::Type::replace, begin, id, kNone, t);
      auto& b = std::get<BookMsg>(out.events.back().body);
      b.has_bids = carried[0];
      b.has_asks = carried[1];
      break;
    }
    case DepthMode::snapshot:
      if (!json::merge_book(out.levels, begin)) return fail(tx, "depth", kSizeOverflow);
      push_book(out, BookMsg::Type::replace, begin, id, kNone, t);
      break;
    case DepthMode::delta: push_book(out, BookMsg::Type::delta, begin, id, kNone, t); break;
  }
  return ParseStatus::ok;
}

ParseStatus trade(od::object& root, const Instrument& inst, uint32_t id, RecvTime t,
                  const WsParseOptions& opt, Txn& tx, ParseOut& out) {
  TradeMsg m;
  std::string err;
  int64_t ts = kNone, type = kNone;
  if (!require_decimal(root, "price", inst.price_scale, m.price, err) ||
      !require_decimal(root, "amount", inst.qty_scale, m.qty, err) ||
      !get_decimal(root, "tradeType", 0, type, err) || !get_ms(root, "time", ts, err))
    return fail(tx, "trade", err);
  if (m.price < 0 || m.qty < 0) return fail(tx, "trade", "negative price or amount");
  m.side = type == kNone ? int8_t{0} : trade_side(type, opt.trade_type_0_is_sell);
  Event e = make_event(EventKind::trade, id, ts, t);
  e.body = m;
  out.events.push_back(e);
  return ParseStatus::ok;
}

/// A control reply. Only `success` is documented; whatever else a SUBSCRIBE answer says
/// (the failure wording is not published: "error", "failed", ...) is a refusal. A field that
/// fails to read ends the frame as malformed: On-Demand documents are not validated up
/// front, and reading on after an error reads past the broken structure.
ParseStatus control(Txn& tx, od::object& root, od::value method_value, ParseOut& out) {
  std::string_view method, status;
  if (method_value.get_string().get(method) || method != "SUBSCRIBE") return ParseStatus::ignored;
  if (!optional_text(root, "status", status)) return tx.fail("narkasa: malformed SUBSCRIBE reply");
  if (status.empty() || status == "success") return ParseStatus::ignored;
  std::string m;
  std::string_view v[5];  // type, symbol, interval, code, message
  const char* keys[5] = {"type", "symbol", "interval", "code", "message"};
  for (size_t i = 0; i < 5; ++i)
    if (!optional_text(root, keys[i], v[i])) return tx.fail("narkasa: malformed SUBSCRIBE reply");
  for (size_t i = 0; i < 3; ++i) {
    if (v[i].empty()) continue;
    if (!m.empty()) m += ' ';
    m += v[i];
  }
  if (m.empty()) m = "?";
  m += ": ";
  m += status;
  if (!v[3].empty()) (m += ' ') += v[3];
  if (!v[4].empty()) ((m += " (") += v[4]) += ')';
  out.subscription_error = std::move(m);
  return ParseStatus::ignored;
}

}  // namespace

bool parse_native_interval(std::string_view name, CandleInterval& out) {
  for (int i = 0; i < kCandleIntervals; ++i) {
    if (kNativeIntervals[i] == name) {
      out = static_cast<CandleInterval>(i);
      return true;
    }
  }
  return false;
}

std::string_view native_interval_name(CandleInterval i) {
  return kNativeIntervals[static_cast<int>(i)];
}

int8_t trade_side(int64_t type, bool type_0_is_sell) {
  if (type == 0) return type_0_is_sell ? int8_t{-1} : int8_t{1};
  if (type == 1) return type_0_is_sell ? int8_t{1} : int8_t{-1};
  return 0;
}

ParseStatus parse_ws(json::Reader& reader, std::string_view frame, const InstrumentTable& table,
                     RecvTime t, const WsParseOptions& opt, ParseOut& out) {
  Txn tx(out);
  const std::string_view bare = json::trim(frame);
  if (iequals(bare, "pong") || iequals(bare, "ping")) return ParseStatus::ignored;
  od::document doc;
  od::object root;
  if (reader.iterate(frame).get(doc) || doc.get_object().get(root))
    return tx.fail("narkasa: malformed frame (not a JSON object)");

  // Control replies (SUBSCRIBE acks, LIST_SUBSCRIPTIONS) carry `method`; pushes do not.
  od::value method;
  auto me = root["method"].get(method);
  if (me == simdjson::SUCCESS) return control(tx, root, method, out);
  if (me != simdjson::NO_SUCH_FIELD) return tx.fail("narkasa: malformed frame");

  std::string_view type;
  if (!optional_text(root, "type", type)) return tx.fail("narkasa: bad type field");
  // No `type`: a keepalive answer such as {"data":"pong"}.
  if (type.empty()) return ParseStatus::ignored;
  enum class Kind { ticker, candles, bbo, depth, trade } kind;
  if (type == "ticker" || type == "allTickers") kind = Kind::ticker;
  else if (type == "candles") kind = Kind::candles;
  else if (type == "orderBook") kind = Kind::bbo;
  else if (type == "depth") kind = Kind::depth;
  else if (type == "trade") kind = Kind::trade;
  else return ParseStatus::ignored;
  const std::string_view type_name = type;

  std::string_view symbol;
  if (!optional_text(root, "symbol", symbol)) return fail(tx, type_name, "bad symbol");
  if (symbol.empty()) return fail(tx, type_name, "missing symbol");
  const auto id = table.by_native(symbol);
  if (!id) return ParseStatus::ignored;
  const Instrument& inst = table[*id];

  switch (kind) {
    case Kind::ticker: return ticker(root, inst, *id, t, tx, out);
    case Kind::candles: return candle(root, inst, *id, t, tx, out);
    case Kind::bbo: return bbo(root, inst, *id, t, tx, out);
    case Kind::depth: return depth(root, inst, *id, t, opt, tx, out);
    case Kind::trade: return trade(root, inst, *id, t, opt, tx, out);
  }
  return ParseStatus::ignored;
}

}  // namespace mdhub::narkasa
