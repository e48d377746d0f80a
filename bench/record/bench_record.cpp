// Recorder throughput (raw MB/s through the full path: hand-off ring, writer thread, zstd,
// CRC-32C, write, fdatasync) and read-back rate (records/s), on realistic JSON frames of
// 200 B - 4 KiB: trades, tickers and depth snapshots from a random walk.
#include <benchmark/benchmark.h>
#include <unistd.h>
#include <zstd.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "src/record/crc32c.hpp"
#include "src/record/reader.hpp"
#include "src/record/recorder.hpp"

namespace mdhub::record {
namespace {

// Renders a non-negative fixed-point mantissa, e.g. (6401250, 2) -> "64012.50".
std::string decimal(int64_t mantissa, int scale) {
  char buf[64];
  int64_t div = 1;
  for (int i = 0; i < scale; ++i) div *= 10;
  std::snprintf(buf, sizeof buf, "%lld.%0*lld", static_cast<long long>(mantissa / div), scale,
                static_cast<long long>(mantissa % div));
  return buf;
}

// Appends instead of chaining operator+ (GCC 12 raises a false -Wrestrict on long chains).
std::string cat(std::initializer_list<std::string_view> parts) {
  std::string s;
  for (auto p : parts) s.append(p);
  return s;
}

void level(std::string& s, int l, int64_t price, std::mt19937_64& rng) {
  s.append(l ? ",[\"" : "[\"");
  s.append(decimal(price, 2));
  s.append("\",\"");
  s.append(decimal(static_cast<int64_t>(rng() % 300'000'000), 8));
  s.append("\"]");
}

/// A fixed set of frames, several MiB, so blocks never see the same frame twice.
const std::vector<std::string>& frames() {
  static const std::vector<std::string> f = [] {
    std::mt19937_64 rng(1234);
    std::vector<std::string> out;
    int64_t mid = 6'401'250;  // 64012.50, scale 2
    int64_t trade_id = 900'000'000;
    int64_t ts = 1'700'000'000'000;
    for (int i = 0; i < 8192; ++i) {
      mid += static_cast<int64_t>(rng() % 21) - 10;
      ts += static_cast<int64_t>(rng() % 50);
      std::string s;
      const auto kind = rng() % 10;
      if (kind < 4) {
        s = cat({R"({"topic":"tradeHistoryApi:BTC-USDT","data":[{"symbol":"BTC-USDT","side":")",
                 rng() % 2 ? "BUY" : "SELL", R"(","size":")",
                 decimal(static_cast<int64_t>(rng() % 5'000'000), 8), R"(","price":")",
                 decimal(mid, 2), R"(","tradeId":)", std::to_string(trade_id++),
                 R"(,"timestamp":)", std::to_string(ts), "}]}"});
      } else if (kind < 7) {
        s = cat({R"({"e":"ticker","s":"BTC-USDT","t":)", std::to_string(ts), R"(,"bid":")",
                 decimal(mid - 1, 2), R"(","ask":")", decimal(mid + 1, 2), R"(","last":")",
                 decimal(mid, 2), R"(","open":"63120.00","high":")", decimal(mid + 5000, 2),
                 R"(","low":")", decimal(mid - 7000, 2), R"(","volume":")",
                 decimal(static_cast<int64_t>(rng() % 100'000'000'000), 8),
                 R"(","quoteVolume":")",
                 decimal(static_cast<int64_t>(rng() % 10'000'000'000'000), 4),
                 R"(","changePct":"1.4123","count":)", std::to_string(rng() % 100000), "}"});
      } else {
        const int levels = 10 + static_cast<int>(rng() % 45);
        s = R"({"topic":"update:BTC-USDT_0","data":{"bids":[)";
        for (int l = 0; l < levels; ++l) level(s, l, mid - 1 - l * 5, rng);
        s += R"(],"asks":[)";
        for (int l = 0; l < levels; ++l) level(s, l, mid + 1 + l * 5, rng);
        s += cat({R"(],"seqNum":)", std::to_string(ts * 10), R"(,"prevSeqNum":)",
                  std::to_string(ts * 10 - 1), R"(,"type":"delta","timestamp":)",
                  std::to_string(ts), R"(,"symbol":"BTC-USDT"}})"});
      }
      out.push_back(std::move(s));
    }
    return out;
  }();
  return f;
}

struct BenchDir {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("mdhub-bench-record-" + std::to_string(::getpid()));
  BenchDir() { std::filesystem::remove_all(path); }
  ~BenchDir() { std::filesystem::remove_all(path); }
};

constexpr size_t kBytesPerIteration = 32u << 20;

// Full path: record 32 MiB of frames, then flush() (which waits for compression, write and
// fdatasync). Rates are per second of process CPU time (producer + writer thread together),
// i.e. what one core sustains; the wall time is shown too.
void BM_RecordThroughput(benchmark::State& state) {
  BenchDir dir;
  RecorderOptions o;
  o.dir = dir.path.string();
  o.zstd_level = static_cast<int>(state.range(0));
  o.queue_bytes = 64u << 20;  // holds an iteration: the bench measures the writer, not drops
  Recorder rec(o);
  const auto& f = frames();
  size_t i = 0, bytes = 0, records = 0;
  for (auto _ : state) {
    size_t n = 0;
    while (n < kBytesPerIteration) {
      const std::string& p = f[i++ % f.size()];
      rec.record(0, "btse", RawKind::ws, 0, {static_cast<int64_t>(i), 0}, p);
      n += p.size();
      ++records;
    }
    if (!rec.flush(std::chrono::seconds(60))) state.SkipWithError("flush failed");
    bytes += n;
  }
  rec.close();
  const RecorderStats st = rec.stats();
  if (st.dropped != 0) state.SkipWithError("records dropped");
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.SetItemsProcessed(static_cast<int64_t>(records));
  state.counters["ratio"] = static_cast<double>(st.bytes_in) / static_cast<double>(st.bytes_written);
  state.counters["fsync_us"] = static_cast<double>(st.last_fsync_ns) / 1e3;
}
BENCHMARK(BM_RecordThroughput)
    ->ArgName("zstd_level")
    ->Arg(1)
    ->Arg(-1)
    ->Arg(-3)
    ->Arg(-5)
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);

