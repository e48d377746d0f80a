// Ingest of BTSE order-book websocket frames, as the feed runtime does it per frame: receive
// time, Engine::on_raw, the BTSE VenueFeed parser, Engine::on_events (validate + apply the
// delta). Measured with no observer, then with the Prometheus Metrics observer (and its
// apply probe) registered as in a live run, to show what per-message metrics cost.
//
// Input: the instruments of the recorded BTSE market_summary fixture, then a snapshot and
// ~29k delta frames in BTSE's `update:` wire format built from the seeded delta stream of
// bench/book. One benchmark iteration = one frame, so the reported time is ns/frame; after
// the last delta the snapshot frame comes again and the stream restarts. Before timing, one
// full pass is checked: the engine's book must equal the stream's reference state, cut like
// the engine cuts it to BTSE's 50-level window after every message.
#include <benchmark/benchmark.h>
#include <cxxabi.h>
#include <simdjson.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <chrono>
#include <new>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <typeinfo>
#include <vector>

#include "bench/book/delta_stream.hpp"
#include "bench/ws_reader.hpp"
#include "book/decimal.hpp"
#include "feeds/btse/btse.hpp"
#include "feeds/common/instrument_select.hpp"
#include "feeds/common/clock.hpp"
#include "feeds/common/sink.hpp"
#include "src/engine/engine.hpp"
#include "src/metrics/metrics.hpp"
#include "src/net/frame_pool.hpp"
#include "src/net/server.hpp"
#include "src/publish/ws_api.hpp"

// The allocations of the feed thread while it is counting: `--check-allocs` asserts that the
// hot path makes none once its buffers have grown to the stream's largest frame. Other
// threads (the websocket I/O shard, the reading client) are not counted.
namespace {
std::atomic<uint64_t> g_allocs{0};
thread_local bool t_counting = false;
}  // namespace

void* operator new(std::size_t n) {
  if (t_counting) g_allocs.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
// GCC takes the replaced pair for a mismatch of new and free: it is the pair by design here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace mdhub::bench {
namespace {

constexpr size_t kDeltaLevels = size_t{1} << 17;
constexpr const char* kSymbol = "BTC-USD";
// The delta stream's mantissas are rendered with these decimals, like BTSE's own text
// ("59367.5", "2.15622").
constexpr int kWirePriceScale = 1;
constexpr int kWireQtyScale = 5;

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "bench_ingest: %s\n", why.c_str());
  std::exit(1);
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) die("cannot read " + path);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

void levels_json(std::string& out, const char* key, std::span<const LevelUpdate> levels, Side side) {
  out += '"';
  out += key;
  out += "\":[";
  bool first = true;
  for (const auto& l : levels) {
    if (l.side != side) continue;
    if (!first) out += ',';
    first = false;
    out += "[\"" + format_decimal(l.price, kWirePriceScale) + "\",\"" + format_decimal(l.qty, kWireQtyScale) + "\"]";
  }
  out += ']';
}

std::string update_frame(std::span<const LevelUpdate> levels, uint64_t seq, bool snapshot, int64_t ts_ms) {
  std::string f = R"({"topic":"update:BTC-USD_0","data":{)";
  levels_json(f, "bids", levels, Side::bid);
  f += ',';
  levels_json(f, "asks", levels, Side::ask);
  f += ",\"seqNum\":" + std::to_string(seq) + ",\"prevSeqNum\":" + std::to_string(seq - 1);
  f += snapshot ? R"(,"type":"snapshot")" : R"(,"type":"delta")";
  f += ",\"timestamp\":" + std::to_string(ts_ms) + R"(,"symbol":"BTC-USD"}})";
  return f;
}

/// BTSE publishes its top 50 levels a side and the engine keeps the book to that window
/// (dropping what falls below it), so the reference is the stream's state with the same cut
/// after every message.
constexpr size_t kBtseWindow = 50;
using Bids = std::map<int64_t, int64_t, std::greater<>>;
using Asks = std::map<int64_t, int64_t>;

