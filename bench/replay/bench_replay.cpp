// Replay rate: records per second through `mdhub replay --speed max`'s pipeline, split
// into its two halves so a regression points at one of them:
//   Read            segment files -> blocks decompressed, checksums verified -> records
//   ParseAndApply   records -> venue parsers -> engine (books, trades, candles, consolidated)
//   Replay          both, as `mdhub replay --speed max` runs them (no serving)
// Input: the committed five-venue recording (tests/data/recording-v1), or the directory
// named by MDHUB_BENCH_RECORDING. Items are records; the ratio to the recording's raw
// frames is printed as a counter.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "src/app/replay.hpp"
#include "src/record/reader.hpp"

namespace {

using mdhub::record::Record;
using mdhub::record::RecordingReader;

std::string recording_dir() {
  const char* env = std::getenv("MDHUB_BENCH_RECORDING");
  return env && *env ? env : MDHUB_TEST_DATA "/recording-v1";
}

/// A record with its views re-pointed into owned storage.
struct OwnedRecord {
  Record r;
  std::string venue, payload;
};

const std::vector<OwnedRecord>& records_in_memory() {
  static const std::vector<OwnedRecord> all = [] {
    std::vector<OwnedRecord> out;
    RecordingReader reader;
    if (!reader.open(recording_dir())) return out;
    Record r;
    while (reader.next(r)) out.push_back({r, std::string(r.venue), std::string(r.payload)});
    for (auto& o : out) {
      o.r.venue = o.venue;
      o.r.payload = o.payload;
    }
    return out;
  }();
  return all;
}

void BM_Read(benchmark::State& state) {
  uint64_t n = 0, bytes = 0;
  for (auto _ : state) {
    RecordingReader reader;
    if (!reader.open(recording_dir())) {
      state.SkipWithError("cannot open the recording");
      return;
    }
    Record r;
    while (reader.next(r)) {
      ++n;
      bytes += r.payload.size();
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(n));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_Read)->Unit(benchmark::kMillisecond);

void BM_ParseAndApply(benchmark::State& state) {
  const auto& recs = records_in_memory();
  if (recs.empty()) {
    state.SkipWithError("cannot open the recording");
    return;
  }
  uint64_t n = 0, raw = 0;
  for (auto _ : state) {
    state.PauseTiming();
    {
      mdhub::Engine engine;
      mdhub::Replayer replayer(engine);
      state.ResumeTiming();
      std::string error;
      for (const auto& o : recs) {
        if (!replayer.apply(o.r, error)) {
          state.SkipWithError(error.c_str());
          return;
        }
      }
      n += replayer.stats().records;
      raw += replayer.stats().raw;
      state.PauseTiming();
    }
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(n));
  state.counters["raw_share"] = n ? static_cast<double>(raw) / static_cast<double>(n) : 0;
}
BENCHMARK(BM_ParseAndApply)->Unit(benchmark::kMillisecond);

void BM_Replay(benchmark::State& state) {
  uint64_t n = 0;
  for (auto _ : state) {
    mdhub::Engine engine;
    mdhub::Replayer replayer(engine);
    RecordingReader reader;
    if (!reader.open(recording_dir())) {
      state.SkipWithError("cannot open the recording");
      return;
    }
    Record r;
    std::string error;
    while (reader.next(r)) {
      if (!replayer.apply(r, error)) {
        state.SkipWithError(error.c_str());
        return;
      }
    }
    n += replayer.stats().records;
  }
  state.SetItemsProcessed(static_cast<int64_t>(n));
}
BENCHMARK(BM_Replay)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
