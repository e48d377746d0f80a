// mdhub's side of the peer comparison (bench/peers/run): writes the seeded one-level-per-
// message stream for every book to read, and times mdhub's book applying it.
//
//   mdhub_bench_peers --write-stream=FILE [--seed=42] [--updates=1000000] [--levels=1000]
//   mdhub_bench_peers --stream=FILE [--book-out=FILE] [--top=1000] [benchmark flags]
//
// The book is the one the engine gives every instrument (a default InstrumentState's), so
// the figure follows the engine's choice of implementation. Every repetition starts from
// the snapshot and applies each update as its own message, as the engine does for a
// level-by-level feed; the final state is checked against the generator's model.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bench/peers/stream_file.hpp"
#include "book/l2_book.hpp"
#include "src/engine/engine.hpp"

namespace mdhub::bench {
namespace {

const char* impl_name(BookImpl impl) { return impl == BookImpl::vector ? "vector" : "ladder"; }

Book engine_book() {
  const InstrumentState state;
  return state.book;
}

/// The book's top `n` levels per side in the stream file's order (bids then asks, best first).
std::vector<LevelUpdate> top_levels(const Book& book, size_t n) {
  std::vector<LevelUpdate> out;
  for (Side s : {Side::bid, Side::ask})
    book.for_each(s, n, [&](const Level& l) { out.push_back(LevelUpdate{s, l.price, l.qty}); });
  return out;
}

std::vector<LevelUpdate> top_of(const std::vector<LevelUpdate>& levels, size_t n) {
  std::vector<LevelUpdate> out;
  size_t per_side[2] = {0, 0};
  for (const auto& u : levels)
    if (per_side[static_cast<size_t>(u.side)]++ < n) out.push_back(u);
  return out;
}

struct Run {
  PeersStream stream;
  std::string book_out;
  size_t top = 1000;
};

void apply_all(Book& book, const std::vector<LevelUpdate>& updates, size_t& errors) {
  uint64_t seq = 1;
  for (const LevelUpdate& u : updates) {
    ++seq;
    errors += book.apply(std::span(&u, 1), seq, seq - 1) != BookError::none;
  }
}

void bm_apply(benchmark::State& state, const Run& run) {
  const PeersStream& s = run.stream;
  Book book = engine_book();
  size_t errors = 0;
  for (auto _ : state) {
    state.PauseTiming();
    errors += book.reset(s.snapshot, 1) != BookError::none;
    state.ResumeTiming();
    apply_all(book, s.updates, errors);
    benchmark::ClobberMemory();
  }
  state.SetLabel(std::string("impl=") + impl_name(book.impl()));
  if (errors != 0) state.SkipWithError("the stream produced book errors");
  const auto got = top_levels(book, run.top);
  if (got != top_of(s.final_book, run.top)) state.SkipWithError("final book differs from the generator's model");
  if (!run.book_out.empty()) {
    std::ofstream f(run.book_out, std::ios::trunc);
    for (const auto& u : got) f << format_level(u) << '\n';
    if (!f.flush()) state.SkipWithError("cannot write the final book");
  }
  const auto items = static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(s.updates.size());
  state.SetItemsProcessed(items);
  state.counters["time_per_update"] =
      benchmark::Counter(static_cast<double>(items), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

bool take(std::string_view arg, std::string_view name, std::string& value) {
  if (!arg.starts_with(name) || arg.size() <= name.size() || arg[name.size()] != '=') return false;
  value = std::string(arg.substr(name.size() + 1));
  return true;
}

bool to_size(const std::string& text, size_t& out) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || text[0] == '-') return false;
  out = static_cast<size_t>(v);
  return true;
}

int usage(const char* msg) {
  std::fprintf(stderr,
               "%s\nusage: mdhub_bench_peers --write-stream=FILE [--seed=N] [--updates=N] [--levels=N]\n"
               "       mdhub_bench_peers --stream=FILE [--book-out=FILE] [--top=N] [benchmark flags]\n",
               msg);
  return 2;
}

}  // namespace
}  // namespace mdhub::bench

int main(int argc, char** argv) {
  using namespace mdhub::bench;
  std::string write_path, stream_path, value;
  size_t seed = 42, updates = 1'000'000, levels = 1000;
  Run run;
  // Our flags are taken out; the rest go to Google benchmark.
  std::vector<char*> rest{argv[0]};
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (take(a, "--write-stream", write_path) || take(a, "--stream", stream_path) ||
        take(a, "--book-out", run.book_out))
      continue;
    bool ok = true;
    if (take(a, "--seed", value)) {
      ok = to_size(value, seed);
    } else if (take(a, "--updates", value)) {
      ok = to_size(value, updates) && updates > 0;
    } else if (take(a, "--levels", value)) {
      ok = to_size(value, levels) && levels > 0 && levels <= 100'000;
    } else if (take(a, "--top", value)) {
      ok = to_size(value, run.top) && run.top > 0;
    } else {
      rest.push_back(argv[i]);
    }
    if (!ok) return usage(("bad value in " + std::string(a)).c_str());
  }
  if (!write_path.empty()) {
    const std::string err = write_peers_stream(write_path, seed, updates, static_cast<int>(levels));
    if (!err.empty()) {
      std::fprintf(stderr, "mdhub_bench_peers: %s\n", err.c_str());
      return 1;
    }
    return 0;
  }
  if (stream_path.empty()) return usage("give --write-stream=FILE or --stream=FILE");
  if (const std::string err = read_peers_stream(stream_path, run.stream); !err.empty()) {
    std::fprintf(stderr, "mdhub_bench_peers: %s\n", err.c_str());
    return 1;
  }
  std::printf("mdhub book: %s (the engine's default BookOptions), %zu updates\n",
              impl_name(engine_book().impl()), run.stream.updates.size());
  benchmark::RegisterBenchmark("BM_PeersApply_mdhub", [&run](benchmark::State& st) { bm_apply(st, run); })
      ->Unit(benchmark::kMillisecond);
  int bargc = static_cast<int>(rest.size());
  benchmark::Initialize(&bargc, rest.data());
  if (benchmark::ReportUnrecognizedArguments(bargc, rest.data())) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
