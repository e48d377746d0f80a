#include "src/edge/bus_decode.hpp"

#include <algorithm>

namespace mdhub::edge {

namespace od = simdjson::ondemand;

namespace {

bool kind_of(std::string_view k, BusKind& out) {
  static constexpr std::pair<std::string_view, BusKind> kKinds[] = {
      {"book", BusKind::book},     {"bbo", BusKind::bbo},         {"trades", BusKind::trades},
      {"ticker", BusKind::ticker}, {"candles", BusKind::candles}, {"snapshot", BusKind::snapshot}};
  for (auto [name, kind] : kKinds) {
    if (k == name) {
      out = kind;
      return true;
    }
  }
  return false;
}

/// Next dot-separated token of `s` from `pos`; false when there is none or it is empty.
bool token(std::string_view s, size_t& pos, std::string_view& out) {
  if (pos > s.size()) return false;
  const size_t dot = s.find('.', pos);
  const size_t end = dot == std::string_view::npos ? s.size() : dot;
  out = s.substr(pos, end - pos);
  pos = end + 1;
  return !out.empty();
}

/// Fraction digits of a decimal's text ("1.250" -> 3; trailing zeros count: they are written
/// only when needed, never by the renderer).
int fraction_digits(std::string_view t) {
  const auto dot = t.find('.');
  if (dot == std::string_view::npos) return 0;
  size_t end = t.find_first_of("eE", dot);
  if (end == std::string_view::npos) end = t.size();
  return static_cast<int>(end - dot - 1);
}

/// One websocket API payload, every field it may carry, read in one pass in document order.
struct Fields {
  std::string_view type, symbol, side, source, interval;
  uint64_t seq = 0;
  bool has_seq = false;
  int64_t ts_exchange = kNone, ts_received = kNone, open_time = kNone, close_time = kNone;
  int64_t bid = kNone, ask = kNone, last = kNone, open = kNone, high = kNone, low = kNone, close = kNone;
  int64_t volume_base = kNone, volume_quote = kNone, change_pct = kNone, volume = kNone;
  int64_t bid_qty = kNone, ask_qty = kNone, price = kNone, qty = kNone, trade_id = kNone;
  bool closed = false;
  size_t bid_begin = 0, bid_end = 0, ask_begin = 0, ask_end = 0;
  bool has_bids = false, has_asks = false;
};

struct FieldSpec {
  std::string_view key;
  int64_t Fields::*member;
  enum Scale : uint8_t { price, qty, pct } scale;
};
constexpr FieldSpec kDecimals[] = {
    {"bid", &Fields::bid, FieldSpec::price},         {"ask", &Fields::ask, FieldSpec::price},
    {"last", &Fields::last, FieldSpec::price},       {"open", &Fields::open, FieldSpec::price},
    {"high", &Fields::high, FieldSpec::price},       {"low", &Fields::low, FieldSpec::price},
    {"close", &Fields::close, FieldSpec::price},     {"price", &Fields::price, FieldSpec::price},
    {"volume_quote", &Fields::volume_quote, FieldSpec::price},
    {"volume_base", &Fields::volume_base, FieldSpec::qty}, {"volume", &Fields::volume, FieldSpec::qty},
    {"bid_qty", &Fields::bid_qty, FieldSpec::qty},   {"ask_qty", &Fields::ask_qty, FieldSpec::qty},
    {"qty", &Fields::qty, FieldSpec::qty},           {"change_pct", &Fields::change_pct, FieldSpec::pct},
};

class Reading {
 public:
  Reading(const Instrument& inst, ParseOut& out, std::string& err) : inst_(inst), out_(out), err_(err) {}

  bool read(od::object& root, Fields& f) {
    for (auto field : root) {
      std::string_view key;
      od::value v;
      if (field.unescaped_key().get(key) || field.value().get(v)) return fail("bad JSON");
      if (!one(key, v, f)) return false;
    }
    return true;
  }

 private:
  bool fail(std::string m) {
    err_ = std::move(m);
    return false;
  }

  bool is_null(od::value& v) {
    od::json_type t;
    return !v.type().get(t) && t == od::json_type::null;
  }

  bool string(od::value& v, std::string_view key, std::string_view& s) {
    if (is_null(v)) return true;
    if (v.get_string().get(s)) return fail("bad " + std::string(key) + " (not a string)");
    return true;
  }

