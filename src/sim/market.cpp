#include "src/sim/market.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>
#include <stdexcept>
#include <string_view>

#include "book/decimal.hpp"

namespace mdhub::sim {
namespace {

constexpr int64_t kWalkStepUs = 100'000;  // the asset walks move every 100 ms of virtual time
constexpr int64_t kMinuteUs = 60'000'000;
constexpr size_t kHistoryMinutes = 1440;  // synthetic history: the day before the start
constexpr size_t kMaxMinutes = 3000;      // kept minute candles (about two days)
constexpr size_t kMaxTrades = 1000;
constexpr int64_t kMaxI64 = std::numeric_limits<int64_t>::max();
// Level spacing unit: books span about 1 % of the price over their 50+ levels, and the
// spread is a few bps, so venues' small disagreements only sometimes cross.
constexpr double kGridBps = 1.0;
constexpr int64_t kMinStepUs = 20'000, kMaxStepUs = 100'000;

// USD value of one unit. Crypto assets walk; fiat rates are fixed so that cross-venue
// differences come only from the venues' own noise.
struct AssetDef {
  std::string_view code;
  double usd;
  double vol;     // log-return std-dev per walk step
  double revert;  // pull towards the start value per step (keeps long runs in range)
};
constexpr AssetDef kAssets[] = {
    {"BTC", 60000.0, 0.00006, 1e-6},
    {"ETH", 3000.0, 0.00008, 1e-6},
    {"USDT", 1.0002, 0.000005, 0.02},
    {"USDC", 0.9999, 0.000005, 0.02},
};
constexpr std::pair<std::string_view, double> kFiat[] = {
    {"USD", 1.0}, {"EUR", 1.08}, {"TRY", 1.0 / 32.5}, {"MXN", 1.0 / 17.2}, {"UAH", 1.0 / 41.3}, {"SEK", 1.0 / 10.6},
};

uint64_t fnv1a(std::string_view s, uint64_t h = 1469598103934665603ULL) {
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

std::mt19937_64 make_rng(uint64_t seed, uint64_t salt) {
  std::seed_seq seq{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
                    static_cast<uint32_t>(salt), static_cast<uint32_t>(salt >> 32)};
  return std::mt19937_64(seq);
}

struct Walk {
  double base_log = 0, log = 0, vol = 0, revert = 0;
  int64_t steps = 0;
  std::mt19937_64 rng;
  std::normal_distribution<double> normal{0.0, 1.0};

  double at(int64_t t_us) {
    const int64_t target = t_us / kWalkStepUs;
    for (; steps < target; ++steps) log += revert * (base_log - log) + vol * normal(rng);
    return std::exp(log);
  }
};

struct Touch {
  Side side;
  int64_t price;
  int64_t orig;
};

struct Inst {
  InstrumentSpec spec;
  Book book;
  std::mt19937_64 rng;
  int base_asset = -1, quote_asset = -1;  // index into walks, or -1 for fiat
  double base_fiat = 1, quote_fiat = 1;
  double bias_bps = 0, noise_bps = 0;
  int64_t grid = 1;          // level spacing unit (mantissa, multiple of tick)
  double typical_units = 1;  // typical level size in base units
  int64_t next_trade_id = 1;
  int64_t last_wall_us = 0;
  std::vector<Trade> trades;
  std::vector<Candle> minutes;
};

template <class V>
void keep_last(V& v, size_t cap) {
  if (v.size() > 2 * cap) v.erase(v.begin(), v.end() - static_cast<std::ptrdiff_t>(cap));
}

template <class V>
std::span<const typename V::value_type> last_span(const V& v, size_t cap) {
  const size_t n = std::min(v.size(), cap);
  return {v.data() + (v.size() - n), n};
}

}  // namespace

struct Market::Impl {
  std::vector<Walk> walks;
  std::vector<Inst> insts;
  using Due = std::pair<int64_t, uint32_t>;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> queue;
  int64_t min_step_us = kMinStepUs, max_step_us = kMaxStepUs;  ///< gap between one instrument's steps
  std::vector<Touch> touched;
  std::vector<LevelUpdate> updates;
  std::vector<int64_t> prev_qty;
  std::vector<Trade> step_trades;
  std::normal_distribution<double> normal{0.0, 1.0};
  std::uniform_real_distribution<double> unit{0.0, 1.0};

