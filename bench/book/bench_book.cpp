// Micro benchmarks of the book core: L2 apply per implementation (and a std::map baseline
// under the same rules), top-N reads, decimal parsing, and the consolidated merge. Every
// apply benchmark checks its final state against the stream's reference hash.
#include <benchmark/benchmark.h>
#include <cxxabi.h>
#include <simdjson.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <typeinfo>
#include <vector>

#include "bench/book/delta_stream.hpp"
#include "book/consolidated.hpp"
#include "book/decimal.hpp"
#include "book/l2_book.hpp"

namespace mdhub::bench {
namespace {

constexpr size_t kDeltas = size_t{1} << 18;
constexpr int64_t kTick = 5;

const DeltaStream& stream() {
  static const DeltaStream s = make_stream(20240607, kDeltas);
  return s;
}

// std::map per side under BasicBook's rules: the baseline a map-based book (ccapi's
// design) gives for the same work.
class MapSide {
 public:
  void set(int64_t key, int64_t qty) {
    if (qty == 0) {
      m_.erase(key);
    } else {
      m_.insert_or_assign(key, qty);
    }
  }
  bool empty() const { return m_.empty(); }
  size_t size() const { return m_.size(); }
  detail::Slot best() const { return detail::Slot{m_.begin()->first, m_.begin()->second}; }
  template <class F>
  void for_each(size_t max_levels, F&& f) const {
    for (auto it = m_.begin(); it != m_.end() && max_levels != 0; ++it, --max_levels) f(detail::Slot{it->first, it->second});
  }
  void clear() { m_.clear(); }
  void assign(std::span<const detail::Slot> sorted) {
    m_.clear();
    for (const auto& s : sorted) m_.emplace(s.key, s.qty);
  }

 private:
  std::map<int64_t, int64_t, std::greater<>> m_;  // larger key = better, best first
};

struct MapBook {
  detail::BasicBook<MapSide> b;
  detail::Normalized scratch;
  BookError reset(std::span<const LevelUpdate> l, uint64_t seq) { return b.reset(l, seq, scratch); }
  BookError apply(std::span<const LevelUpdate> l, uint64_t seq, uint64_t prev) { return b.apply(l, seq, prev); }
  template <class F>
  void for_each(Side s, size_t n, F&& f) const { b.for_each(s, n, f); }
  size_t size(Side s) const { return b.size(s); }
  uint64_t seq() const { return b.seq(); }
};

template <class Bk>
uint64_t state_hash(const Bk& b) {
  LevelHasher h;
  for (Side s : {Side::bid, Side::ask}) b.for_each(s, b.size(s), [&](const Level& l) { h.add(s, l); });
  h.add_seq(b.seq());
  return h.value();
}

template <class Bk>
size_t apply_stream(Bk& book, const DeltaStream& s) {
  size_t errors = 0;
  for (const Message& m : s.messages) {
    const BookError e = book.apply(std::span(s.levels.data() + m.begin, m.count), m.seq, m.seq - 1);
    errors += e != BookError::none;
  }
  return errors;
}

template <class Bk>
void run_apply(benchmark::State& state, Bk book) {
  const DeltaStream& s = stream();
  size_t errors = 0;
  for (auto _ : state) {
    state.PauseTiming();
    (void)book.reset(s.snapshot, 1);
    state.ResumeTiming();
    errors += apply_stream(book, s);
    benchmark::ClobberMemory();
  }
  if (errors != 0) state.SkipWithError("the stream produced book errors");
  if (state_hash(book) != s.final_hash) state.SkipWithError("final state differs from the reference");
  const auto items = static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(s.levels.size());
  state.SetItemsProcessed(items);
  state.counters["time_per_delta"] = benchmark::Counter(static_cast<double>(items),
                                                      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_ApplyVector(benchmark::State& state) { run_apply(state, Book(BookOptions{BookImpl::vector, 0, 0})); }
void BM_ApplyLadder(benchmark::State& state) {
  run_apply(state, Book(BookOptions{BookImpl::ladder, kTick, detail::LadderSide::kDefaultMaxSlots}));
}
void BM_ApplyLadderInferredTick(benchmark::State& state) {
  run_apply(state, Book(BookOptions{BookImpl::ladder, 0, detail::LadderSide::kDefaultMaxSlots}));
}
void BM_ApplyStdMap(benchmark::State& state) { run_apply(state, MapBook{}); }
BENCHMARK(BM_ApplyVector)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ApplyLadder)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ApplyLadderInferredTick)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ApplyStdMap)->Unit(benchmark::kMillisecond);

void run_top(benchmark::State& state, BookOptions options) {
  const DeltaStream& s = stream();
  Book book(options);
  (void)book.reset(s.snapshot, 1);
  apply_stream(book, s);
  const auto n = static_cast<size_t>(state.range(0));
  std::vector<Level> out;
  out.reserve(n);
  for (auto _ : state) {
    book.top(Side::bid, n, out);
    benchmark::DoNotOptimize(out.data());
    book.top(Side::ask, n, out);
    benchmark::DoNotOptimize(out.data());
  }
  // One item = one top-N read of one side.
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 2);
}
void BM_TopVector(benchmark::State& state) { run_top(state, BookOptions{BookImpl::vector, 0, 0}); }
void BM_TopLadder(benchmark::State& state) {
  run_top(state, BookOptions{BookImpl::ladder, kTick, detail::LadderSide::kDefaultMaxSlots});
}
BENCHMARK(BM_TopVector)->Arg(10)->Arg(50);
BENCHMARK(BM_TopLadder)->Arg(10)->Arg(50);