std::pair<Bids, Asks> windowed_final(const DeltaStream& s) {
  Bids bids;
  Asks asks;
  auto apply = [&](const LevelUpdate& u) {
    auto set = [&](auto& side) {
      if (u.qty == 0) side.erase(u.price);
      else side[u.price] = u.qty;
    };
    if (u.side == Side::bid) set(bids);
    else set(asks);
  };
  auto cut = [&] {
    while (bids.size() > kBtseWindow) bids.erase(std::prev(bids.end()));
    while (asks.size() > kBtseWindow) asks.erase(std::prev(asks.end()));
  };
  for (const auto& u : s.snapshot) apply(u);
  cut();
  for (const Message& m : s.messages) {
    for (uint32_t i = m.begin; i < m.begin + m.count; ++i) apply(s.levels[i]);
    cut();
  }
  return {std::move(bids), std::move(asks)};
}

struct Input {
  InstrumentTable table;
  std::vector<std::string> frames;  // [0] is the snapshot
  std::vector<std::string> padded;  // the same, each followed by kFramePadding bytes
  /// Frame `i` as the websocket client hands it out: with room to be parsed in place.
  FrameView frame(size_t i) const {
    return FrameView(std::string_view(padded[i]).substr(0, frames[i].size()), kFramePadding);
  }
  uint64_t final_seq = 0;
  uint64_t bytes = 0;
  const DeltaStream* stream = nullptr;
};

const Input& input() {
  static const Input in = [] {
    Input r;
    static const DeltaStream s = make_stream(20240607, kDeltaLevels);
    r.stream = &s;
    VenueConfig cfg;
    cfg.id = "btse";
    auto feed = btse::make_feed(cfg);
    std::vector<Instrument> all;
    std::string err;
    const std::string body = read_file(std::string(MDHUB_SOURCE_DIR) + "/feeds/btse/testdata/rest_market_summary_multi.json");
    if (feed->parse_discovery(body, all, err) != ParseStatus::ok) die("discovery: " + err);
    auto sel = select_instruments(std::move(all), {kSymbol});
    if (sel.table.size() != 1) die("BTC-USD not in the discovery fixture");
    r.table = std::move(sel.table);
    int64_t ts = 1'717'700'000'000;
    r.frames.push_back(update_frame(s.snapshot, 1, true, ts));
    for (const auto& m : s.messages) {
      r.frames.push_back(update_frame({s.levels.data() + m.begin, m.count}, m.seq, false, ++ts));
      r.final_seq = m.seq;
    }
    for (const auto& f : r.frames) r.bytes += f.size();
    for (const auto& f : r.frames) r.padded.push_back(f + std::string(kFramePadding, '\0'));
    return r;
  }();
  return in;
}

/// Every channel a BTSE book delta feeds, for one client.
constexpr const char* kChannels =
    R"("book:btse:BTC-USD","book10:btse:BTC-USD","bbo:btse:BTC-USD","book:all:BTC-USD","book10:all:BTC-USD",)"
    R"("bbo:all:BTC-USD")";
constexpr uint64_t kChannelCount = 6;

/// The websocket publishing of a live run: the server with one I/O shard thread, the
/// websocket API, and a client on its own thread.
struct Publishing {
  Publishing(Engine& engine, PipelineLatency& latency) {
    net::ServerOptions o;
    o.ws_io_threads = 1;
    o.latency = &latency;
    WsApiConfig cfg;
    cfg.publish_threads = 1;
    // The client is waited for after every frame: a backlog can only come from the machine
    // pausing a thread, and conflating then (the overload path) is not the steady state.
    cfg.max_lag_ms = 0;
    server.emplace(io, o);
    api.emplace(io, *server, engine, cfg, o.ws_queue_frames);
    api->set_latency(&latency);
  }
  ~Publishing() {
    api.reset();
    server.reset();  // closes the client's connection, which ends its thread
    reader.reset();
  }
  Publishing(const Publishing&) = delete;
  Publishing& operator=(const Publishing&) = delete;