  // ---- prices and sizes -------------------------------------------------------------
  double usd(int asset, double fiat, int64_t t) { return asset < 0 ? fiat : walks[static_cast<size_t>(asset)].at(t); }

  double fair_mantissa(Inst& in, int64_t t) {
    const double px = usd(in.base_asset, in.base_fiat, t) / usd(in.quote_asset, in.quote_fiat, t);
    return px * (1 + (in.bias_bps + in.noise_bps) / 1e4) *
           static_cast<double>(pow10(in.spec.price_scale));
  }

  static int64_t to_tick(const Inst& in, double m) {
    return std::max<int64_t>(1, std::llround(m / static_cast<double>(in.spec.tick))) * in.spec.tick;
  }

  int64_t random_qty(Inst& in) {
    const double units = in.typical_units * std::exp(0.8 * normal(in.rng));
    const double m = units * static_cast<double>(pow10(in.spec.qty_scale)) / static_cast<double>(in.spec.lot);
    return std::max<int64_t>(1, std::llround(m)) * in.spec.lot;
  }

  int64_t gap(Inst& in) {
    return in.grid * std::uniform_int_distribution<int64_t>(1, 3)(in.rng);
  }

  // Geometric index from the top: most activity happens near the best prices.
  size_t near_top(Inst& in, size_t n) {
    const auto k = static_cast<size_t>(std::geometric_distribution<int>(0.3)(in.rng));
    return std::min(k, n - 1);
  }

  // ---- level changes, recording what each step touched ------------------------------
  int64_t qty_at(const Inst& in, Side s, int64_t price) const {
    if (s == Side::bid) {
      auto it = in.book.bids.find(price);
      return it == in.book.bids.end() ? 0 : it->second;
    }
    auto it = in.book.asks.find(price);
    return it == in.book.asks.end() ? 0 : it->second;
  }

  void set(Inst& in, Side s, int64_t price, int64_t qty) {
    bool seen = false;
    for (const auto& t : touched) seen = seen || (t.side == s && t.price == price);
    if (!seen) touched.push_back({s, price, qty_at(in, s, price)});
    if (s == Side::bid) {
      if (qty > 0) in.book.bids[price] = qty;
      else in.book.bids.erase(price);
    } else {
      if (qty > 0) in.book.asks[price] = qty;
      else in.book.asks.erase(price);
    }
  }

  // Aggressor `side` (+1 buy) takes up to `want` from the opposite side, level by level,
  // never beyond `limit` (price) and at most `max_levels` levels.
  template <class M>
  void take(Inst& in, M& levels, Side book_side, int8_t side, int64_t want, int64_t limit,
            int max_levels, int64_t wall_us) {
    while (want > 0 && max_levels-- > 0 && !levels.empty()) {
      const auto [price, qty] = *levels.begin();
      if (side > 0 ? price > limit : price < limit) break;
      const int64_t fill = std::min(qty, want);
      step_trades.push_back({in.next_trade_id++, price, fill, side, wall_us});
      want -= fill;
      set(in, book_side, price, qty - fill);
    }
  }

  void take_from(Inst& in, int8_t side, int64_t want, int64_t limit, int max_levels, int64_t wall_us) {
    if (side > 0) take(in, in.book.asks, Side::ask, side, want, limit, max_levels, wall_us);
    else take(in, in.book.bids, Side::bid, side, want, limit, max_levels, wall_us);
  }

  // Adds size at `price` (creating the level), refusing anything that would cross.
  void add(Inst& in, Side s, int64_t price, int64_t qty) {
    if (price <= 0) return;
    if (s == Side::bid && !in.book.asks.empty() && price >= in.book.asks.begin()->first) return;
    if (s == Side::ask && !in.book.bids.empty() && price <= in.book.bids.begin()->first) return;
    set(in, s, price, qty_at(in, s, price) + qty);
  }

