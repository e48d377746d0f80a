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

// The value halves of optional_text() and get_ms(), for a field met while walking an object.
bool optional_text_value(od::value v, std::string_view& out) {
  out = {};
  od::json_type t;
  if (v.type().get(t)) return false;
  if (t == od::json_type::null) {
    bool is_null = false;  // type() only saw the first byte
    return !v.is_null().get(is_null) && is_null;
  }
  return (t == od::json_type::string || t == od::json_type::number) && text(v, out);
}

bool ms_value(od::value v, int64_t& us, std::string& err) {
  bool is_null = false;
  if (!v.is_null().get(is_null) && is_null) return true;  // as if absent: kNone
  auto r = json::decimal(v, 3);
  if (!r) {
    err = std::string("bad timestamp (") + to_string(r.error()) + ')';
    return false;
  }
  us = *r;
  return true;
}

/// One side of an update as the walk over `data` found it.
struct SideRead {
  enum class State : uint8_t { absent, null, levels, bad } state = State::absent;
  size_t begin = 0, end = 0;  // its levels in the reader's scratch
  std::string err;            // why its levels stop at `end`, if they do
};

/// What one walk over an update's `data` found: every field is read where it stands (BTSE
/// does not promise an order) and judged afterwards in a fixed order, so that a frame's
/// verdict does not depend on the order of its fields. The first of duplicate keys counts.
struct UpdateRead {
  std::string_view symbol, type;
  bool symbol_seen = false, symbol_ok = false, type_seen = false, type_ok = true;
  bool seq_seen = false, seq_ok = false, seq_double = false;
  bool prev_seen = false, prev_ok = false, prev_double = false;
  bool ts_seen = false;
  bool broken = false;  // the walk stopped on broken JSON
  uint64_t seq = 0, prev = 0;
  int64_t ts = kNone;
  std::string ts_err;
  SideRead sides[2];  // bids, asks
};

void read_side(od::value v, Side side, std::vector<LevelText>& scratch, SideRead& s) {
  od::json_type jt;
  if (v.type().get(jt)) {
    s.state = SideRead::State::bad;
    return;
  }
  if (jt == od::json_type::null) {
    // null: no levels on that side in this message (type() only saw the first byte).
    bool is_null = false;
    s.state = !v.is_null().get(is_null) && is_null ? SideRead::State::null : SideRead::State::bad;
    return;
  }
  s.state = SideRead::State::levels;
  s.begin = scratch.size();
  if (!collect_levels(v, side, scratch, s.err) && s.err.empty()) s.err = "malformed level";
  s.end = scratch.size();
}

void read_update(od::object& d, std::vector<LevelText>& scratch, UpdateRead& r) {
  for (auto field : d) {
    od::raw_json_string key;
    od::value v;
    if (field.key().get(key) || field.value().get(v)) {
      r.broken = true;
      return;
    }
    if (key == "symbol" && !r.symbol_seen) {
      r.symbol_seen = true;
      r.symbol_ok = optional_text_value(v, r.symbol);
    } else if (key == "type" && !r.type_seen) {
      r.type_seen = true;
      r.type_ok = optional_text_value(v, r.type);
    } else if (key == "seqNum" && !r.seq_seen) {
      int64_t i = 0;
      r.seq_seen = true;
      r.seq_ok = integral(v, i, r.seq_double);
      r.seq = static_cast<uint64_t>(i);
    } else if (key == "prevSeqNum" && !r.prev_seen) {
      int64_t i = 0;
      r.prev_seen = true;
      r.prev_ok = integral(v, i, r.prev_double);
      r.prev = static_cast<uint64_t>(i);
    } else if (key == "timestamp" && !r.ts_seen) {
      r.ts_seen = true;
      ms_value(v, r.ts, r.ts_err);
    } else if (key == "bids" && r.sides[0].state == SideRead::State::absent) {
      read_side(v, Side::bid, scratch, r.sides[0]);
    } else if (key == "asks" && r.sides[1].state == SideRead::State::absent) {
      read_side(v, Side::ask, scratch, r.sides[1]);
    }
  }
}

using Data = simdjson::simdjson_result<od::value>;  // a frame's `data`, or why there is none