  /// Connects the client (once the engine knows the instrument) and waits for its subscriptions.
  void subscribe() {
    reader.emplace(server->listen("127.0.0.1", 0), kChannels);
    serve_until([&] { return api->stats().subscriptions == kChannelCount; }, "the subscriptions");
  }
  /// Serves the server thread's own work until the client has read every message queued to
  /// it and the I/O shard has completed their writes (which gives their buffers back first).
  void settle() {
    serve_until([&] { return reader->messages() >= api->stats().messages_out && api->queued_bytes() == 0; },
                "the client to read");
  }
  template <class Done>
  void serve_until(Done done, const char* what) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!done()) {
      io.poll();
      if (std::chrono::steady_clock::now() > deadline) die(std::string("timed out waiting for ") + what);
      std::this_thread::yield();
    }
  }

  boost::asio::io_context io;
  std::optional<net::Server> server;
  std::optional<WsApi> api;
  std::optional<bench::WsReader> reader;
};

/// One feed, one engine, as a live run wires them.
struct Pipeline {
  explicit Pipeline(bool with_metrics, bool with_probe = true, bool with_ws = false) {
    const Input& in = input();
    VenueConfig cfg;
    cfg.id = "btse";
    cfg.channels = {"book"};
    feed = btse::make_feed(cfg);
    feed->start(in.table);
    const auto streams = feed->streams();
    for (size_t i = 0; i < streams.size(); ++i)
      if (streams[i].name == "oss") stream = i;
    engine.add_feed("btse");
    if (with_metrics) {
      metrics = std::make_unique<Metrics>(MetricsSources{&engine, {}, nullptr, {}, &latency});
      // Probe first, Metrics last: the order ServeStack registers them around the publishers.
      if (with_probe) engine.add_observer(&metrics->apply_probe());
    }
    if (with_ws) {
      ws = std::make_unique<Publishing>(engine, latency);
      engine.add_observer(&*ws->api);
    }
    if (with_metrics) {
      engine.add_observer(metrics.get());
    }
    engine.on_instruments(0, in.table);
  }

  void ingest(FrameView frame) {
    const RecvTime t = now();
    engine.on_raw(0, RawKind::ws, static_cast<int>(stream), t, frame.text);
    out.clear();
    if (feed->on_frame(stream, frame, t, out) != ParseStatus::ok) die("parse: " + out.error);
    resync.clear();
    engine.on_events(0, out, resync);
    if (!resync.empty()) die("the engine asked for a resync");
  }

  /// The book after a full pass must be the stream's final state.
  void check() const {
    const Input& in = input();
    const InstrumentState* s = engine.find("btse", kSymbol);
    if (!s || !s->in_sync) die("book not in sync");
    const int ps = s->info.price_scale - kWirePriceScale, qs = s->info.qty_scale - kWireQtyScale;
    LevelHasher want, got;
    static const auto [bids, asks] = windowed_final(*in.stream);
    for (auto [p, q] : bids) want.add(Side::bid, Level{p * pow10(ps), q * pow10(qs)});
    for (auto [p, q] : asks) want.add(Side::ask, Level{p * pow10(ps), q * pow10(qs)});
    want.add_seq(in.final_seq);
    for (Side side : {Side::bid, Side::ask})
      s->book.for_each(side, SIZE_MAX, [&](const Level& l) { got.add(side, l); });
    got.add_seq(s->book.seq());
    if (want.value() != got.value()) die("final book differs from the reference");
  }

  std::unique_ptr<VenueFeed> feed;
  size_t stream = 0;
  Engine engine;
  PipelineLatency latency;  // per-feed stages, as a live run times them
  std::unique_ptr<Metrics> metrics;
  std::unique_ptr<Publishing> ws;  // destroyed before the engine it observes
  ParseOut out;
  std::vector<uint32_t> resync;
};

