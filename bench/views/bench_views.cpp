// Cost of one book update through the engine and the websocket views: five venues quoting
// BTC-USD with 1,000 levels a side each, one level changed per update (anywhere in the book,
// a quarter of them removals or new levels), and one subscriber of the view named by the
// benchmark, reading on its own thread. Measures Engine::on_events: apply, the consolidated
// book (kept only while a channel of it has a subscriber), and the view's message rendered
// and handed to the publisher thread.
//
//   build/release/bench/views/mdhub_bench_views --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// BM_HttpBook: the copy the feeds' thread takes of a depth=1000 HTTP book answer, against its
// rendering on the render worker.
#include <benchmark/benchmark.h>

#include <boost/asio/io_context.hpp>

#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "bench/ws_reader.hpp"
#include "src/engine/engine.hpp"
#include "src/net/server.hpp"
#include "src/publish/render.hpp"
#include "src/publish/ws_api.hpp"

namespace mdhub {
namespace {

namespace asio = boost::asio;

constexpr size_t kVenues = 5;
constexpr int64_t kLevels = 1000;
constexpr int kPriceScale = 2, kQtyScale = 8;

int64_t price_at(Side side, int64_t i) { return side == Side::bid ? 5'000'000 - i * 10 : 5'000'010 + i * 10; }

void BM_BookUpdate(benchmark::State& state, const char* channel) {
  asio::io_context io;
  net::ServerOptions o;
  o.ws_io_threads = 1;
  o.ws_queue_bytes = 256u << 20;  // large enough that the view is measured, not conflated away
  o.ws_queue_frames = 1u << 20;
  WsApiConfig cfg;
  cfg.queue_bytes = o.ws_queue_bytes;
  cfg.max_lag_ms = 0;
  cfg.publish_threads = 1;
  Engine engine;
  std::optional<net::Server> server(std::in_place, io, o);
  std::optional<WsApi> api(std::in_place, io, *server, engine, cfg, o.ws_queue_frames);
  engine.add_observer(&*api);
  ParseOut out;
  std::vector<uint32_t> resync;
  RecvTime t{1, 1};
  auto push = [&](size_t feed, BookMsg::Type type, uint64_t seq, std::vector<LevelUpdate>& levels) {
    out.clear();
    BookMsg m;
    m.type = type;
    m.level_count = static_cast<uint32_t>(levels.size());
    m.seq = seq;
    m.prev_seq = seq - 1;
    out.levels.swap(levels);
    Event e;
    e.kind = EventKind::book;
    e.recv = t;
    e.body = m;
    out.events.push_back(e);
    resync.clear();
    engine.on_events(feed, out, resync);
    out.levels.swap(levels);
  };
  std::vector<std::vector<int64_t>> qty(kVenues * 2, std::vector<int64_t>(kLevels, 0));
  for (size_t v = 0; v < kVenues; ++v) {
    const std::string venue = "v" + std::to_string(v);
    engine.add_feed(venue);
    InstrumentTable table;
    table.add({venue, "BTC-USD", "BTC-USD", "BTC", "USD", kPriceScale, kQtyScale});
    // A second symbol, quiet, for the case that watches it while BTC-USD changes unwatched.
    if (std::string_view(channel).find("ETH-USD") != std::string_view::npos)
      table.add({venue, "ETH-USD", "ETH-USD", "ETH", "USD", kPriceScale, kQtyScale});
    engine.on_instruments(v, table);
    std::vector<LevelUpdate> levels;
    for (int64_t i = 0; i < kLevels; ++i) {
      for (Side side : {Side::bid, Side::ask}) {
        const int64_t q = (1 + (i * 7 + static_cast<int64_t>(v)) % 50) * 1'000'000;
        qty[v * 2 + (side == Side::ask)][static_cast<size_t>(i)] = q;
        levels.push_back({side, price_at(side, i), q});
      }
    }
    push(v, BookMsg::Type::snapshot, 1, levels);
  }
  const uint16_t port = server->listen("127.0.0.1", 0);
  std::optional<bench::WsReader> reader;
  if (*channel) {
    reader.emplace(port, std::string("\"") + channel + "\"");
    while (api->stats().subscriptions == 0) io.run_one();
  }

  std::mt19937_64 rng(42);
  std::vector<uint64_t> seq(kVenues, 1);
  std::vector<LevelUpdate> one(1);
  uint64_t n = 0;
  for (auto _ : state) {
    const size_t v = n % kVenues;
    const Side side = rng() % 2 ? Side::bid : Side::ask;
    const auto i = static_cast<size_t>(rng() % kLevels);
    int64_t& q = qty[v * 2 + (side == Side::ask)][i];
    const uint64_t r = rng() % 4;
    q = r == 0 ? (q ? 0 : 1'000'000) : static_cast<int64_t>(1 + rng() % 50) * 1'000'000;
    one[0] = {side, price_at(side, static_cast<int64_t>(i)), q};
    ++seq[v];
    push(v, BookMsg::Type::delta, seq[v], one);
    if (++n % 256 == 0) io.poll();  // the server thread's own work (reads, writable events)
  }
  state.counters["conflations"] = static_cast<double>(api->stats().conflations);
  state.counters["messages"] = static_cast<double>(api->stats().messages_out);
  api.reset();
  server.reset();  // closes the reader's connection
  reader.reset();
}

// An HTTP book answer at depth=1000 (/api/v1/book/v0/BTC-USD, /api/v1/book/all/BTC-USD) over
// the same five books: what the feeds' thread pays (the copy) against what the render
// worker does (the JSON).
struct FiveBooks {
  FiveBooks() {
    for (size_t v = 0; v < kVenues; ++v) {
      const std::string venue = "v" + std::to_string(v);
      engine.add_feed(venue);
      InstrumentTable table;
      table.add({venue, "BTC-USD", "BTC-USD", "BTC", "USD", kPriceScale, kQtyScale});
      engine.on_instruments(v, table);
      ParseOut out;
      for (int64_t i = 0; i < kLevels; ++i) {
        for (Side side : {Side::bid, Side::ask})
          out.levels.push_back({side, price_at(side, i), (1 + (i * 7 + static_cast<int64_t>(v)) % 50) * 1'000'000});
      }
      BookMsg m;
      m.type = BookMsg::Type::snapshot;
      m.level_count = static_cast<uint32_t>(out.levels.size());
      m.seq = 1;
      Event e;
      e.kind = EventKind::book;
      e.recv = RecvTime{1, 1};
      e.body = m;
      out.events.push_back(e);
      std::vector<uint32_t> resync;
      engine.on_events(v, out, resync);
    }
  }
  Engine engine;
};

void BM_HttpBook(benchmark::State& state, bool consolidated, bool render_too) {
  FiveBooks b;
  const InstrumentState& s = *b.engine.find("v0", "BTC-USD");
  const ConsolidatedState& c = *b.engine.find_consolidated("BTC-USD");
  const auto venue = render::copy_book(s, 1000);
  const auto all = render::copy_consolidated(c, b.engine, 1000);
  if (venue.bids.size() != 1000 || all.bids.size() != 1000) state.SkipWithError("the books are not 1,000 levels deep");
  std::string out;
  for (auto _ : state) {
    out.clear();
    if (!render_too) {
      if (consolidated) benchmark::DoNotOptimize(render::copy_consolidated(c, b.engine, 1000));
      else benchmark::DoNotOptimize(render::copy_book(s, 1000));
    } else if (consolidated) {
      render::consolidated(out, all);
    } else {
      render::book(out, venue);
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["bytes"] = static_cast<double>(out.size());
}
BENCHMARK_CAPTURE(BM_HttpBook, venue_copy, false, false);
BENCHMARK_CAPTURE(BM_HttpBook, venue_render, false, true);
BENCHMARK_CAPTURE(BM_HttpBook, all_copy, true, false);
BENCHMARK_CAPTURE(BM_HttpBook, all_render, true, true);

BENCHMARK_CAPTURE(BM_BookUpdate, no_subscriber, "");
BENCHMARK_CAPTURE(BM_BookUpdate, venue_book10, "book10:v0:BTC-USD");
BENCHMARK_CAPTURE(BM_BookUpdate, consolidated_book, "book:all:BTC-USD");
BENCHMARK_CAPTURE(BM_BookUpdate, consolidated_book10, "book10:all:BTC-USD");
BENCHMARK_CAPTURE(BM_BookUpdate, consolidated_book100, "book100:all:BTC-USD");
// The consolidated book of another symbol is watched; BTC-USD's is not, so it is not merged.
BENCHMARK_CAPTURE(BM_BookUpdate, other_symbol_watched, "book:all:ETH-USD");

}  // namespace
}  // namespace mdhub

BENCHMARK_MAIN();
