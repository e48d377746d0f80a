#include "src/publish/render.hpp"

#include <algorithm>

namespace mdhub::render {

void side(std::string& out, int8_t s) { out += s > 0 ? "\"buy\"" : s < 0 ? "\"sell\"" : "null"; }

void head(std::string& out, const InstrumentState& s) {
  key(out, "venue", true);
  str(out, s.info.venue);
  key(out, "symbol");
  str(out, s.info.symbol);
}

namespace {
/// `["price","qty"]` (with a leading comma unless `first`).
void level(std::string& out, int price_scale, int qty_scale, int64_t price, int64_t qty, bool& first) {
  if (!first) out += ',';
  first = false;
  out += '[';
  dec(out, price, price_scale);
  out += ',';
  dec(out, qty, qty_scale);
  out += ']';
}
void level(std::string& out, const InstrumentState& s, int64_t price, int64_t qty, bool& first) {
  level(out, s.info.price_scale, s.info.qty_scale, price, qty, first);
}
}  // namespace

void levels(std::string& out, const InstrumentState& s, Side sd, size_t depth) {
  out += '[';
  bool first = true;
  s.book.for_each(sd, depth, [&](const Level& l) { level(out, s, l.price, l.qty, first); });
  out += ']';
}

void book(std::string& out, const InstrumentState& s, size_t depth) { book(out, copy_book(s, depth)); }

BookCopy copy_book(const InstrumentState& s, size_t depth) {
  BookCopy b{s.info.venue, s.info.symbol, s.info.price_scale, s.info.qty_scale, book_stamp(s),
             s.sequenced ? static_cast<int64_t>(s.book.seq()) : kNone, {}, {}};
  s.book.for_each(Side::bid, depth, [&](const Level& l) { b.bids.push_back(l); });
  s.book.for_each(Side::ask, depth, [&](const Level& l) { b.asks.push_back(l); });
  return b;
}

void book(std::string& out, const BookCopy& b) {
  // The same fields as book_payload() after head(), in the same order.
  out += '{';
  key(out, "venue", true);
  str(out, b.venue);
  key(out, "symbol");
  str(out, b.symbol);
  stamp(out, b.stamp);
  key(out, "venue_seq");
  num(out, b.venue_seq);
  for (const auto* side : {&b.bids, &b.asks}) {
    key(out, side == &b.bids ? "bids" : "asks");
    out += '[';
    bool first = true;
    for (const Level& l : *side) level(out, b.price_scale, b.qty_scale, l.price, l.qty, first);
    out += ']';
  }
  out += '}';
}

namespace {
void book_head(std::string& out, const InstrumentState& s, uint64_t seq, bool first) {
  stamp(out, {seq, s.book_ts_exchange_us, s.book_ts_received_us}, first);
  key(out, "venue_seq");
  num(out, s.sequenced ? static_cast<int64_t>(s.book.seq()) : kNone);
}
}  // namespace

void book_payload(std::string& out, const InstrumentState& s, uint64_t seq, size_t depth, bool first) {
  book_head(out, s, seq, first);
  key(out, "bids");
  levels(out, s, Side::bid, depth);
  key(out, "asks");
  levels(out, s, Side::ask, depth);
}

void book_update_payload(std::string& out, const InstrumentState& s, uint64_t seq,
                         std::span<const LevelUpdate> changes, bool first) {
  book_head(out, s, seq, first);
  key(out, "bids");
  updates(out, s, changes, Side::bid);
  key(out, "asks");
  updates(out, s, changes, Side::ask);
}

Stamp book_stamp(const InstrumentState& s) { return {s.book_seq, s.book_ts_exchange_us, s.book_ts_received_us}; }

Stamp trade_stamp(const TradeRecord& t) { return {t.seq, t.ts_exchange_us, t.ts_received_us}; }

Stamp ticker_stamp(const InstrumentState& s) {
  return {s.ticker_seq, s.ticker_ts_exchange_us != kNone ? s.ticker_ts_exchange_us : s.bbo_ts_exchange_us,
          std::max(s.ticker_ts_received_us, s.bbo_ts_received_us)};
}

Stamp bbo_stamp(const InstrumentState& s) {
  if (s.has_book) return {s.bbo_seq, s.book_ts_exchange_us, s.book_ts_received_us};
  return {s.bbo_seq, s.bbo_ts_exchange_us, s.bbo_ts_received_us};
}

Stamp candle_stamp(const CandleRecord& r) { return {r.seq, kNone, r.ts_received_us}; }

void stamp(std::string& out, const Stamp& st, bool first) {
  key(out, "seq", first);
  num(out, static_cast<int64_t>(st.seq));
  key(out, "ts_exchange");
  num(out, st.ts_exchange_us);
  key(out, "ts_received");
  num(out, st.ts_received_us);
}

TickerMsg ticker_view(const InstrumentState& s) {
  TickerMsg t = s.ticker;
  const BboMsg bbo = s.bbo();
  if (bbo.bid != kNone) t.bid = bbo.bid;
  if (bbo.ask != kNone) t.ask = bbo.ask;
  return t;
}

void message_head(std::string& out, std::string_view type, std::string_view channel, std::string_view venue,
                  std::string_view symbol) {
  key(out, "type", true);
  str(out, type);
  key(out, "channel");
  str(out, channel);
  key(out, "venue");
  str(out, venue);
  key(out, "symbol");
  str(out, symbol);
}

void trade_payload(std::string& out, const InstrumentState& s, const TradeRecord& t, bool first) {
  stamp(out, trade_stamp(t), first);
  trade_fields(out, s, t);
}

void ticker_payload(std::string& out, const InstrumentState& s, bool first) {
  stamp(out, ticker_stamp(s), first);
  ticker_fields(out, s, ticker_view(s));
}

void bbo_payload(std::string& out, const InstrumentState& s, bool first) {
  stamp(out, bbo_stamp(s), first);
  bbo_fields(out, s);
}

void candle_payload(std::string& out, const InstrumentState& s, const CandleRecord& r, bool first) {
  stamp(out, candle_stamp(r), first);
  candle_fields(out, s, r);
}

void updates(std::string& out, const InstrumentState& s, std::span<const LevelUpdate> u, Side sd) {
  out += '[';
  bool first = true;
  for (const auto& l : u) {
    if (l.side == sd) level(out, s, l.price, l.qty, first);
  }
  out += ']';
}

namespace {
/// `["price","qty",{"venue":"qty",...}]` with `parts` venue quantities: part(j) is the j-th
/// as a VenueQty, venue(slot) names a member's venue.
template <class Part, class VenueOf>
void consolidated_row(std::string& out, int price_scale, int qty_scale, int64_t price, int64_t qty, size_t parts,
                      const Part& part, size_t members, const VenueOf& venue) {
  out += '[';
  dec(out, price, price_scale);
  out += ',';
  dec(out, qty, qty_scale);
  out += ",{";
  bool first = true;
  for (size_t j = 0; j < parts; ++j) {
    const VenueQty v = part(j);
    if (v.venue >= members) continue;
    key(out, venue(v.venue), first);
    first = false;
    dec(out, v.qty, qty_scale);
  }
  out += "}]";
}
}  // namespace

void consolidated_level(std::string& out, const ConsolidatedState& c, const Engine& e, int64_t price, int64_t qty,
                        std::span<const VenueQty> per_venue) {
  consolidated_row(
      out, c.price_scale, c.qty_scale, price, qty, per_venue.size(), [&](size_t j) { return per_venue[j]; },
      c.members.size(),
      [&](size_t slot) -> const std::string& { return e.instruments()[c.members[slot]]->info.venue; });
}

void consolidated_levels(std::string& out, const ConsolidatedState& c, const Engine& e, Side sd,
                         size_t depth) {
  out += '[';
  bool first = true;
  c.book.for_each(sd, depth, [&](int64_t price, int64_t qty, std::span<const VenueQty> per_venue) {
    if (!first) out += ',';
    first = false;
    consolidated_level(out, c, e, price, qty, per_venue);
  });
  out += ']';
}

void consolidated(std::string& out, const ConsolidatedState& c, const Engine& e, size_t depth) {
  consolidated(out, copy_consolidated(c, e, depth));
}

ConsolidatedCopy copy_consolidated(const ConsolidatedState& c, const Engine& e, size_t depth) {
  ConsolidatedCopy k;
  k.symbol = c.symbol;
  k.seq = c.seq;
  for (auto m : c.members) k.ts_received = std::max(k.ts_received, e.instruments()[m]->book_ts_received_us);
  k.price_scale = c.price_scale;
  k.qty_scale = c.qty_scale;
  for (auto m : c.members) k.members.push_back(e.instruments()[m]->info.venue);
  // The venues whose books are in it now (a resynchronising or stale book is not).
  for (size_t m = 0; m < c.members.size() && m < kMaxConsolidatedVenues; ++m) {
    const InstrumentState& i = *e.instruments()[c.members[m]];
    if (e.book_served(i)) k.venues.push_back(i.info.venue);
  }
  // Sized first (walking the book is cheap): growing the vectors of a deep book is what
  // would make this copy cost as much as the rendering it spares the caller.
  size_t rows_of[2] = {0, 0}, parts = 0;
  for (Side sd : {Side::bid, Side::ask}) {
    c.book.for_each(sd, depth, [&](int64_t, int64_t, std::span<const VenueQty> per_venue) {
      ++rows_of[sd == Side::ask];
      parts += per_venue.size();
    });
  }
  k.bids.reserve(rows_of[0]);
  k.asks.reserve(rows_of[1]);
  k.part_venue.reserve(parts);
  k.part_qty.reserve(parts);
  for (Side sd : {Side::bid, Side::ask}) {
    auto& rows = sd == Side::bid ? k.bids : k.asks;
    c.book.for_each(sd, depth, [&](int64_t price, int64_t qty, std::span<const VenueQty> per_venue) {
      rows.push_back({price, qty, static_cast<uint32_t>(k.part_qty.size()), static_cast<uint32_t>(per_venue.size())});
      for (const VenueQty& v : per_venue) {
        k.part_venue.push_back(v.venue);
        k.part_qty.push_back(v.qty);
      }
    });
  }
  return k;
}

void consolidated(std::string& out, const ConsolidatedCopy& c) {
  out += '{';
  key(out, "venue", true);
  str(out, "all");
  key(out, "symbol");
  str(out, c.symbol);
  key(out, "seq");
  num(out, static_cast<int64_t>(c.seq));
  key(out, "ts_exchange");
  out += "null";
  key(out, "ts_received");
  num(out, c.ts_received);
  key(out, "venues");
  out += '[';
  bool first = true;
  for (const std::string& v : c.venues) {
    if (!first) out += ',';
    first = false;
    str(out, v);
  }
  out += ']';
  for (const auto* rows : {&c.bids, &c.asks}) {
    key(out, rows == &c.bids ? "bids" : "asks");
    out += '[';
    first = true;
    for (const ConsolidatedCopy::Row& r : *rows) {
      if (!first) out += ',';
      first = false;
      consolidated_row(
          out, c.price_scale, c.qty_scale, r.price, r.qty, r.count,
          [&](size_t j) { return VenueQty{c.part_venue[r.first + j], c.part_qty[r.first + j]}; }, c.members.size(),
          [&](size_t slot) -> const std::string& { return c.members[slot]; });
    }
    out += ']';
  }
  out += '}';
}

void ticker_fields(std::string& out, const InstrumentState& s, const TickerMsg& t) {
  const int ps = s.info.price_scale, qs = s.info.qty_scale;
  key(out, "bid"); dec(out, t.bid, ps);
  key(out, "ask"); dec(out, t.ask, ps);
  key(out, "last"); dec(out, t.last, ps);
  key(out, "open"); dec(out, t.open, ps);
  key(out, "high"); dec(out, t.high, ps);
  key(out, "low"); dec(out, t.low, ps);
  key(out, "volume_base"); dec(out, t.volume_base, qs);
  key(out, "volume_quote"); dec(out, t.volume_quote, ps);
  key(out, "change_pct"); dec(out, t.change_pct, kPctScale);
}

void bbo_fields(std::string& out, const InstrumentState& s) {
  const BboMsg b = s.bbo();
  key(out, "bid"); dec(out, b.bid, s.info.price_scale);
  key(out, "bid_qty"); dec(out, b.bid_qty, s.info.qty_scale);
  key(out, "ask"); dec(out, b.ask, s.info.price_scale);
  key(out, "ask_qty"); dec(out, b.ask_qty, s.info.qty_scale);
}

void trade_fields(std::string& out, const InstrumentState& s, const TradeRecord& t) {
  key(out, "price"); dec(out, t.price, s.info.price_scale);
  key(out, "qty"); dec(out, t.qty, s.info.qty_scale);
  key(out, "side"); side(out, t.side);
  key(out, "trade_id");
  if (t.trade_id == kNone) out += "null";
  else str(out, std::to_string(t.trade_id));
}

void candle_fields(std::string& out, const InstrumentState& s, const CandleRecord& r) {
  const auto& c = r.candle;
  const int ps = s.info.price_scale;
  key(out, "interval"); str(out, interval_name(c.interval));
  key(out, "open_time"); num(out, c.open_time_us);
  key(out, "close_time"); num(out, c.close_time_us);
  key(out, "open"); dec(out, c.open, ps);
  key(out, "high"); dec(out, c.high, ps);
  key(out, "low"); dec(out, c.low, ps);
  key(out, "close"); dec(out, c.close, ps);
  key(out, "volume"); dec(out, c.volume, s.info.qty_scale);
  key(out, "closed"); out += c.closed ? "true" : "false";
  key(out, "source"); str(out, r.from_venue ? "venue" : "trades");
}

}  // namespace mdhub::render