void BM_DecimalParse(benchmark::State& state) {
  const std::vector<std::string> texts = {"59252.5",  "0.06865000", "36235.0",   "1e-8",      "1.5E+3",
                                          "0.00012345", "12345.6789", "-0.5",     "3.1415e-2", "100",
                                          "0.1",      "64999.99",   "2.5e1",     "0.00000001"};
  int64_t sum = 0;
  size_t errors = 0;
  for (auto _ : state) {
    for (const std::string& t : texts) {
      auto v = parse_decimal(t, 8);
      if (v) sum += *v; else ++errors;
    }
  }
  benchmark::DoNotOptimize(sum);
  if (errors != 0) state.SkipWithError("parse failed");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(texts.size()));
}
BENCHMARK(BM_DecimalParse);

struct VenueUpdate {
  uint32_t venue;
  LevelUpdate u;
};

struct ConsolidatedInput {
  std::vector<DeltaStream> venues;
  std::vector<VenueUpdate> updates;  // the venues' streams interleaved message by message
};

const ConsolidatedInput& consolidated_input() {
  static const ConsolidatedInput in = [] {
    constexpr size_t kVenues = 5;
    ConsolidatedInput r;
    for (size_t v = 0; v < kVenues; ++v) {
      // Mid prices a few ticks apart, so the venues overlap and at times cross each other.
      const int64_t mid = 5'925'250 + (static_cast<int64_t>(v) - 2) * 3 * kTick;
      r.venues.push_back(make_stream(1000 + v, kDeltas / kVenues, mid, kTick));
    }
    for (size_t m = 0;; ++m) {
      bool any = false;
      for (size_t v = 0; v < kVenues; ++v) {
        const DeltaStream& s = r.venues[v];
        if (m >= s.messages.size()) continue;
        any = true;
        for (uint32_t i = 0; i < s.messages[m].count; ++i)
          r.updates.push_back(VenueUpdate{static_cast<uint32_t>(v), s.levels[s.messages[m].begin + i]});
      }
      if (!any) break;
    }
    return r;
  }();
  return in;
}

void BM_ConsolidatedMerge5Venues(benchmark::State& state) {
  const ConsolidatedInput& in = consolidated_input();
  ConsolidatedBook c(in.venues.size());
  size_t errors = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (size_t v = 0; v < in.venues.size(); ++v) (void)c.reset(v, in.venues[v].snapshot);
    state.ResumeTiming();
    for (const VenueUpdate& vu : in.updates) errors += c.update(vu.venue, vu.u) != BookError::none;
    benchmark::ClobberMemory();
  }
  // Check against a brute-force merge of the venues' final states.
  std::map<int64_t, int64_t, std::greater<>> bids;
  std::map<int64_t, int64_t> asks;
  for (const DeltaStream& s : in.venues) {
    for (auto [p, q] : s.final_bids) bids[p] += q;
    for (auto [p, q] : s.final_asks) asks[p] += q;
  }
  bool same = c.size(Side::bid) == bids.size() && c.size(Side::ask) == asks.size();
  auto it = bids.begin();
  c.for_each(Side::bid, SIZE_MAX, [&](int64_t p, int64_t total, std::span<const VenueQty>) {
    same = same && it != bids.end() && it->first == p && it->second == total;
    if (it != bids.end()) ++it;
  });
  auto ia = asks.begin();
  c.for_each(Side::ask, SIZE_MAX, [&](int64_t p, int64_t total, std::span<const VenueQty>) {
    same = same && ia != asks.end() && ia->first == p && ia->second == total;
    if (ia != asks.end()) ++ia;
  });
  if (errors != 0 || !same) state.SkipWithError("consolidated state differs from the brute-force merge");
  state.counters["crossed_at_end"] = c.crossed() ? 1 : 0;
  const auto items = static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(in.updates.size());
  state.SetItemsProcessed(items);
  state.counters["time_per_update"] = benchmark::Counter(static_cast<double>(items),
                                                       benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_ConsolidatedMerge5Venues)->Unit(benchmark::kMillisecond);

void BM_ConsolidatedTop10(benchmark::State& state) {
  const ConsolidatedInput& in = consolidated_input();
  ConsolidatedBook c(in.venues.size());
  for (size_t v = 0; v < in.venues.size(); ++v) (void)c.reset(v, in.venues[v].snapshot);
  for (const VenueUpdate& vu : in.updates) (void)c.update(vu.venue, vu.u);
  int64_t sink = 0;
  for (auto _ : state) {
    for (Side s : {Side::bid, Side::ask}) {
      c.for_each(s, 10, [&](int64_t p, int64_t total, std::span<const VenueQty> parts) {
        sink += p + total + static_cast<int64_t>(parts.size());
      });
    }
  }
  benchmark::DoNotOptimize(sink);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 2);
}
BENCHMARK(BM_ConsolidatedTop10);

std::string demangle(const char* name) {
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> d(abi::__cxa_demangle(name, nullptr, nullptr, &status), &std::free);
  return status == 0 && d ? std::string(d.get()) : std::string(name);
}

}  // namespace
}  // namespace mdhub::bench

int main(int argc, char** argv) {
  // Which kernel this translation unit's On-Demand front end compiled to (fallback = scalar).
  const char* raw = typeid(simdjson::ondemand::parser).name();
  std::printf("simdjson On-Demand kernel: %s (%s); runtime-dispatched kernel: %s\n",
              mdhub::bench::demangle(raw).c_str(), raw,
              simdjson::get_active_implementation()->name().c_str());
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
