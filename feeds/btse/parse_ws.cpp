// BTSE websocket frames: `update:` (sequenced L2), `snapshotL1:` (L1) on
// wss://ws.btse.com/ws/oss/spot and `tradeHistoryApi:` on wss://ws.btse.com/ws/spot, plus
// error frames, subscribe acks and pongs.
#include <optional>

#include "feeds/btse/parse.hpp"
#include "feeds/btse/util.hpp"
#include "feeds/common/best_levels.hpp"

namespace mdhub::btse {

using namespace detail;

namespace {

ParseStatus fail(Txn& tx, std::string_view what, std::string_view err) {
  return tx.fail("btse", what, err);
}

// The websocket book is the top 50 levels of a deeper book: levels pushed below them get
// no delete, so the engine keeps the book to this window.
constexpr uint16_t kBookWindow = 50;

/// Both error shapes: {"errors":[{"arg":..,"error":{"code":..,"message":..}}]} (current)
/// and {"error":[{"arg":..,"errorCode":".."}]} (before June 2023). Errors that name a
/// topic (`arg`: pair not supported, topic does not exist, ...) answer a subscription: a
/// refusal, reported as such; the others (buffer full, too many attempts) are errors.
ParseStatus error_frame(od::object& root, Txn& tx, ParseOut& out) {
  std::string msg = "btse error";
  od::array list;
  auto e = root["errors"].get_array().get(list);
  if (e == simdjson::NO_SUCH_FIELD) e = root["error"].get_array().get(list);
  if (e) return tx.fail(msg + ": unreadable error frame");
  bool first = true, every_arg = true;
  for (auto item : list) {
    od::object o;
    if (item.get_object().get(o)) return tx.fail(msg + ": unreadable error frame");
    std::string_view arg, code, message;
    od::object inner;
    if (!optional_text(o, "arg", arg)) return tx.fail(msg + ": unreadable error frame");
    const auto ie = o["error"].get_object().get(inner);
    if (ie == simdjson::SUCCESS) {
      if (!optional_text(inner, "code", code) || !optional_text(inner, "message", message))
        return tx.fail(msg + ": unreadable error frame");
    } else if (ie == simdjson::NO_SUCH_FIELD) {
      if (!optional_text(o, "errorCode", code) || !optional_text(o, "message", message))
        return tx.fail(msg + ": unreadable error frame");
    } else {
      return tx.fail(msg + ": unreadable error frame");
    }
    msg += first ? " " : "; ";
    first = false;
    msg += code.empty() ? std::string_view("?") : code;
    every_arg = every_arg && !arg.empty();
    if (!arg.empty()) {
      msg += " (";
      msg += arg;
      msg += ')';
    }
    if (!message.empty()) {
      msg += ": ";
      msg += message;
    }
  }
  if (every_arg && !first) {
    out.subscription_error = std::move(msg);
    return ParseStatus::ignored;
  }
  return tx.fail(std::move(msg));
}

/// Finds the instrument of a `data` object; false + err when the symbol is missing.
bool data_instrument(od::object& data, const InstrumentTable& table, std::optional<uint32_t>& id,
                     std::string& err) {
  std::string_view symbol;
  if (!optional_text(data, "symbol", symbol) || symbol.empty()) {
    err = "missing symbol";
    return false;
  }
  id = table.by_native(symbol);
  return true;
}

ParseStatus book_update(od::object& root, const InstrumentTable& table, RecvTime t, Txn& tx,
                        ParseOut& out) {
  od::object d;
  if (root["data"].get_object().get(d)) return fail(tx, "update", "missing or bad data");
  std::string err;
  std::optional<uint32_t> id;
  if (!data_instrument(d, table, id, err)) return fail(tx, "update", err);
  if (!id) return ParseStatus::ignored;
  const Instrument& inst = table[*id];

  std::string_view type;
  if (!optional_text(d, "type", type)) return fail(tx, "update", "bad type");
  const bool snapshot = type == "snapshot";
  if (!snapshot && type != "delta") return fail(tx, "update", "unknown type " + std::string(type));
  uint64_t seq = 0, prev = 0;
  bool seq_double = false, prev_double = false;
  if (!get_integral(d, "seqNum", seq, seq_double)) return fail(tx, "update", "missing or bad seqNum");
  // A snapshot starts the chain and may come without a usable prevSeqNum; a delta is only
  // meaningful relative to one.
  if (!get_integral(d, "prevSeqNum", prev, prev_double) && !snapshot)
    return fail(tx, "update", "missing or bad prevSeqNum");
  if (seq_double || prev_double) out.detected.push_back("seq_as_double");
  int64_t ts = kNone;
  if (!get_ms(d, "timestamp", ts, err)) return fail(tx, "update", err);

  const size_t begin = out.levels.size();
  for (auto [key, side] : {std::pair{"bids", Side::bid}, std::pair{"asks", Side::ask}}) {
    od::value v;
    od::json_type jt;
    const auto e = d[key].get(v);
    if (e == simdjson::NO_SUCH_FIELD) continue;  // nothing changed on that side
    if (e || v.type().get(jt)) return fail(tx, "update", std::string("bad ") + key);
    if (jt == od::json_type::null) {
      // null: no levels on that side in this message (type() only saw the first byte).
      bool is_null = false;
      if (v.is_null().get(is_null) || !is_null) return fail(tx, "update", std::string("bad ") + key);
      out.detected.push_back("null_side");
      continue;
    }
    if (!parse_levels(v, side, inst, out, err)) return fail(tx, "update", err);
  }
  if (snapshot && !json::merge_book(out.levels, begin)) return fail(tx, "update", kSizeOverflow);
  push_book(out, snapshot ? BookMsg::Type::snapshot : BookMsg::Type::delta, begin, *id, ts, t, seq,
            prev);
  std::get<BookMsg>(out.events.back().body).window = kBookWindow;
  return ParseStatus::ok;
}

ParseStatus l1(od::object& root, const InstrumentTable& table, RecvTime t, Txn& tx, ParseOut& out) {
  od::object d;
  if (root["data"].get_object().get(d)) return fail(tx, "snapshotL1", "missing or bad data");
  std::string err;
  std::optional<uint32_t> id;
  if (!data_instrument(d, table, id, err)) return fail(tx, "snapshotL1", err);
  if (!id) return ParseStatus::ignored;
  int64_t ts = kNone;
  if (!get_ms(d, "timestamp", ts, err)) return fail(tx, "snapshotL1", err);
  const size_t begin = out.levels.size();
  for (auto [key, side] : {std::pair{"bids", Side::bid}, std::pair{"asks", Side::ask}}) {
    od::value v;
    od::json_type jt;
    const Got got = field(d, key, v, jt);
    if (got == Got::absent) continue;  // missing or null
    if (got == Got::bad) return fail(tx, "snapshotL1", std::string("bad ") + key);
    if (!parse_levels(v, side, table[*id], out, err)) return fail(tx, "snapshotL1", err);
  }
  const BboMsg b = best_of(std::span<const LevelUpdate>(out.levels).subspan(begin));
  out.levels.resize(begin);
  push_event(out, EventKind::bbo, *id, ts, t, b);
  return ParseStatus::ok;
}

}  // namespace

ParseStatus parse_ws(json::Reader& reader, std::string_view frame, const InstrumentTable& table,
                     RecvTime t, ParseOut& out) {
  Txn tx(out);
  const std::string_view bare = json::trim(frame);
  // The keepalive answer is the plain text `pong`, not JSON.
  if (bare == "pong" || bare == "PONG" || bare == "ping") return ParseStatus::ignored;
  od::document doc;
  od::object root;
  if (reader.iterate(frame).get(doc) || doc.get_object().get(root))
    return tx.fail("btse: malformed frame (not a JSON object)");

  od::value sev;
  const auto se = root["severity"].get(sev);
  if (se == simdjson::SUCCESS) return error_frame(root, tx, out);
  if (se != simdjson::NO_SUCH_FIELD) return tx.fail("btse: malformed frame");

  std::string_view topic;
  if (!optional_text(root, "topic", topic)) return tx.fail("btse: bad topic");
  // No topic: subscribe acks ({"event":"subscribe",...}), JSON pongs ({"op":"pong"}).
  if (topic.empty()) return ParseStatus::ignored;
  // Route on the family only: the symbol (and grouping) suffix is not reliable - trade
  // pushes may carry the bare `tradeHistoryApi`, delta pushes may drop the grouping.
  const std::string_view family = topic.substr(0, topic.find(':'));
  if (family == "update") return book_update(root, table, t, tx, out);
  if (family == "snapshotL1") return l1(root, table, t, tx, out);
  if (family == "tradeHistoryApi" || family == "tradeHistory") {
    od::array rows;
    if (root["data"].get_array().get(rows)) return fail(tx, "trades", "missing or bad data");
    std::string err;
    for (auto item : rows) {
      od::object r;
      if (item.get_object().get(r)) return fail(tx, "trades", "trade is not an object");
      if (!read_trade_row(r, table, kNoInstrument, "tradeId", t, out, err))
        return fail(tx, "trades", err);
    }
    return out.events.size() == tx.events_begin() ? ParseStatus::ignored : ParseStatus::ok;
  }
  return ParseStatus::ignored;
}

}  // namespace mdhub::btse