  void refill_and_trim(Inst& in) {
    const auto& sp = in.spec;
    while (in.book.bids.size() < sp.min_levels) {
      const int64_t p = in.book.bids.empty() ? (in.book.asks.empty() ? in.grid : in.book.asks.begin()->first - in.grid)
                                             : std::prev(in.book.bids.end())->first - gap(in);
      if (p <= 0) break;
      set(in, Side::bid, p, random_qty(in));
    }
    while (in.book.asks.size() < sp.min_levels) {
      const int64_t p = in.book.asks.empty() ? (in.book.bids.empty() ? in.grid : in.book.bids.begin()->first + in.grid)
                                             : std::prev(in.book.asks.end())->first + gap(in);
      set(in, Side::ask, p, random_qty(in));
    }
    while (in.book.bids.size() > sp.max_levels) set(in, Side::bid, std::prev(in.book.bids.end())->first, 0);
    while (in.book.asks.size() > sp.max_levels) set(in, Side::ask, std::prev(in.book.asks.end())->first, 0);
  }

  void random_action(Inst& in, int64_t fair, int64_t wall_us) {
    const double u = unit(in.rng);
    const bool bid = unit(in.rng) < 0.5;
    const Side s = bid ? Side::bid : Side::ask;
    const size_t n = bid ? in.book.bids.size() : in.book.asks.size();
    if (n == 0) return;
    if (u < 0.22) {  // a market order of random size: mostly part of the top level
      const int8_t aggressor = bid ? -1 : 1;  // a seller hits the bids
      const int64_t top = bid ? in.book.bids.begin()->second : in.book.asks.begin()->second;
      int64_t want = std::max<int64_t>(in.spec.lot, (top / in.spec.lot) * in.spec.lot * 
                                       std::uniform_int_distribution<int64_t>(1, 10)(in.rng) / 10);
      if (unit(in.rng) < 0.15) want += random_qty(in);  // sometimes walks the book
      take_from(in, aggressor, want, aggressor > 0 ? kMaxI64 : 0, 3, wall_us);
    } else if (u < 0.55) {  // a new order: inside the spread or a few levels deep
      const int64_t best_bid = in.book.bids.empty() ? fair - in.grid : in.book.bids.begin()->first;
      const int64_t best_ask = in.book.asks.empty() ? fair + in.grid : in.book.asks.begin()->first;
      const auto k = static_cast<int64_t>(std::geometric_distribution<int>(0.35)(in.rng));
      const int64_t off = k * in.grid + std::uniform_int_distribution<int64_t>(0, in.grid / in.spec.tick)(in.rng) * in.spec.tick;
      const int64_t p = bid ? std::min(best_bid + in.grid, fair) - off : std::max(best_ask - in.grid, fair) + off;
      add(in, s, to_tick(in, static_cast<double>(p)), random_qty(in));
    } else if (u < 0.85) {  // an existing level changes size
      const size_t i = near_top(in, n);
      const int64_t price = bid ? std::next(in.book.bids.begin(), static_cast<std::ptrdiff_t>(i))->first
                                : std::next(in.book.asks.begin(), static_cast<std::ptrdiff_t>(i))->first;
      set(in, s, price, random_qty(in));
    } else {  // a level is cancelled
      const size_t i = near_top(in, n);
      const int64_t price = bid ? std::next(in.book.bids.begin(), static_cast<std::ptrdiff_t>(i))->first
                                : std::next(in.book.asks.begin(), static_cast<std::ptrdiff_t>(i))->first;
      set(in, s, price, 0);
    }
  }

  void step(Inst& in, int64_t t, int64_t wall_us) {
    in.noise_bps = 0.95 * in.noise_bps + 0.15 * normal(in.rng);
    const int64_t fair = to_tick(in, fair_mantissa(in, t));
    roll_minutes(in, wall_us);
    // The fair price moved through the book: the stale side gets taken.
    if (!in.book.asks.empty() && in.book.asks.begin()->first < fair - in.grid)
      take_from(in, 1, kMaxI64, fair - in.grid, 6, wall_us);
    if (!in.book.bids.empty() && in.book.bids.begin()->first > fair + in.grid)
      take_from(in, -1, kMaxI64, fair + in.grid, 6, wall_us);
    random_action(in, fair, wall_us);
    // A wide spread attracts liquidity near the fair price.
    if (!in.book.bids.empty() && !in.book.asks.empty() &&
        in.book.asks.begin()->first - in.book.bids.begin()->first > 6 * in.grid) {
      const bool bid = unit(in.rng) < 0.5;
      const int64_t p = to_tick(in, static_cast<double>(bid ? fair - in.grid / 2 : fair + in.grid / 2));
      add(in, bid ? Side::bid : Side::ask, p, random_qty(in));
    }
    refill_and_trim(in);
    for (const auto& tr : step_trades) record_trade(in, tr);
    in.last_wall_us = wall_us;
  }

