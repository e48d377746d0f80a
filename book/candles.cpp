#include "book/candles.hpp"

#include <algorithm>
#include <limits>

namespace mdhub {
namespace {

constexpr int64_t kMaxTs = int64_t{1} << 62;

int64_t bucket_of(int64_t ts, int64_t len) { return ts - ts % len; }  // ts >= 0

void merge_trade(Candle& c, int64_t price, int64_t qty, int64_t ts) {
  if (c.trades == 0) {  // new or flat: the trade defines it
    c.open = c.high = c.low = c.close = price;
    c.volume = qty;
    c.first_trade_us = c.last_trade_us = ts;
    c.trades = 1;
    return;
  }
  c.high = std::max(c.high, price);
  c.low = std::min(c.low, price);
  if (ts < c.first_trade_us) {
    c.open = price;
    c.first_trade_us = ts;
  }
  if (ts >= c.last_trade_us) {
    c.close = price;
    c.last_trade_us = ts;
  }
  if (__builtin_add_overflow(c.volume, qty, &c.volume)) c.volume = std::numeric_limits<int64_t>::max();
  if (c.trades != std::numeric_limits<uint32_t>::max()) ++c.trades;
}

}  // namespace

CandleBuilder::CandleBuilder(std::span<const int64_t> interval_seconds, size_t history)
    : history_(std::max<size_t>(history, 1)) {
  for (int64_t sec : interval_seconds) {
    if (series_.size() == 255) break;  // events carry the index in a uint8_t
    Series s;
    // Clamped so that bucket arithmetic on valid timestamps cannot overflow.
    s.len_us = std::clamp<int64_t>(sec, 1, int64_t{1} << 40) * 1'000'000;
    // The ring grows as candles close (up to history_): an instrument that never trades
    // costs nothing, and a venue with hundreds of markets does not pay 9 x history up front.
    series_.push_back(std::move(s));
  }
}

const Candle* CandleBuilder::current(size_t interval) const {
  const Series& s = series_[interval];
  return s.has_cur ? &s.cur : nullptr;
}

const Candle& CandleBuilder::history(size_t interval, size_t i) const {
  const Series& s = series_[interval];
  return s.ring[(s.head + i) % s.ring.size()];
}

const Candle& CandleBuilder::newest_closed(const Series& s) const {
  return s.ring[(s.head + s.count - 1) % s.ring.size()];
}

void CandleBuilder::last(size_t interval, size_t n, std::vector<Candle>& out) const {
  out.clear();
  const Series& s = series_[interval];
  const size_t want_closed = std::min(s.count, n - std::min<size_t>(n, s.has_cur ? 1 : 0));
  for (size_t i = s.count - want_closed; i < s.count; ++i) out.push_back(history(interval, i));
  if (s.has_cur && n != 0) out.push_back(s.cur);
}

void CandleBuilder::push_closed(Series& s, uint8_t idx, const Candle& c,
                                std::vector<CandleEvent>& out) {
  Candle closed = c;
  closed.closed = true;
  if (s.count < history_) {
    s.ring.push_back(closed);  // head stays 0 until the ring is full
    ++s.count;
  } else {
    s.ring[s.head] = closed;
    s.head = (s.head + 1) % s.ring.size();
  }
  s.next_open = c.open_time_us + s.len_us;
  out.push_back(CandleEvent{idx, CandleChange::closed, closed});
}

void CandleBuilder::fill_flat(Series& s, uint8_t idx, int64_t from_open, int64_t count,
                              std::vector<CandleEvent>& out) {
  if (count <= 0) return;
  // Only the last `history` candles can be kept; older fills would be evicted at once.
  const auto cap = static_cast<int64_t>(history_);
  if (count > cap) {
    from_open += (count - cap) * s.len_us;
    count = cap;
  }
  const int64_t price = newest_closed(s).close;
  for (int64_t k = 0; k < count; ++k) {
    Candle f;
    f.open_time_us = from_open + k * s.len_us;
    f.open = f.high = f.low = f.close = price;
    f.first_trade_us = f.last_trade_us = f.open_time_us;
    push_closed(s, idx, f, out);
  }
}

TradeResult CandleBuilder::on_trade(int64_t price, int64_t qty, int64_t ts_us,
                                    std::vector<CandleEvent>& out) {
  if (price <= 0 || qty < 0 || ts_us < 0 || ts_us > kMaxTs) {
    ++rejected_;
    return TradeResult::rejected;
  }
  TradeResult result = TradeResult::ok;
  for (size_t i = 0; i < series_.size(); ++i) {
    Series& s = series_[i];
    const auto idx = static_cast<uint8_t>(i);
    const int64_t b = bucket_of(ts_us, s.len_us);
    if (s.has_cur && b == s.cur.open_time_us) {
      merge_trade(s.cur, price, qty, ts_us);
      out.push_back(CandleEvent{idx, CandleChange::updated, s.cur});
      continue;
    }
    // The first bucket not yet closed: trades before it are late.
    const int64_t open_from = s.has_cur ? s.cur.open_time_us : s.next_open;
    if (!s.started || b > open_from) {
      if (s.has_cur) {
        push_closed(s, idx, s.cur, out);
        s.has_cur = false;
      }
      if (s.started) fill_flat(s, idx, s.next_open, (b - s.next_open) / s.len_us, out);
      s.cur = Candle{};
      s.cur.open_time_us = b;
      merge_trade(s.cur, price, qty, ts_us);
      s.has_cur = true;
      s.started = true;
      out.push_back(CandleEvent{idx, CandleChange::updated, s.cur});
      continue;
    }
    if (!s.has_cur && b == open_from) {  // the bucket right after the newest closed one
      s.cur = Candle{};
      s.cur.open_time_us = b;
      merge_trade(s.cur, price, qty, ts_us);
      s.has_cur = true;
      out.push_back(CandleEvent{idx, CandleChange::updated, s.cur});
      continue;
    }
    // Late: revise a closed candle if the history still holds it.
    const int64_t oldest = s.count != 0 ? history(i, 0).open_time_us : open_from;
    if (s.count == 0 || b < oldest) {
      ++dropped_;
      result = TradeResult::dropped;
      continue;
    }
    const auto k = static_cast<size_t>((b - oldest) / s.len_us);
    Candle& c = s.ring[(s.head + k) % s.ring.size()];
    merge_trade(c, price, qty, ts_us);
    out.push_back(CandleEvent{idx, CandleChange::revised, c});
    if (result == TradeResult::ok) result = TradeResult::revised;
  }
  return result;
}

void CandleBuilder::close_until(int64_t now_us, std::vector<CandleEvent>& out) {
  if (now_us < 0) return;
  now_us = std::min(now_us, kMaxTs);
  for (size_t i = 0; i < series_.size(); ++i) {
    Series& s = series_[i];
    const auto idx = static_cast<uint8_t>(i);
    if (!s.started) continue;
    if (s.has_cur) {
      if (s.cur.open_time_us + s.len_us > now_us) continue;
      push_closed(s, idx, s.cur, out);
      s.has_cur = false;
    }
    // Buckets opening before the one containing now have ended.
    fill_flat(s, idx, s.next_open, (bucket_of(now_us, s.len_us) - s.next_open) / s.len_us, out);
  }
}

}  // namespace mdhub