ParseStatus book_update(json::Reader& reader, Data data, const InstrumentTable& table, RecvTime t,
                        Txn& tx, ParseOut& out) {
  od::object d;
  if (data.get_object().get(d)) return fail(tx, "update", "missing or bad data");
  std::vector<LevelText>& scratch = reader.level_texts();
  scratch.clear();
  UpdateRead r;
  read_update(d, scratch, r);

  // The checks, in their order of precedence: an unknown symbol outranks every error after it.
  if (r.symbol_seen && (!r.symbol_ok || r.symbol.empty())) return fail(tx, "update", "missing symbol");
  const std::optional<uint32_t> id = r.symbol_seen ? table.by_native(r.symbol) : std::nullopt;
  if (r.symbol_seen && !id) return ParseStatus::ignored;
  if (r.broken) return fail(tx, "update", "malformed data");
  if (!id) return fail(tx, "update", "missing symbol");
  const Instrument& inst = table[*id];

  if (!r.type_ok) return fail(tx, "update", "bad type");
  const bool snapshot = r.type == "snapshot";
  if (!snapshot && r.type != "delta") return fail(tx, "update", "unknown type " + std::string(r.type));
  if (!r.seq_ok) return fail(tx, "update", "missing or bad seqNum");
  // A snapshot starts the chain and may come without a usable prevSeqNum; a delta is only
  // meaningful relative to one.
  if (!r.prev_ok && !snapshot) return fail(tx, "update", "missing or bad prevSeqNum");
  if (!r.prev_ok) r.prev = 0;
  if ((r.seq_ok && r.seq_double) || (r.prev_ok && r.prev_double)) out.detected.push_back("seq_as_double");
  if (!r.ts_err.empty()) return fail(tx, "update", r.ts_err);

  const size_t begin = out.levels.size();
  std::string err;
  for (const char* key : {"bids", "asks"}) {
    const SideRead& s = r.sides[key[0] == 'b' ? 0 : 1];
    if (s.state == SideRead::State::bad) return fail(tx, "update", std::string("bad ") + key);
    if (s.state == SideRead::State::null) out.detected.push_back("null_side");
    for (size_t i = s.begin; i < s.end; ++i) {
      LevelUpdate l;
      if (!convert_level(scratch[i], inst, l, err)) return fail(tx, "update", err);
      out.levels.push_back(l);
    }
    if (!s.err.empty()) return fail(tx, "update", s.err);
  }
  if (snapshot && !json::merge_book(out.levels, begin)) return fail(tx, "update", kSizeOverflow);
  push_book(out, snapshot ? BookMsg::Type::snapshot : BookMsg::Type::delta, begin, *id, r.ts, t,
            r.seq, r.prev);
  std::get<BookMsg>(out.events.back().body).window = kBookWindow;
  return ParseStatus::ok;
}

ParseStatus l1(Data data, const InstrumentTable& table, RecvTime t, Txn& tx, ParseOut& out) {
  od::object d;
  if (data.get_object().get(d)) return fail(tx, "snapshotL1", "missing or bad data");
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

ParseStatus trades(Data data, const InstrumentTable& table, RecvTime t, Txn& tx, ParseOut& out) {
  od::array rows;
  if (data.get_array().get(rows)) return fail(tx, "trades", "missing or bad data");
  std::string err;
  for (auto item : rows) {
    od::object r;
    if (item.get_object().get(r)) return fail(tx, "trades", "trade is not an object");
    if (!read_trade_row(r, table, kNoInstrument, "tradeId", t, out, err))
      return fail(tx, "trades", err);
  }
  return out.events.size() == tx.events_begin() ? ParseStatus::ignored : ParseStatus::ok;
}

// Routes on the family only: the symbol (and grouping) suffix is not reliable - trade
// pushes may carry the bare `tradeHistoryApi`, delta pushes may drop the grouping.
ParseStatus route(std::string_view topic, Data data, json::Reader& reader, const InstrumentTable& table,
                  RecvTime t, Txn& tx, ParseOut& out) {
  const std::string_view family = topic.substr(0, topic.find(':'));
  if (family == "update") return book_update(reader, data, table, t, tx, out);
  if (family == "snapshotL1") return l1(data, table, t, tx, out);
  if (family == "tradeHistoryApi" || family == "tradeHistory") return trades(data, table, t, tx, out);
  return ParseStatus::ignored;
}

}  // namespace

ParseStatus parse_ws(json::Reader& reader, FrameView frame, const InstrumentTable& table,
                     RecvTime t, ParseOut& out) {
  Txn tx(out);
  // The keepalive answer is the plain text `pong`, not JSON (a frame that opens with `{`,
  // every other one, is not worth trimming).
  if (!frame.text.empty() && frame.text.front() != '{') {
    const std::string_view bare = json::trim(frame.text);
    if (bare == "pong" || bare == "PONG" || bare == "ping") return ParseStatus::ignored;
  }
  od::document doc;
  od::object root;
  if (reader.iterate(frame.text, frame.room).get(doc) || doc.get_object().get(root))
    return tx.fail("btse: malformed frame (not a JSON object)");

  // One walk over the root: `data` is read where it stands when the topic came before it
  // (the venue's order), else looked up once the walk is over. A `severity` anywhere makes
  // the frame an error frame, whatever was read before it (error frames carry no data; one
  // whose data fails is reported as that failure).
  std::string_view topic;
  bool topic_seen = false, topic_ok = true, routed = false, severity = false, broken = false;
  ParseStatus st = ParseStatus::ignored;
  for (auto field : root) {
    od::raw_json_string key;
    if (field.key().get(key)) {
      broken = true;
      break;
    }
    if (key == "severity") {
      severity = true;
      break;
    }
    if (key == "topic" && !topic_seen) {
      topic_seen = true;
      od::value v;
      topic_ok = !field.value().get(v) && optional_text_value(v, topic);
    } else if (key == "data" && topic_seen && topic_ok && !topic.empty() && !routed) {
      routed = true;
      st = route(topic, field.value(), reader, table, t, tx, out);
      // A failed data may have left the document unreadable: nothing more is read.
      if (st == ParseStatus::error) return st;
    }
  }
  if (severity) {
    if (routed) tx.fail(std::string());  // undoes what the data appended; the error frame decides
    return error_frame(root, tx, out);
  }
  if (broken) return tx.fail("btse: malformed frame");
  if (!topic_ok) return tx.fail("btse: bad topic");
  // No topic: subscribe acks ({"event":"subscribe",...}), JSON pongs ({"op":"pong"}).
  if (topic.empty()) return ParseStatus::ignored;
  if (routed) return st;
  return route(topic, root["data"], reader, table, t, tx, out);
}

}  // namespace mdhub::btse