  // ---- candles ------------------------------------------------------------------------
  void roll_minutes(Inst& in, int64_t wall_us) {
    const int64_t bucket = wall_us - wall_us % kMinuteUs;
    if (in.minutes.empty()) {
      in.minutes.push_back({bucket, 0, 0, 0, 0, 0, 0, 0});
      return;
    }
    const int64_t last_open = in.minutes.back().open_time_us;
    if (bucket <= last_open) return;
    // Minutes without trades are flat candles at the last close; a long stall fills at most
    // the kept window.
    const int64_t close = in.minutes.back().close;
    int64_t from = std::max(last_open + kMinuteUs, bucket - static_cast<int64_t>(kMaxMinutes - 1) * kMinuteUs);
    for (int64_t m = from; m <= bucket; m += kMinuteUs) in.minutes.push_back({m, close, close, close, close, 0, 0, 0});
    keep_last(in.minutes, kMaxMinutes);
  }

  static void record_trade(Inst& in, const Trade& tr) {
    in.trades.push_back(tr);
    keep_last(in.trades, kMaxTrades);
    Candle& c = in.minutes.back();
    if (c.trades == 0) c.open = c.high = c.low = tr.price;  // a minute opens at its first trade
    c.high = std::max(c.high, tr.price);
    c.low = std::min(c.low, tr.price);
    c.close = tr.price;
    c.volume += tr.qty;
    c.quote_volume += tr.price * tr.qty;
    ++c.trades;
  }

  // A plausible previous day ending at the opening fair price, so that tickers and candle
  // endpoints have content from the first second.
  void synthesize_history(Inst& in, int64_t start_wall_us) {
    const int64_t fair0 = to_tick(in, fair_mantissa(in, 0));
    std::vector<double> closes(kHistoryMinutes);
    double p = static_cast<double>(fair0);
    for (size_t i = kHistoryMinutes; i-- > 0;) {
      closes[i] = p;
      p *= std::exp(0.0008 * normal(in.rng));
    }
    const int64_t first = start_wall_us - start_wall_us % kMinuteUs - static_cast<int64_t>(kHistoryMinutes) * kMinuteUs;
    double prev = p;
    for (size_t i = 0; i < kHistoryMinutes; ++i) {
      Candle c;
      c.open_time_us = first + static_cast<int64_t>(i) * kMinuteUs;
      c.open = to_tick(in, prev);
      c.close = to_tick(in, closes[i]);
      c.high = to_tick(in, static_cast<double>(std::max(c.open, c.close)) * (1 + 0.0003 * std::abs(normal(in.rng))));
      c.low = to_tick(in, static_cast<double>(std::min(c.open, c.close)) * (1 - 0.0003 * std::abs(normal(in.rng))));
      c.trades = std::uniform_int_distribution<int64_t>(1, 40)(in.rng);
      for (int64_t k = 0; k < std::min<int64_t>(c.trades, 4); ++k) c.volume += random_qty(in);
      c.quote_volume = c.volume * c.close;
      in.minutes.push_back(c);
      prev = closes[i];
    }
  }

