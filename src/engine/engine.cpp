#include "src/engine/engine.hpp"

#include <algorithm>

namespace mdhub {
namespace {
int64_t to_us(int64_t ns) { return ns / 1000; }
std::string key(std::string_view venue, std::string_view symbol) {
  std::string k(venue);
  k += '/';
  k += symbol;
  return k;
}
}  // namespace

BboMsg InstrumentState::bbo() const {
  if (!has_book) return venue_bbo;
  BboMsg b;
  if (auto l = book.best(Side::bid)) {
    b.bid = l->price;
    b.bid_qty = l->qty;
  }
  if (auto l = book.best(Side::ask)) {
    b.ask = l->price;
    b.ask_qty = l->qty;
  }
  return b;
}

Engine::Engine() = default;

void Engine::add_feed(std::string venue, StreamHasBooks stream_has_books, VenueCapabilities caps) {
  feed_venues_.push_back(std::move(venue));
  caps_.push_back(caps);
  by_feed_.emplace_back();
  stream_has_books_.push_back(std::move(stream_has_books));
  feed_stats_.emplace_back();
  feed_live_.push_back(true);  // until its runner says otherwise
  feeds_.emplace_back();
}

void Engine::on_instruments(size_t feed, const InstrumentTable& table) {
  auto& slots = by_feed_.at(feed);
  std::vector<size_t> rescaled;  // consolidated books whose scales grew
  for (uint32_t id = 0; id < table.size(); ++id) {
    const Instrument& inst = table[id];
    const std::string k = key(feed_venues_[feed], inst.symbol);
    auto it = by_key_.find(k);
    const bool added = it == by_key_.end();
    InstrumentState* s;
    if (!added) {
      s = it->second;  // rediscovery after a restart of the feed: keep state and history
    } else {
      all_.push_back(std::make_unique<InstrumentState>());
      s = all_.back().get();
      s->book = Book(book_options_for(inst));
      by_key_.emplace(k, s);
      auto [cit, new_symbol] = consolidated_by_symbol_.try_emplace(inst.symbol, consolidated_.size());
      if (new_symbol) {
        consolidated_.emplace_back();
        consolidated_.back().symbol = inst.symbol;
        consolidated_.back().index = consolidated_.size() - 1;
      }
      s->consolidated = cit->second;
      auto& members = consolidated_[s->consolidated].members;
      s->consolidated_member = members.size();
      members.push_back(static_cast<uint32_t>(all_.size() - 1));
    }
    s->feed = feed;
    s->id = id;
    s->info = inst;
    s->info.venue = feed_venues_[feed];
    // Canonical names first: a native name never shadows another instrument's canonical one.
    by_name_[key(s->info.venue, symbol_key(inst.symbol))] = s;
    by_name_.try_emplace(key(s->info.venue, symbol_key(inst.native)), s);
    ConsolidatedState& c = consolidated_[s->consolidated];
    const int ps = std::max(c.price_scale, std::clamp(inst.price_scale, 0, kMaxScale));
    const int qs = std::max(c.qty_scale, std::clamp(inst.qty_scale, 0, kMaxScale));
    if (ps != c.price_scale || qs != c.qty_scale) {
      c.price_scale = ps;
      c.qty_scale = qs;
      if (std::find(rescaled.begin(), rescaled.end(), s->consolidated) == rescaled.end())
        rescaled.push_back(s->consolidated);
    }
    if (slots.size() <= id) slots.resize(id + 1, nullptr);
    slots[id] = s;
    if (added) {
      for (auto* o : observers_) o->on_instrument_added(*s);
    }
  }
  for (size_t c : rescaled) rebuild_consolidated(consolidated_[c]);
}

void Engine::on_events(size_t feed, const ParseOut& out, std::vector<uint32_t>& resync) {
  if (feed >= by_feed_.size()) {
    unknown_feed_events_ += out.events.size();
    return;
  }
  if (out.events.empty()) return;
  for (auto* o : observers_) o->on_events_begin(feed, out.events.front().recv);
  const auto& slots = by_feed_[feed];
  for (const Event& e : out.events) {
    if (e.instrument >= slots.size() || !slots[e.instrument]) {
      ++feed_stats_[feed].unknown_instrument_events;
      continue;
    }
    InstrumentState& s = *slots[e.instrument];
    const int64_t recv_us = to_us(e.recv.wall_ns);
    switch (e.kind) {
      case EventKind::book:
        on_book_msg(s, e, std::get<BookMsg>(e.body), out, resync);
        break;
      case EventKind::trade:
        on_trade_msg(s, e, std::get<TradeMsg>(e.body));
        break;
      case EventKind::ticker: {
        const auto& t = std::get<TickerMsg>(e.body);
        // Venues send partial tickers: a field they leave out keeps its last value.
        auto merge = [](int64_t& dst, int64_t v) { if (v != kNone) dst = v; };
        merge(s.ticker.bid, t.bid);
        merge(s.ticker.ask, t.ask);
        merge(s.ticker.last, t.last);
        merge(s.ticker.open, t.open);
        merge(s.ticker.high, t.high);
        merge(s.ticker.low, t.low);
        merge(s.ticker.volume_base, t.volume_base);
        merge(s.ticker.volume_quote, t.volume_quote);
        merge(s.ticker.change_pct, t.change_pct);
        s.has_ticker = true;
        ++s.ticker_seq;
        s.ticker_ts_exchange_us = e.ts_exchange_us;
        s.ticker_ts_received_us = recv_us;
        s.last_publish_seq = ++publish_seq_;
        for (auto* o : observers_) o->on_ticker(s);
        break;
      }
      case EventKind::bbo: {
        const auto& b = std::get<BboMsg>(e.body);
        auto merge = [](int64_t& dst, int64_t v) { if (v != kNone) dst = v; };
        merge(s.venue_bbo.bid, b.bid);
        merge(s.venue_bbo.ask, b.ask);
        // Sizes are replaced with the prices they belong to: a quote-only venue has none.
        if (b.bid != kNone) s.venue_bbo.bid_qty = b.bid_qty;
        if (b.ask != kNone) s.venue_bbo.ask_qty = b.ask_qty;
        s.has_venue_bbo = true;
        s.bbo_ts_exchange_us = e.ts_exchange_us;
        s.bbo_ts_received_us = recv_us;
        if (!s.has_book) {
          s.last_publish_seq = ++publish_seq_;
          ++s.bbo_seq;
          for (auto* o : observers_) o->on_bbo(s);
        }
        break;
      }
      case EventKind::candle:
        emit_candle(s, std::get<CandleMsg>(e.body), true, recv_us);
        break;
    }
  }
  for (auto* o : observers_) o->on_events_end(feed);
}

void Engine::on_book_msg(InstrumentState& s, const Event& e, const BookMsg& m, const ParseOut& out,
                         std::vector<uint32_t>& resync) {
  s.has_book = true;
  // Every failure asks for a snapshot now: the retry clock restarts from this ask, whatever
  // the message was (a crossed or bad snapshot is an answer that needs asking again).
  auto fail = [&](BookError err) {
    s.resync_requested_mono_ns = e.recv.mono_ns;
    lose_book(s, err, resync);
  };
  // A range outside the payload's levels (a parser bug) must not be read.
  if (uint64_t{m.level_begin} + m.level_count > out.levels.size()) {
    fail(BookError::bad_level);
    return;
  }
  const std::span<const LevelUpdate> levels(out.levels.data() + m.level_begin, m.level_count);
  switch (m.type) {
    case BookMsg::Type::snapshot: {
      s.sequenced = true;
      if (auto err = s.book.reset(levels, m.seq); err != BookError::none) {
        fail(err);
        return;
      }
      trim_to_window(s, m.window, trimmed_);
      s.in_sync = true;
      break;
    }
    case BookMsg::Type::delta: {
      if (!s.in_sync) {
        // Deltas between a detected gap and the next snapshot describe a book we no
        // longer hold; applying them would publish a wrong book.
        ++s.dropped_out_of_sync;
        if (e.recv.mono_ns - s.resync_requested_mono_ns >= kResyncRetryNs) {
          s.resync_requested_mono_ns = e.recv.mono_ns;
          ++s.resyncs;
          resync.push_back(s.id);
        }
        return;
      }
      if (m.seq != 0) s.sequenced = true;
      if (auto err = s.book.apply(levels, m.seq, m.prev_seq); err != BookError::none) {
        fail(err);
        return;
      }
      s.book_ts_exchange_us = e.ts_exchange_us;
      s.book_ts_received_us = to_us(e.recv.wall_ns);
      if (trim_to_window(s, m.window, trimmed_)) {
        // Consumers see the cut as removals after the venue's own changes.
        trimmed_.insert(trimmed_.begin(), levels.begin(), levels.end());
        publish_book(s, false, trimmed_);
      } else if (!levels.empty()) {
        // A delta that only moves the sequence (its changes were below the window) changes
        // nothing a consumer sees.
        publish_book(s, false, levels);
      }
      return;
    }
    case BookMsg::Type::replace: {
      // Snapshot-only venue: turn consecutive snapshots into level changes so that every
      // consumer sees one model (snapshot, then updates).
      const bool both = m.has_bids && m.has_asks;
      if (s.in_sync) {
        BookError err = diff(s.book, levels, scratch_);
        // A one-sided replace leaves the side it does not carry as it is.
        if (!both)
          std::erase_if(scratch_, [&](const LevelUpdate& u) { return !(u.side == Side::bid ? m.has_bids : m.has_asks); });
        if (err == BookError::none) err = s.book.apply(scratch_, 0, 0);
        if (err != BookError::none) {
          fail(err);
          return;
        }
        s.book_ts_exchange_us = e.ts_exchange_us;
        s.book_ts_received_us = to_us(e.recv.wall_ns);
        if (!scratch_.empty()) publish_book(s, false, scratch_);
        return;
      }
      // Without a book, one side alone is not a book: wait for a message with both.
      if (!both) {
        ++s.dropped_out_of_sync;
        return;
      }
      if (auto err = s.book.reset(levels, 0); err != BookError::none) {
        fail(err);
        return;
      }
      s.in_sync = true;
      break;
    }
  }
  // A fresh snapshot.
  s.book_ts_exchange_us = e.ts_exchange_us;
  s.book_ts_received_us = to_us(e.recv.wall_ns);
  publish_book(s, true, {});
}

bool Engine::trim_to_window(InstrumentState& s, uint16_t window, std::vector<LevelUpdate>& removed) {
  removed.clear();
  if (window == 0) return false;
  for (Side side : {Side::bid, Side::ask}) {
    // The usual message leaves the side within the window: no walk.
    if (s.book.size(side) <= window) continue;
    size_t i = 0;
    s.book.for_each(side, s.book.size(side), [&](const Level& l) {
      if (i++ >= window) removed.push_back(LevelUpdate{side, l.price, 0});
    });
  }
  if (removed.empty()) return false;
  s.levels_trimmed += removed.size();
  // Deletes of levels in the book: cannot fail, and seq 0 leaves the sequence alone.
  (void)s.book.apply(removed, 0, 0);
  return true;
}

void Engine::lose_book(InstrumentState& s, BookError err, std::vector<uint32_t>& resync) {
  ++s.book_errors;
  if (err == BookError::sequence_gap || err == BookError::stale) ++s.gaps;
  drop_book(s, resync);
}

void Engine::drop_book(InstrumentState& s, std::vector<uint32_t>& resync) {
  ++s.resyncs;
  s.audit_diffs.clear();  // the next book is audited afresh
  const bool was = s.in_sync;
  s.in_sync = false;
  s.book.clear();
  resync.push_back(s.id);
  if (was) {
    feed_consolidated(s, true, {});
    for (auto* o : observers_) o->on_book_lost(s);
  }
}

void Engine::on_audit(size_t feed, uint32_t instrument, const ParseOut& snapshot, RecvTime t,
                      std::vector<uint32_t>& resync) {
  if (feed >= by_feed_.size() || instrument >= by_feed_[feed].size() || !by_feed_[feed][instrument]) return;
  InstrumentState& s = *by_feed_[feed][instrument];
  const BookMsg* m = nullptr;
  for (const Event& e : snapshot.events)
    if (e.instrument == instrument && e.kind == EventKind::book) m = &std::get<BookMsg>(e.body);
  AuditResult r = AuditResult::skipped;
  if (m && m->type != BookMsg::Type::delta && m->has_bids && m->has_asks &&
      uint64_t{m->level_begin} + m->level_count <= snapshot.levels.size() && book_served(s)) {
    const std::span<const LevelUpdate> levels(snapshot.levels.data() + m->level_begin, m->level_count);
    const size_t depth = m->window ? std::min<size_t>(kAuditLevels, m->window) : kAuditLevels;
    std::vector<AuditDiff> diffs = audit_diff(s.book, levels, depth, m->top_orders);
    s.last_audit_drift = diffs.size();
    // The snapshot and the stream are two roads from the venue, and neither carries a
    // sequence number the other shares on every venue: a delta already applied may be newer
    // than the snapshot, or a push still on its way (throttled, in flight) older. Such a
    // difference is gone, or has changed, by the next audit a whole interval later; one
    // found again at the same price with the same two sizes is the book's own.
    const auto seen = [&](const AuditDiff& d) {
      return std::find(s.audit_diffs.begin(), s.audit_diffs.end(), d) != s.audit_diffs.end();
    };
    if (diffs.empty()) r = AuditResult::pass;
    else r = std::any_of(diffs.begin(), diffs.end(), seen) ? AuditResult::fail : AuditResult::mismatch;
    s.audit_diffs.clear();
    if (r == AuditResult::mismatch) s.audit_diffs = std::move(diffs);
  } else {
    s.audit_diffs.clear();
  }
  ++s.audits[static_cast<size_t>(r)];
  s.last_audit = r;
  s.audited = true;
  s.last_audit_wall_us = to_us(t.wall_ns);
  if (r == AuditResult::fail) {
    s.resync_requested_mono_ns = t.mono_ns;
    drop_book(s, resync);
  }
}

void Engine::publish_book(InstrumentState& s, bool snapshot, std::span<const LevelUpdate> changes) {
  ++s.book_seq;
  // A stale feed's books are held back: check_stale publishes them, as a snapshot, once the
  // feed is found live again.
  if (feed_stale(s.feed)) return;
  s.last_publish_seq = ++publish_seq_;
  for (auto* o : observers_) o->on_book(s, snapshot, changes);
  ++s.bbo_seq;
  for (auto* o : observers_) o->on_bbo(s);
  feed_consolidated(s, snapshot, changes);
}

// A level the consolidated scales cannot carry (its price overflows them, its size is beyond
// what merged totals can hold) is left out, the same way on resets and updates: its update
// becomes a removal, so neither a stale size stays behind nor does the consolidated book
// reject (and on reset drop) the venue's whole contribution. Returns false when there is
// nothing to send at all.
bool Engine::to_consolidated(const InstrumentState& s, ConsolidatedState& c, const LevelUpdate& u,
                             LevelUpdate& out) {
  // The consolidated scales are at least the member's, so exact conversion only fails on
  // overflow; exact also guarantees that distinct venue prices never merge.
  auto p = rescale(u.price, s.info.price_scale, c.price_scale);
  if (!p || *p <= 0) {
    if (u.qty != 0) ++c.left_out;  // removing a level that never got in loses nothing
    return false;
  }
  auto q = rescale(u.qty, s.info.qty_scale, c.qty_scale);
  if (!q || *q > kMaxConsolidatedQty) {
    ++c.left_out;
    out = {u.side, *p, 0};
    return true;
  }
  out = {u.side, *p, *q};
  return true;
}

void Engine::member_levels(const InstrumentState& s, ConsolidatedState& c, std::vector<LevelUpdate>& out) const {
  out.clear();
  if (!s.in_sync || feed_stale(s.feed)) return;
  for (Side side : {Side::bid, Side::ask}) {
    s.book.for_each(side, SIZE_MAX, [&](const Level& l) {
      LevelUpdate u;
      if (to_consolidated(s, c, {side, l.price, l.qty}, u)) out.push_back(u);
    });
  }
}

void Engine::merge_members(ConsolidatedState& c, std::vector<LevelUpdate>& scratch) const {
  c.book.clear();
  for (size_t m = 0; m < c.members.size() && m < kMaxConsolidatedVenues; ++m) {
    member_levels(*all_[c.members[m]], c, scratch);
    c.book.reset(m, scratch);
  }
}

void Engine::rebuild_consolidated(ConsolidatedState& c) {
  if (!c.maintained()) {
    // No book to rebuild, but the change count moves as a kept book's would: by one unless
    // the book is empty (an empty book looks the same at any scale). Whether it is empty is
    // asked at the new scales; a member level that fits them fit the old ones too.
    ConsolidatedState probe;
    probe.price_scale = c.price_scale;
    probe.qty_scale = c.qty_scale;
    bool any = false;
    for (size_t m = 0; m < c.members.size() && m < kMaxConsolidatedVenues && !any; ++m) {
      member_levels(*all_[c.members[m]], probe, scratch2_);
      any = std::any_of(scratch2_.begin(), scratch2_.end(), [](const LevelUpdate& u) { return u.qty > 0; });
    }
    if (any) ++c.seq;
    return;
  }
  const bool had_levels = c.book.size(Side::bid) + c.book.size(Side::ask) > 0;
  merge_members(c, scratch2_);
  // An empty book looks the same at any scale: nothing to tell.
  if (!had_levels && c.book.size(Side::bid) + c.book.size(Side::ask) == 0) return;
  ++c.seq;
  for (auto* o : observers_) o->on_consolidated(c, {});
}

void Engine::feed_consolidated(InstrumentState& s, bool reset, std::span<const LevelUpdate> changes) {
  if (s.consolidated == SIZE_MAX) return;
  ConsolidatedState& c = consolidated_[s.consolidated];
  const size_t member = s.consolidated_member;
  if (member >= kMaxConsolidatedVenues) return;  // more venues than a consolidated book holds
  ++c.seq;
  if (!c.maintained()) return;  // nobody reads it: merged() builds it when asked
  if (reset) {
    // Replace this venue's contribution with its current book.
    member_levels(s, c, scratch2_);
    c.book.reset(member, scratch2_);
  } else {
    scratch2_.clear();
    for (const auto& ch : changes) {
      LevelUpdate u;
      if (to_consolidated(s, c, ch, u)) scratch2_.push_back(u);
    }
    for (const auto& u : scratch2_) c.book.update(member, u);
  }
  for (auto* o : observers_) o->on_consolidated(c, reset ? std::span<const LevelUpdate>{} : scratch2_);
}

void Engine::watch_consolidated(size_t index) {
  ConsolidatedState& c = consolidated_.at(index);
  if (c.watchers++ == 0) merge_members(c, scratch2_);
}

void Engine::unwatch_consolidated(size_t index) {
  ConsolidatedState& c = consolidated_.at(index);
  if (c.watchers == 0) return;
  // A new book, not clear(): clear() keeps the capacity of every level vector.
  if (--c.watchers == 0) c.book = ConsolidatedBook(kMaxConsolidatedVenues);
}

ConsolidatedState Engine::merged(const ConsolidatedState& c) const {
  ConsolidatedState out;
  out.symbol = c.symbol;
  out.index = c.index;
  out.members = c.members;
  out.seq = c.seq;
  out.price_scale = c.price_scale;
  out.qty_scale = c.qty_scale;
  std::vector<LevelUpdate> scratch;
  merge_members(out, scratch);
  out.left_out = c.left_out;  // what the copy's own merge left out is not news
  return out;
}

void Engine::on_trade_msg(InstrumentState& s, const Event& e, const TradeMsg& m) {
  TradeRecord t;
  t.price = m.price;
  t.qty = m.qty;
  t.side = m.side;
  t.trade_id = m.trade_id;
  t.ts_exchange_us = e.ts_exchange_us;
  t.ts_received_us = to_us(e.recv.wall_ns);
  t.seq = ++s.trade_seq;
  s.last_publish_seq = ++publish_seq_;
  s.trades.push_back(t);
  if (s.trades.size() > kTradeHistory) s.trades.pop_front();
  for (auto* o : observers_) o->on_trade(s, t);
  // Trade-built candles use the exchange time when the venue gives one.
  const int64_t ts = t.ts_exchange_us != kNone ? t.ts_exchange_us : t.ts_received_us;
  if (t.price != kNone && t.qty != kNone) {
    candle_events_.clear();
    s.trade_candles.on_trade(t.price, t.qty, ts, candle_events_);
    emit_trade_candles(s, t.ts_received_us);
  }
}

CandleMsg to_candle_msg(const CandleBuilder& b, size_t interval, const Candle& c) {
  CandleMsg m;
  m.interval = static_cast<CandleInterval>(interval);
  m.open_time_us = c.open_time_us;
  m.close_time_us = c.open_time_us + b.interval_us(interval);
  m.open = c.open;
  m.high = c.high;
  m.low = c.low;
  m.close = c.close;
  m.volume = c.volume;
  m.closed = c.closed;
  return m;
}

void Engine::emit_trade_candles(InstrumentState& s, int64_t recv_us) {
  for (const CandleEvent& ev : candle_events_) {
    emit_candle(s, to_candle_msg(s.trade_candles, ev.interval, ev.candle), false, recv_us);
  }
}

void Engine::emit_candle(InstrumentState& s, const CandleMsg& c, bool from_venue, int64_t recv_us) {
  CandleRecord r{c, from_venue, recv_us, 0};
  if (from_venue) {
    const int iv = static_cast<int>(c.interval);
    if (iv < 0 || iv >= kCandleIntervals) return;
    // Venues flag their candles inconsistently (narkasa never says "closed"): a venue
    // candle is closed once its interval has ended or a later one has started, whatever it says.
    if (r.candle.close_time_us == kNone)
      r.candle.close_time_us = c.open_time_us + interval_seconds(c.interval) * 1'000'000;
    auto& m = s.venue_candles;
    const auto later = m.upper_bound({iv, c.open_time_us});
    r.candle.closed = c.closed || r.candle.close_time_us <= recv_us || (later != m.end() && later->first.first == iv);
    if (auto prev = m.lower_bound({iv, c.open_time_us}); prev != m.begin()) {
      --prev;
      if (prev->first.first == iv && !prev->second.candle.closed) close_venue_candle(s, prev->second, recv_us);
    }
    r.seq = next_candle_seq(s, r);
    const bool inserted = m.insert_or_assign({iv, c.open_time_us}, r).second;
    // Bounded history per interval: drop the oldest of this interval.
    if (inserted && ++s.venue_candle_count[static_cast<size_t>(iv)] > kCandleHistory) {
      m.erase(m.lower_bound({iv, INT64_MIN}));
      --s.venue_candle_count[static_cast<size_t>(iv)];
    }
  }
  if (!from_venue) r.seq = next_candle_seq(s, r);
  s.last_publish_seq = ++publish_seq_;
  for (auto* o : observers_) o->on_candle(s, r);
}

BookOptions book_options_for(const Instrument& inst) {
  BookOptions o;
  o.impl = BookImpl::ladder;
  o.tick = inst.tick;
  return o;
}

uint64_t Engine::next_candle_seq(InstrumentState& s, const CandleRecord& r) {
  const auto iv = static_cast<size_t>(r.candle.interval);
  return iv < s.candle_seq.size() ? ++s.candle_seq[iv][r.from_venue ? 1 : 0] : 0;
}

bool carries_preferred(const InstrumentState& s, const CandleRecord& c) {
  const auto iv = static_cast<size_t>(c.candle.interval);
  return c.from_venue || iv >= s.venue_candle_count.size() || s.venue_candle_count[iv] == 0;
}

void Engine::close_venue_candle(InstrumentState& s, CandleRecord& r, int64_t now_us) {
  r.candle.closed = true;
  r.ts_received_us = now_us;
  r.seq = next_candle_seq(s, r);
  s.last_publish_seq = ++publish_seq_;
  for (auto* o : observers_) o->on_candle(s, r);
}

void Engine::close_candles(int64_t now_us) {
  for (auto& p : all_) {
    InstrumentState& s = *p;
    candle_events_.clear();
    s.trade_candles.close_until(now_us, candle_events_);
    emit_trade_candles(s, now_us);
    // Only the latest venue candle of an interval can still be open.
    for (int iv = 0; iv < kCandleIntervals; ++iv) {
      if (s.venue_candle_count[static_cast<size_t>(iv)] == 0) continue;
      auto it = s.venue_candles.lower_bound({iv + 1, INT64_MIN});
      --it;
      if (!it->second.candle.closed && it->second.candle.close_time_us <= now_us) close_venue_candle(s, it->second, now_us);
    }
  }
}

void Engine::overdue_resyncs(int64_t now_mono_ns, std::vector<std::pair<size_t, uint32_t>>& out) {
  for (auto& p : all_) {
    InstrumentState& s = *p;
    // Every book not in sync on a live feed gets a clock: a snapshot-only book does not always
    // get its next snapshot by itself (a lost first push, a venue that pushes only the side
    // that changed, a quiet market), so one that stays unsynced is asked for one too.
    if (!s.has_book || s.in_sync) continue;
    if (s.feed < feed_live_.size() && !feed_live_[s.feed]) {
      s.resync_requested_mono_ns = 0;  // back live: the clock starts again at first sight
      continue;
    }
    if (s.resync_requested_mono_ns == 0) {
      s.resync_requested_mono_ns = now_mono_ns;
      continue;
    }
    if (now_mono_ns - s.resync_requested_mono_ns < kResyncRetryNs) continue;
    s.resync_requested_mono_ns = now_mono_ns;
    ++s.resyncs;
    out.emplace_back(s.feed, s.id);
  }
}

void Engine::set_stale_after(size_t feed, int64_t ms) { feeds_.at(feed).stale_after_ns = ms * 1'000'000; }

void Engine::check_stale(int64_t now_mono_ns) {
  for (size_t f = 0; f < feeds_.size(); ++f) {
    FeedLiveness& l = feeds_[f];
    if (feed_live_[f]) {
      l.not_live_since_mono_ns = 0;
      if (l.stale) set_stale(f, false);
      continue;
    }
    if (l.not_live_since_mono_ns == 0) l.not_live_since_mono_ns = now_mono_ns;
    if (!l.stale && now_mono_ns - l.not_live_since_mono_ns >= l.stale_after_ns) set_stale(f, true);
  }
}

void Engine::set_stale(size_t feed, bool stale) {
  feeds_[feed].stale = stale;
  for (auto* o : observers_) o->on_feed_stale(feed, stale);
  for (auto* s : by_feed_[feed]) {
    if (!s || !s->in_sync) continue;
    if (!stale) {
      publish_book(*s, true, {});  // a snapshot that arrived while the feed was stale
      continue;
    }
    // Cleared, not kept: once the feed is back, only a book from a new snapshot is served.
    // Nothing is asked: the reconnect resubscribes (sequenced) or the next snapshot comes anyway.
    s->in_sync = false;
    s->resync_requested_mono_ns = 0;
    s->book.clear();
    feed_consolidated(*s, true, {});
    for (auto* o : observers_) o->on_book_lost(*s);
  }
}

void Engine::on_raw(size_t feed, RawKind kind, int index, RecvTime t, std::string_view payload) {
  for (auto* o : observers_) o->on_raw(feed, kind, index, t, payload);
}

void Engine::on_stream_down(size_t feed, int stream) {
  // A stream without books (e.g. trades only) loses nothing: resyncing books it never fed
  // would only cost snapshots.
  const auto& slots = by_feed_.at(feed);
  if (const auto& has_books = stream_has_books_[feed];
      has_books && stream >= 0 && !has_books(static_cast<size_t>(stream)))
    return;
  // Which instruments a book stream carried is the venue's business; every sequenced book
  // of the feed is suspect until its next snapshot. Snapshot-only books stay: their next
  // full snapshot replaces them anyway.
  for (auto* s : slots) {
    if (s && s->sequenced && s->in_sync) {
      s->in_sync = false;
      s->resync_requested_mono_ns = 0;  // the reconnect resubscribes: nothing asked yet
      s->book.clear();
      feed_consolidated(*s, true, {});
      for (auto* o : observers_) o->on_book_lost(*s);
    }
  }
}

void Engine::on_state(size_t feed, FeedState state) {
  if (feed < feed_live_.size()) {
    feed_live_[feed] = state == FeedState::live;
    feeds_[feed].state = state;
  }
  for (auto* o : observers_) o->on_feed_state(feed, state);
}

const InstrumentState* Engine::find(std::string_view venue, std::string_view symbol) const {
  if (auto it = by_key_.find(key(venue, symbol)); it != by_key_.end()) return it->second;
  auto it = by_name_.find(key(venue, symbol_key(symbol)));
  return it == by_name_.end() ? nullptr : it->second;
}

const ConsolidatedState* Engine::find_consolidated(std::string_view symbol) const {
  auto it = consolidated_by_symbol_.find(symbol_key(symbol));
  if (it != consolidated_by_symbol_.end()) return &consolidated_[it->second];
  for (const auto& v : feed_venues_) {
    if (const InstrumentState* s = find(v, symbol)) return &consolidated_[s->consolidated];
  }
  return nullptr;
}

const VenueCapabilities* Engine::capabilities(std::string_view venue) const {
  for (size_t i = 0; i < feed_venues_.size(); ++i)
    if (feed_venues_[i] == venue) return &caps_[i];
  return nullptr;
}

}  // namespace mdhub
