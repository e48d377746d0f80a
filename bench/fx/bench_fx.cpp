// Cost of the cross-currency views on the engine's thread: five BTC books of 1,000 levels a
// side on four venues, in USD, USDT (two), TRY and MXN, and the conversion pairs that price
// them. A subscribed book:fx / premium:fx channel pays market_of + the view + its rendering
// once per publish interval (100 ms by default); an HTTP request pays the same once.
//
//   build/release/bench/fx/mdhub_bench_fx --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "book/decimal.hpp"
#include "src/engine/engine.hpp"
#include "src/fx/market.hpp"
#include "src/fx/views.hpp"

namespace mdhub {
namespace {

constexpr int64_t kLevels = 1000;
constexpr int kPriceScale = 2, kQtyScale = 8;
constexpr int64_t kNowUs = 1'700'000'000'000'000;

/// One instrument: a BTC book of kLevels a side, or a conversion pair's book of 5.
struct Listing {
  size_t feed;
  const char* base;
  const char* quote;
  int64_t mid;  ///< at kPriceScale
};
constexpr const char* kFeeds[] = {"btse", "narkasa", "coinbtr", "bitexbit"};
constexpr Listing kListings[] = {
    {0, "BTC", "USD", 6'000'000},     {0, "BTC", "USDT", 5'999'000}, {0, "USDT", "USD", 100},
    {1, "BTC", "TRY", 195'000'000},   {1, "USDT", "TRY", 3'250},     {2, "BTC", "MXN", 103'200'000},
    {2, "USDT", "MXN", 1'720},        {3, "BTC", "USDT", 6'001'000},
};
void snapshot(Engine& e, size_t feed, uint32_t id, int64_t mid, int64_t step, int64_t levels) {
  ParseOut out;
  for (int64_t i = 0; i < levels; ++i) {
    out.levels.push_back({Side::bid, mid - step * (i + 1), 10'000'000 + i});
    out.levels.push_back({Side::ask, mid + step * (i + 1), 20'000'000 + i});
  }
  BookMsg m;
  m.type = BookMsg::Type::snapshot;
  m.seq = 1;
  m.level_count = static_cast<uint32_t>(out.levels.size());
  Event ev;
  ev.kind = EventKind::book;
  ev.instrument = id;
  ev.recv = {kNowUs * 1000, 1};
  ev.body = m;
  out.events.push_back(ev);
  std::vector<uint32_t> resync;
  e.on_events(feed, out, resync);
  if (!resync.empty()) {
    std::fprintf(stderr, "bench_fx: the engine refused a snapshot\n");
    std::exit(1);
  }
}

struct Market {
  Market() {
    for (const char* f : kFeeds) {
      engine.add_feed(f);
      tables.emplace_back();
    }
    std::vector<std::vector<const Listing*>> by_feed(tables.size());
    for (const Listing& l : kListings) {
      const std::string symbol = std::string(l.base) + "-" + l.quote;
      tables[l.feed].add({kFeeds[l.feed], symbol, symbol, l.base, l.quote, kPriceScale, kQtyScale});
      by_feed[l.feed].push_back(&l);
    }
    for (size_t f = 0; f < tables.size(); ++f) {
      engine.on_instruments(f, tables[f]);
      for (uint32_t id = 0; id < by_feed[f].size(); ++id) {
        const Listing& l = *by_feed[f][id];
        const bool btc = std::string_view(l.base) == "BTC";
        snapshot(engine, f, id, l.mid, btc ? l.mid / 60'000 : 1, btc ? kLevels : 5);
      }
    }
    cfg.max_age_ms = 0;
    statics = fx::static_rates(cfg);
  }
  Engine engine;
  std::deque<InstrumentTable> tables;
  fx::FxConfig cfg;
  std::vector<fx::StaticRate> statics;
};

Market& market() {
  static Market m;
  return m;
}

void BM_FxMarketOf(benchmark::State& state) {
  Market& m = market();
  for (auto _ : state) benchmark::DoNotOptimize(fx::market_of(m.engine, "BTC", 5000, kNowUs));
}
BENCHMARK(BM_FxMarketOf)->Unit(benchmark::kMicrosecond);

// What one book:fx publication computes before diffing, at the argument's depth (entries a
// side): the engine's state copied, the view built and rendered. 100 is the channel's
// default ([fx] channel_depth), 5000 every level (HTTP's bound).
void BM_FxBookInUsd(benchmark::State& state) {
  Market& m = market();
  const auto depth = static_cast<size_t>(state.range(0));
  size_t entries = 0;
  for (auto _ : state) {
    const fx::FxMarket fm = fx::market_of(m.engine, "BTC", depth, kNowUs);
    fx::FxError err;
    const auto b = fx::fx_book(fm, m.cfg, m.statics, "BTC", "USD", depth, err);
    if (!b) state.SkipWithError(err.message.c_str());
    std::string out;
    fx::render_book_fields(out, *b);
    entries = b->bids.size() + b->asks.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["entries"] = static_cast<double>(entries);
}
BENCHMARK(BM_FxBookInUsd)->Arg(100)->Arg(5000)->Unit(benchmark::kMicrosecond);

void BM_PremiumInUsd(benchmark::State& state) {
  Market& m = market();
  const fx::FxMarket fm = fx::market_of(m.engine, "BTC", 1, kNowUs);
  for (auto _ : state) {
    fx::FxError err;
    const auto p = fx::premium(fm, m.cfg, m.statics, "BTC", "USD", err);
    if (!p) state.SkipWithError(err.message.c_str());
    std::string out;
    fx::render_premium_fields(out, *p);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_PremiumInUsd)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace mdhub

BENCHMARK_MAIN();