  bool integer(od::value& v, std::string_view key, int64_t& n) {
    if (is_null(v)) return true;
    if (v.get_int64().get(n)) return fail("bad " + std::string(key) + " (not an integer)");
    return true;
  }

  bool dec(od::value& v, std::string_view key, int scale, int64_t& n) {
    if (is_null(v)) return true;
    auto r = json::decimal(v, scale, Rounding::exact);
    if (!r) return fail("bad " + std::string(key) + " (" + to_string(r.error()) + ")");
    n = *r;
    return true;
  }

  bool side(od::value& v, Side s, size_t& begin, size_t& end) {
    const char* name = s == Side::bid ? "bids" : "asks";
    od::array levels;
    if (v.get_array().get(levels)) return fail(std::string("bad ") + name + " (not an array)");
    begin = out_.levels.size();
    for (auto lv : levels) {
      od::array pair;
      if (lv.get_array().get(pair)) return fail(std::string("bad ") + name + " (a level is not an array)");
      int64_t px = kNone, q = kNone;
      size_t n = 0;
      for (auto x : pair) {
        od::value xv;
        if (x.get(xv)) return fail(std::string("bad JSON in ") + name);
        if (n == 0 && !dec(xv, std::string(name) + " price", inst_.price_scale, px)) return false;
        if (n == 1 && !dec(xv, std::string(name) + " qty", inst_.qty_scale, q)) return false;
        // A third element is a consolidated level's venue breakdown: not a venue's book.
        if (n >= 2) return fail(std::string("bad ") + name + " (a level is not [price, qty])");
        ++n;
      }
      if (n != 2 || px == kNone || q == kNone) return fail(std::string("bad ") + name + " (a level is not [price, qty])");
      if (q < 0) return fail(std::string("bad ") + name + " (negative qty)");
      out_.levels.push_back({s, px, q});
    }
    end = out_.levels.size();
    return true;
  }

  bool one(std::string_view key, od::value& v, Fields& f) {
    if (key == "type") return string(v, key, f.type);
    if (key == "symbol") return string(v, key, f.symbol);
    if (key == "side") return string(v, key, f.side);
    if (key == "source") return string(v, key, f.source);
    if (key == "interval") return string(v, key, f.interval);
    if (key == "seq") {
      if (v.get_uint64().get(f.seq)) return fail("bad seq (not an unsigned integer)");
      f.has_seq = true;
      return true;
    }
    if (key == "ts_exchange") return integer(v, key, f.ts_exchange);
    if (key == "ts_received") return integer(v, key, f.ts_received);
    if (key == "open_time") return integer(v, key, f.open_time);
    if (key == "close_time") return integer(v, key, f.close_time);
    if (key == "closed") {
      if (v.get_bool().get(f.closed)) return fail("bad closed (not a boolean)");
      return true;
    }
    if (key == "trade_id") {
      if (is_null(v)) return true;
      std::string_view s;
      if (v.get_string().get(s) || s.empty() || s.size() > 18 ||
          !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return fail("bad trade_id (not a string of digits)");
      f.trade_id = 0;
      for (char c : s) f.trade_id = f.trade_id * 10 + (c - '0');
      return true;
    }
    if (key == "bids") {
      f.has_bids = true;
      return side(v, Side::bid, f.bid_begin, f.bid_end);
    }
    if (key == "asks") {
      f.has_asks = true;
      return side(v, Side::ask, f.ask_begin, f.ask_end);
    }
    for (const auto& d : kDecimals) {
      if (key != d.key) continue;
      const int scale = d.scale == FieldSpec::price ? inst_.price_scale
                        : d.scale == FieldSpec::qty ? inst_.qty_scale
                                                    : kPctScale;
      return dec(v, key, scale, f.*d.member);
    }
    return true;  // channel, venue, venue_seq, ...: the edge's own or not needed
  }

  const Instrument& inst_;
  ParseOut& out_;
  std::string& err_;
};

}  // namespace

bool parse_subject(std::string_view subject, std::string_view prefix, BusSubject& out) {
  if (subject.size() <= prefix.size() + 1 || subject.substr(0, prefix.size()) != prefix ||
      subject[prefix.size()] != '.')
    return false;
  size_t pos = prefix.size() + 1;
  std::string_view kind, interval;
  if (!token(subject, pos, kind) || !kind_of(kind, out.kind)) return false;
  if (out.kind == BusKind::candles && (!token(subject, pos, interval) || !parse_interval(interval, out.interval)))
    return false;
  if (!token(subject, pos, out.venue)) return false;
  // The symbol is the rest: canonical names have no dot, but nothing may follow it either.
  if (!token(subject, pos, out.symbol)) return false;
  return pos > subject.size();
}

bool valid_venue(std::string_view v) {
  return !v.empty() && v.size() <= 32 && std::all_of(v.begin(), v.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
         });
}

bool valid_symbol(std::string_view s) {
  const auto dash = s.find('-');
  return s.size() <= 40 && dash != 0 && dash != std::string_view::npos && dash + 1 < s.size() &&
         std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
         });
}