// Baseline: zstd alone on the same frames, 256 KiB blocks (what the writer's cost is built on).
void BM_ZstdBlock(benchmark::State& state) {
  const auto& f = frames();
  std::string block;
  size_t i = 0;
  while (block.size() < (256u << 10)) block += f[i++];
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, static_cast<int>(state.range(0)));
  std::vector<char> out(ZSTD_compressBound(block.size()));
  size_t z = 0;
  for (auto _ : state) {
    z = ZSTD_compress2(cctx, out.data(), out.size(), block.data(), block.size());
    benchmark::DoNotOptimize(z);
  }
  ZSTD_freeCCtx(cctx);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(block.size()));
  state.counters["ratio"] = static_cast<double>(block.size()) / static_cast<double>(z);
}
BENCHMARK(BM_ZstdBlock)->ArgName("zstd_level")->Arg(1)->Arg(-1)->Arg(-3)->Arg(-5);

// Baseline for the reader: zstd decompression of the same block.
void BM_ZstdBlockDecompress(benchmark::State& state) {
  const auto& f = frames();
  std::string block;
  size_t i = 0;
  while (block.size() < (256u << 10)) block += f[i++];
  std::vector<char> comp(ZSTD_compressBound(block.size()));
  const size_t z = ZSTD_compress(comp.data(), comp.size(), block.data(), block.size(),
                                 static_cast<int>(state.range(0)));
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  std::string out(block.size(), '\0');
  for (auto _ : state) {
    benchmark::DoNotOptimize(ZSTD_decompressDCtx(dctx, out.data(), out.size(), comp.data(), z));
  }
  ZSTD_freeDCtx(dctx);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(block.size()));
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(i));
}
BENCHMARK(BM_ZstdBlockDecompress)->ArgName("zstd_level")->Arg(1)->Arg(-1);

void BM_Crc32c(benchmark::State& state) {
  std::string buf(static_cast<size_t>(state.range(0)), 'x');
  uint32_t c = 0;
  for (auto _ : state) {
    c = crc32c(buf.data(), buf.size(), c);
    benchmark::DoNotOptimize(c);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Crc32c)->Arg(64)->Arg(660)->Arg(64 << 10);

// The network thread's cost per record() call (copy into the ring), writer excluded.
void BM_RecordCall(benchmark::State& state) {
  BenchDir dir;
  RecorderOptions o;
  o.dir = dir.path.string();
  o.queue_bytes = 64u << 20;
  Recorder rec(o);
  const auto& f = frames();
  size_t i = 0, bytes = 0, records = 0;
  for (auto _ : state) {
    size_t n = 0;
    while (n < (4u << 20)) {
      const std::string& p = f[i++ % f.size()];
      rec.record(0, "btse", RawKind::ws, 0, {static_cast<int64_t>(i), 0}, p);
      n += p.size();
      ++records;
    }
    state.PauseTiming();
    rec.flush(std::chrono::seconds(60));
    state.ResumeTiming();
    bytes += n;
  }
  rec.close();
  if (rec.stats().dropped != 0) state.SkipWithError("records dropped");
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.SetItemsProcessed(static_cast<int64_t>(records));
}
// Fixed iterations: each one also waits (untimed) for the writer to empty the queue.
BENCHMARK(BM_RecordCall)->Iterations(50)->Unit(benchmark::kMicrosecond);

// Read-back of a 200k-record recording (about 130 MB of frames) written at a zstd level.
void BM_ReadBack(benchmark::State& state) {
  BenchDir dir;
  const auto& f = frames();
  constexpr size_t kRecords = 200'000;
  {
    RecorderOptions o;
    o.dir = dir.path.string();
    o.zstd_level = static_cast<int>(state.range(1));
    o.queue_bytes = 64u << 20;
    Recorder rec(o);
    for (size_t i = 0; i < kRecords; ++i) {
      while (!rec.record(0, "btse", RawKind::ws, 0, {static_cast<int64_t>(i), 0}, f[i % f.size()]))
        rec.flush();
    }
  }
  const bool verify = state.range(0) != 0;
  size_t records = 0, bytes = 0;
  for (auto _ : state) {
    ReaderOptions ro;
    ro.verify_records = verify;
    RecordingReader reader(ro);
    if (!reader.open(dir.path.string())) state.SkipWithError("open failed");
    Record r;
    size_t n = 0;
    while (reader.next(r)) {
      bytes += r.payload.size();
      ++n;
    }
    if (n != kRecords || !reader.issues().empty()) state.SkipWithError("read back differs");
    records += n;
  }
  state.SetItemsProcessed(static_cast<int64_t>(records));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_ReadBack)
    ->ArgNames({"verify", "zstd_level"})
    ->Args({1, 1})
    ->Args({0, 1})
    ->Args({1, -1})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mdhub::record

BENCHMARK_MAIN();