void run(benchmark::State& state, bool with_metrics, bool with_probe) {
  const Input& in = input();
  Pipeline p(with_metrics, with_probe);
  for (const auto& f : in.frames) p.ingest(f);
  p.check();
  size_t i = 0;
  for (auto _ : state) {
    p.ingest(in.frame(i));
    if (++i == in.frames.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(in.bytes / in.frames.size()));
  if (p.metrics && p.metrics->render().find("mdhub_stage_seconds_count{stage=\"read_to_parsed\"} 0\n") !=
                       std::string::npos)
    die("metrics recorded nothing");
}

// The parser alone (no engine): how the per-frame time splits between the two.
void BM_ParseBtse(benchmark::State& state) {
  const Input& in = input();
  Pipeline p(false);
  size_t i = 0;
  for (auto _ : state) {
    p.out.clear();
    if (p.feed->on_frame(p.stream, in.frame(i), RecvTime{}, p.out) != ParseStatus::ok) die("parse: " + p.out.error);
    benchmark::DoNotOptimize(p.out.levels.data());
    if (++i == in.frames.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_ParseBtse);

void BM_IngestBtse_Engine(benchmark::State& state) { run(state, false, false); }
void BM_IngestBtse_EngineMetrics(benchmark::State& state) { run(state, true, true); }
void BM_IngestBtse_EngineMetricsNoProbe(benchmark::State& state) { run(state, true, false); }

// The observer calls one BTSE delta frame makes, without the parser and the engine: the
// absolute per-frame cost of the metrics, which the ratio above hides in the noise of a
// busy machine.
void BM_MetricsCallbacksPerFrame(benchmark::State& state) {
  const Input& in = input();
  Pipeline p(true, true);
  for (const auto& f : in.frames) p.ingest(f);
  const InstrumentState& s = *p.engine.find("btse", kSymbol);
  EngineObserver& probe = p.metrics->apply_probe();
  Metrics& m = *p.metrics;
  const std::string_view frame = in.frames[1];
  const RecvTime t = now();
  for (auto _ : state) {
    m.on_raw(0, RawKind::ws, 0, t, frame);
    probe.on_events_begin(0, t);
    m.on_events_begin(0, t);
    probe.on_book(s, false, {});
    m.on_book(s, false, {});
    probe.on_bbo(s);
    m.on_bbo(s);
    m.on_events_end(0);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// A /metrics scrape of a hub like the five-venue simulator run (5 feeds, 4 instruments
// each, per-feed stage latencies, websocket stats): how its cost splits between collect()
// (copying the state, on the network thread) and serialize() (the text, on the render
// worker). The split is worth it only while collecting is the small part.
struct ScrapeRig {
  ScrapeRig() {
    const char* venues[] = {"bitexbit", "btse", "coinbtr", "coinmotion", "narkasa"};
    for (size_t f = 0; f < 5; ++f) {
      configs[f].id = venues[f];
      stats[f].state = FeedState::live;
      stats[f].messages = 123456789;
      stats[f].detected = {{"snapshot_as_delta", 3}};
      engine.add_feed(venues[f]);
      InstrumentTable t;
      for (const char* sym : {"BTC-USDT", "ETH-USDT", "SOL-USDT", "ETH-BTC"}) {
        Instrument i;
        i.venue = venues[f];
        i.symbol = sym;
        i.native = sym;
        i.base = std::string(sym).substr(0, 3);
        i.quote = std::string(sym).substr(4);
        t.add(i);
      }
      engine.on_instruments(f, t);
      for (size_t k = 0; k < kLatencyStages; ++k)
        for (int64_t ns = 1000; ns < 50'000'000; ns *= 3) latency.stage(f, static_cast<LatencyStage>(k))->observe(ns);
    }
    metrics = std::make_unique<Metrics>(MetricsSources{&engine,
                                                       [this] {
                                                         std::vector<std::pair<const VenueConfig*, const FeedStats*>> v;
                                                         for (size_t f = 0; f < 5; ++f) v.emplace_back(&configs[f], &stats[f]);
                                                         return v;
                                                       },
                                                       &ws, {}, &latency});
    engine.add_observer(metrics.get());
  }
  std::array<VenueConfig, 5> configs;
  std::array<FeedStats, 5> stats;
  Engine engine;
  PipelineLatency latency;
  WsApiStats ws;
  std::unique_ptr<Metrics> metrics;
};

void BM_MetricsScrape_Collect(benchmark::State& state) {
  ScrapeRig rig;
  for (auto _ : state) benchmark::DoNotOptimize(rig.metrics->collect());
}
void BM_MetricsScrape_Serialize(benchmark::State& state) {
  ScrapeRig rig;
  const auto collected = rig.metrics->collect();
  size_t bytes = 0;
  for (auto _ : state) {
    std::string text = Metrics::serialize(*collected);
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  state.counters["bytes"] = static_cast<double>(bytes);
  if (rig.metrics->render() != Metrics::serialize(*collected)) die("the scrape differs from render()");
}
BENCHMARK(BM_MetricsScrape_Collect);
BENCHMARK(BM_MetricsScrape_Serialize);

BENCHMARK(BM_IngestBtse_Engine);
BENCHMARK(BM_IngestBtse_EngineMetrics);
BENCHMARK(BM_IngestBtse_EngineMetricsNoProbe);
BENCHMARK(BM_MetricsCallbacksPerFrame);

// One pass to grow every buffer, then a second pass of the whole stream through parser,
// engine, the metrics observer and the websocket API with one client subscribed to every
// channel the frames feed: no delta frame may allocate on the feed thread, from the bytes
// in to the rendered messages handed to the I/O shard. The snapshot (frame 0, a whole new
// book) may; its count is printed. The client is waited for after every frame.
int check_allocs() {
  const Input& in = input();
  Pipeline p(true, true, true);
  p.ws->subscribe();
  // Each frame with the room past it the websocket client leaves, as a live run parses it.
  for (size_t i = 0; i < in.frames.size(); ++i) {
    p.ingest(in.frame(i));
    p.ws->settle();
  }
  p.check();
  const uint64_t sent_before = p.ws->api->stats().messages_out;
  uint64_t snapshot = 0, deltas = 0;
  for (size_t i = 0; i < in.frames.size(); ++i) {
    const uint64_t b = g_allocs.load();
    t_counting = true;
    p.ingest(in.frame(i));
    t_counting = false;
    const uint64_t n = g_allocs.load() - b;
    p.ws->settle();
    if (i == 0) {
      snapshot = n;
    } else if (n) {
      deltas += n;
      std::printf("delta frame %zu (%zu bytes): %llu allocations\n", i, in.frames[i].size(),
                  static_cast<unsigned long long>(n));
    }
  }
  p.check();
  const uint64_t sent = p.ws->api->stats().messages_out - sent_before;
  // Every delta changes the book: each pass must have published, or nothing was checked.
  if (sent < in.frames.size()) die("the websocket API published " + std::to_string(sent) + " messages");
  const auto pool = net::frame_pool_stats();
  std::printf("hot path (parse + engine + metrics + websocket render and hand-off, %llu channels, after one "
              "warm-up pass): %llu allocations in %zu delta frames; %llu for the snapshot; %llu messages "
              "published; message buffers reused %llu, allocated %llu\n",
              static_cast<unsigned long long>(kChannelCount), static_cast<unsigned long long>(deltas),
              in.frames.size() - 1, static_cast<unsigned long long>(snapshot), static_cast<unsigned long long>(sent),
              static_cast<unsigned long long>(pool.reused), static_cast<unsigned long long>(pool.fresh));
  return deltas == 0 ? 0 : 1;
}

}  // namespace
}  // namespace mdhub::bench

int main(int argc, char** argv) {
  int status = 0;
  char* name = abi::__cxa_demangle(typeid(simdjson::ondemand::parser).name(), nullptr, nullptr, &status);
  const auto& in = mdhub::bench::input();
  std::printf("simdjson on-demand: %s\nframes: %zu (1 snapshot + deltas), %.1f bytes/frame on average\n",
              status == 0 ? name : typeid(simdjson::ondemand::parser).name(), in.frames.size(),
              static_cast<double>(in.bytes) / static_cast<double>(in.frames.size()));
  std::free(name);
  if (argc == 2 && std::strcmp(argv[1], "--check-allocs") == 0) return mdhub::bench::check_allocs();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