std::string snapshot_subject(std::string_view prefix, std::string_view venue, std::string_view symbol) {
  std::string s(prefix);
  s += ".snapshot.";
  s += venue;
  s += '.';
  s += symbol;
  return s;
}

bool book_scales(std::string_view payload, int& price_scale, int& qty_scale, std::string& err) {
  price_scale = kDefaultPriceScale;
  qty_scale = kDefaultQtyScale;
  json::Reader reader;
  od::document doc;
  od::object root;
  if (!json::open_object(reader, payload, doc, root, err)) return false;
  bool any = false;
  for (auto field : root) {
    std::string_view key;
    od::value v;
    if (field.unescaped_key().get(key) || field.value().get(v)) {
      err = "bad JSON";
      return false;
    }
    if (key != "bids" && key != "asks") continue;
    any = true;
    od::array levels;
    if (v.get_array().get(levels)) {
      err = "bad " + std::string(key) + " (not an array)";
      return false;
    }
    for (auto lv : levels) {
      od::array pair;
      if (lv.get_array().get(pair)) {
        err = "bad " + std::string(key) + " (a level is not an array)";
        return false;
      }
      int n = 0;
      for (auto x : pair) {
        std::string_view t;
        if (n < 2 && (x.get_string().get(t))) {
          err = "bad " + std::string(key) + " (a level is not [price, qty])";
          return false;
        }
        if (n == 0) price_scale = std::max(price_scale, fraction_digits(t));
        if (n == 1) qty_scale = std::max(qty_scale, fraction_digits(t));
        ++n;
      }
    }
  }
  if (!any) {
    err = "not a book message (no bids or asks)";
    return false;
  }
  price_scale = std::min(price_scale, kMaxScale);
  qty_scale = std::min(qty_scale, kMaxScale);
  return true;
}

bool Decoder::seq_of(std::string_view payload, uint64_t& seq, bool* snapshot) {
  od::document doc;
  od::object root;
  std::string err;
  if (!json::open_object(reader_, payload, doc, root, err)) return false;
  bool have_seq = false, have_type = snapshot == nullptr;
  for (auto field : root) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return false;
    if (key == "seq") {
      if (field.value().get_uint64().get(seq)) return false;
      have_seq = true;
    } else if (key == "type" && snapshot) {
      std::string_view type;
      if (field.value().get_string().get(type)) return false;
      *snapshot = type == "book_snapshot";
      have_type = true;
    }
    if (have_seq && have_type) return true;
  }
  return false;
}