  void build_initial_book(Inst& in) {
    const int64_t fair = to_tick(in, fair_mantissa(in, 0));
    int64_t bid = fair - std::max(in.spec.tick, in.grid / 2);
    int64_t ask = fair + std::max(in.spec.tick, in.grid / 2);
    const size_t n = std::min(in.spec.max_levels, in.spec.min_levels + 10);
    for (size_t i = 0; i < n && bid > 0; ++i, bid -= gap(in)) in.book.bids[bid] = random_qty(in);
    for (size_t i = 0; i < n; ++i, ask += gap(in)) in.book.asks[ask] = random_qty(in);
  }
};

Market::Market(uint64_t seed, std::vector<InstrumentSpec> specs, int64_t start_wall_us)
    : impl_(std::make_unique<Impl>()) {
  auto& m = *impl_;
  for (size_t i = 0; i < std::size(kAssets); ++i) {
    Walk w;
    w.base_log = w.log = std::log(kAssets[i].usd);
    w.vol = kAssets[i].vol;
    w.revert = kAssets[i].revert;
    w.rng = make_rng(seed, fnv1a(kAssets[i].code));
    m.walks.push_back(std::move(w));
  }
  auto resolve = [](std::string_view code, int& asset, double& fiat) {
    for (size_t i = 0; i < std::size(kAssets); ++i)
      if (kAssets[i].code == code) {
        asset = static_cast<int>(i);
        return;
      }
    for (const auto& [c, usd] : kFiat)
      if (c == code) {
        fiat = usd;
        return;
      }
    throw std::invalid_argument("simulated market: unknown currency " + std::string(code));
  };
  for (auto& spec : specs) {
    if (spec.tick <= 0 || spec.lot <= 0 || spec.min_levels == 0 || spec.max_levels < spec.min_levels)
      throw std::invalid_argument("simulated market: bad instrument spec " + spec.venue + " " + spec.symbol);
    Inst in;
    in.rng = make_rng(seed, fnv1a(spec.symbol, fnv1a(spec.venue)));
    resolve(spec.base, in.base_asset, in.base_fiat);
    resolve(spec.quote, in.quote_asset, in.quote_fiat);
    in.spec = std::move(spec);
    in.bias_bps = std::uniform_real_distribution<double>(-0.6, 0.6)(in.rng);
    const double fair = m.fair_mantissa(in, 0);
    in.grid = std::max<int64_t>(1, std::llround(fair * kGridBps * 1e-4 / static_cast<double>(in.spec.tick))) * in.spec.tick;
    in.typical_units = 5000.0 / m.usd(in.base_asset, in.base_fiat, 0);
    in.next_trade_id = std::uniform_int_distribution<int64_t>(1'000'000, 9'000'000)(in.rng);
    in.last_wall_us = start_wall_us;
    m.synthesize_history(in, start_wall_us);
    m.build_initial_book(in);
    m.insts.push_back(std::move(in));
  }
  for (uint32_t i = 0; i < m.insts.size(); ++i)
    m.queue.emplace(std::uniform_int_distribution<int64_t>(0, kMaxStepUs)(m.insts[i].rng), i);
}

Market::~Market() = default;

size_t Market::size() const { return impl_->insts.size(); }
const InstrumentSpec& Market::spec(uint32_t id) const { return impl_->insts[id].spec; }
const Book& Market::book(uint32_t id) const { return impl_->insts[id].book; }
std::span<const Trade> Market::trades(uint32_t id) const { return last_span(impl_->insts[id].trades, kMaxTrades); }
std::span<const Candle> Market::minute_candles(uint32_t id) const {
  return last_span(impl_->insts[id].minutes, kMaxMinutes);
}

std::vector<Candle> Market::candles(uint32_t id, int64_t interval_s, int64_t from_us, int64_t to_us,
                                    size_t limit) const {
  std::vector<Candle> out;
  const int64_t len = std::max<int64_t>(60, interval_s) * 1'000'000;
  for (const Candle& m : minute_candles(id)) {
    const int64_t open = m.open_time_us - m.open_time_us % len;
    if (out.empty() || out.back().open_time_us != open) {
      out.push_back(m);
      out.back().open_time_us = open;
      continue;
    }
    Candle& c = out.back();
    c.high = std::max(c.high, m.high);
    c.low = std::min(c.low, m.low);
    c.close = m.close;
    c.volume += m.volume;
    c.quote_volume += m.quote_volume;
    c.trades += m.trades;
  }
  std::erase_if(out, [&](const Candle& c) { return c.open_time_us < from_us || c.open_time_us > to_us; });
  if (out.size() > limit) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(limit));
  return out;
}

Stats Market::stats(uint32_t id) const {
  const Inst& in = impl_->insts[id];
  Stats s;
  // The window ends at the instrument's last step, so a paused market's stats stay frozen.
  s.open_time_us = in.last_wall_us - 24 * 60 * kMinuteUs;
  bool first = true;
  for (const Candle& c : last_span(in.minutes, kMaxMinutes)) {
    if (c.open_time_us < s.open_time_us || c.open == 0) continue;
    if (first) {
      s.open = c.open;
      s.high = c.high;
      s.low = c.low;
      first = false;
    }
    s.high = std::max(s.high, c.high);
    s.low = std::min(s.low, c.low);
    s.last = c.close;
    s.volume += c.volume;
    s.quote_volume += c.quote_volume;
    s.trades += c.trades;
  }
  return s;
}

void Market::set_rate(double steps_per_s) {
  auto& m = *impl_;
  if (!(steps_per_s > 0)) {
    m.min_step_us = kMinStepUs;
    m.max_step_us = kMaxStepUs;
    return;
  }
  const double mean = static_cast<double>(m.insts.size()) * 1e6 / steps_per_s;
  m.min_step_us = std::max<int64_t>(1, std::llround(mean * 0.5));
  m.max_step_us = std::max<int64_t>(m.min_step_us, std::llround(mean * 1.5));
}

int64_t Market::next_due_us() const { return impl_->queue.empty() ? kMaxI64 : impl_->queue.top().first; }

void Market::advance(int64_t t_us, int64_t wall_us, const std::function<void(const Step&)>& sink) {
  auto& m = *impl_;
  // Bounded per call so a long stall cannot monopolise the io_context.
  for (int budget = 10000; budget > 0 && !m.queue.empty() && m.queue.top().first <= t_us; --budget) {
    const auto [due, id] = m.queue.top();
    m.queue.pop();
    Inst& in = m.insts[id];
    m.touched.clear();
    m.updates.clear();
    m.prev_qty.clear();
    m.step_trades.clear();
    m.step(in, due, wall_us);
    for (const auto& t : m.touched) {
      const int64_t q = m.qty_at(in, t.side, t.price);
      if (q == t.orig) continue;
      m.updates.push_back({t.side, t.price, q});
      m.prev_qty.push_back(t.orig);
    }
    m.queue.emplace(due + std::uniform_int_distribution<int64_t>(m.min_step_us, m.max_step_us)(in.rng), id);
    if (sink) sink(Step{id, wall_us, m.updates, m.step_trades, m.prev_qty});
  }
}

}  // namespace mdhub::sim