ParseStatus Decoder::decode(std::string_view payload, const Instrument& inst, uint32_t id, RecvTime t,
                            ParseOut& out) {
  json::Txn txn(out);
  ts_received_us_ = kNone;
  od::document doc;
  od::object root;
  std::string err;
  if (!json::open_object(reader_, payload, doc, root, err)) return txn.fail(err);
  Fields f;
  Reading r(inst, out, err);
  if (!r.read(root, f)) return txn.fail(err);
  ts_received_us_ = f.ts_received;
  if (!json::consumed_all(doc)) return txn.fail("bad JSON: bytes after the message");
  if (f.type.empty()) return txn.fail("missing type");
  if (!f.symbol.empty() && f.symbol != inst.symbol)
    return txn.fail("message of " + std::string(f.symbol) + " on the subject of " + inst.symbol);
  const bool book = f.type == "book_snapshot" || f.type == "book_update";
  if (book) {
    if (!f.has_seq || f.seq == 0) return txn.fail("missing seq");
    if (!f.has_bids || !f.has_asks) return txn.fail("missing bids or asks");
    // Bids then asks, whatever the field order was.
    if (f.bid_begin > f.ask_begin) {
      std::rotate(out.levels.begin() + static_cast<ptrdiff_t>(f.ask_begin),
                  out.levels.begin() + static_cast<ptrdiff_t>(f.bid_begin), out.levels.end());
    }
    const bool snap = f.type == "book_snapshot";
    if (snap) {
      for (size_t i = txn.levels_begin(); i < out.levels.size(); ++i) {
        if (out.levels[i].qty == 0) return txn.fail("zero qty in a book snapshot");
      }
    }
    json::push_book(out, snap ? BookMsg::Type::snapshot : BookMsg::Type::delta, txn.levels_begin(), id,
                    f.ts_exchange, t, f.seq, snap ? 0 : f.seq - 1);
    return ParseStatus::ok;
  }
  if (f.has_bids || f.has_asks) return txn.fail("levels in a " + std::string(f.type) + " message");
  if (f.type == "trade") {
    if (f.price == kNone || f.qty == kNone) return txn.fail("missing price or qty");
    TradeMsg m;
    m.price = f.price;
    m.qty = f.qty;
    if (f.side == "buy") m.side = 1;
    else if (f.side == "sell") m.side = -1;
    else if (!f.side.empty()) return txn.fail("bad side '" + std::string(f.side) + "'");
    m.trade_id = f.trade_id;
    json::push_event(out, EventKind::trade, id, f.ts_exchange, t, m);
    return ParseStatus::ok;
  }
  if (f.type == "ticker") {
    TickerMsg m;
    m.bid = f.bid, m.ask = f.ask, m.last = f.last, m.open = f.open, m.high = f.high, m.low = f.low;
    m.volume_base = f.volume_base, m.volume_quote = f.volume_quote, m.change_pct = f.change_pct;
    json::push_event(out, EventKind::ticker, id, f.ts_exchange, t, m);
    return ParseStatus::ok;
  }
  if (f.type == "bbo") {
    BboMsg m;
    m.bid = f.bid, m.bid_qty = f.bid_qty, m.ask = f.ask, m.ask_qty = f.ask_qty;
    json::push_event(out, EventKind::bbo, id, f.ts_exchange, t, m);
    return ParseStatus::ok;
  }
  if (f.type == "candle") {
    if (f.source == "trades") return ParseStatus::ignored;
    if (f.source != "venue") return txn.fail("bad source '" + std::string(f.source) + "'");
    CandleMsg m;
    if (!parse_interval(f.interval, m.interval)) return txn.fail("bad interval '" + std::string(f.interval) + "'");
    if (f.open_time == kNone) return txn.fail("missing open_time");
    m.open_time_us = f.open_time;
    m.close_time_us = f.close_time;
    m.open = f.open, m.high = f.high, m.low = f.low, m.close = f.close, m.volume = f.volume;
    m.closed = f.closed;
    json::push_event(out, EventKind::candle, id, f.ts_exchange, t, m);
    return ParseStatus::ok;
  }
  return txn.fail("unknown type '" + std::string(f.type) + "'");
}

// ---- BookFollower ----------------------------------------------------------------------

BookFollower::Verdict BookFollower::on_update(uint64_t seq, std::string_view payload) {
  Verdict v = Verdict::pending;
  if (synced_) {
    if (seq <= seq_) return Verdict::skip;
    if (seq == seq_ + 1) {
      seq_ = seq;
      return Verdict::apply;
    }
    synced_ = false;
    v = Verdict::gap;  // kept below all the same: the snapshot to come may be older than it
  }
  if (pending_.size() >= max_pending_) {
    pending_.pop_front();
    ++overflowed_;
  }
  pending_.emplace_back(seq, std::string(payload));
  return v;
}

bool BookFollower::on_snapshot(uint64_t seq) {
  if (synced_) {
    if (seq <= seq_) return false;
    pending_.clear();
    seq_ = seq;
    return true;
  }
  // Usable when the pending updates past it follow on from it without a hole.
  uint64_t next = seq + 1;
  size_t hole = pending_.size();
  for (size_t i = 0; i < pending_.size(); ++i) {
    const uint64_t s = pending_[i].first;
    if (s < next) continue;
    if (s == next) {
      ++next;
      continue;
    }
    hole = i;
    break;
  }
  if (hole != pending_.size()) {
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<ptrdiff_t>(hole));
    return false;
  }
  synced_ = true;
  seq_ = seq;
  return true;
}

std::deque<std::string> BookFollower::take_bridge() {
  std::deque<std::string> out;
  for (auto& [s, p] : pending_) {
    if (s != seq_ + 1) continue;
    seq_ = s;
    out.push_back(std::move(p));
  }
  pending_.clear();
  return out;
}

void BookFollower::lose() { synced_ = false; }

}  // namespace mdhub::edge