namespace mdhub::sim {

BookHistory::BookHistory(uint64_t seq, int64_t ts_us, size_t max_seqs)
    : last_(seq), first_ts_us_(ts_us), max_seqs_(std::max<size_t>(1, max_seqs)) {}

void BookHistory::record(int64_t ts_us, std::span<const LevelUpdate> updates, std::span<const int64_t> prev_qty) {
  for (size_t i = 0; i < updates.size(); ++i) {
    const LevelUpdate& u = updates[i];
    undo_.push_back({u.side == Side::ask ? -u.price : u.price, i < prev_qty.size() ? prev_qty[i] : 0});
  }
  marks_.push_back({ts_us, static_cast<uint32_t>(updates.size())});
  ++last_;
  if (marks_.size() > max_seqs_) {
    first_ts_us_ = marks_.front().ts_us;
    undo_.erase(undo_.begin(), undo_.begin() + marks_.front().changes);
    marks_.pop_front();
  }
}

int64_t BookHistory::ts_us(uint64_t seq) const {
  if (seq <= first() || seq > last_) return first_ts_us_;
  return marks_[static_cast<size_t>(seq - first() - 1)].ts_us;
}

bool BookHistory::rollback(Book& book, uint64_t seq) const {
  if (seq < first() || seq > last_) return false;
  size_t u = undo_.size();
  // Newest first, so a level changed by several sequence numbers ends at its oldest size.
  for (size_t m = marks_.size(); m-- > static_cast<size_t>(seq - first());) {
    for (uint32_t c = 0; c < marks_[m].changes; ++c) {
      const Undo& x = undo_[--u];
      if (x.price < 0) {
        if (x.prev_qty > 0) book.asks[-x.price] = x.prev_qty;
        else book.asks.erase(-x.price);
      } else {
        if (x.prev_qty > 0) book.bids[x.price] = x.prev_qty;
        else book.bids.erase(x.price);
      }
    }
  }
  return true;
}

}  // namespace mdhub::sim
