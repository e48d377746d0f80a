// The end-to-end load client: N websocket connections to mdhub, each subscribed to the same
// channels, measuring every data message's latency from mdhub's `ts_received` (the venue
// frame's receive time, µs since the epoch) to this process receiving it, on the same host
// clock. A separate process, on its own threads, so that the client is not mdhub's
// bottleneck. Prints one JSON object on stdout when done.
//
// Usage: mdhub_e2e_client --url ws://127.0.0.1:PORT/ws [--clients N] [--channels LIST]
//                         [--seconds S] [--warmup S] [--threads T]
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "src/runtime/url.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Latencies at 1 µs resolution up to 1 s (exact quantiles where they matter), beyond that
/// one overflow bucket; one per thread, merged at the end.
struct Histogram {
  static constexpr size_t kBuckets = 1'000'000;
  std::vector<uint64_t> counts = std::vector<uint64_t>(kBuckets + 1);
  uint64_t total = 0;
  int64_t max = 0;

  void add(int64_t us) {
    us = std::max<int64_t>(us, 0);
    ++counts[std::min<size_t>(static_cast<size_t>(us), kBuckets)];
    ++total;
    max = std::max(max, us);
  }
  void merge(const Histogram& o) {
    for (size_t i = 0; i <= kBuckets; ++i) counts[i] += o.counts[i];
    total += o.total;
    max = std::max(max, o.max);
  }
  /// The smallest latency with at least q of the samples at or below it.
  int64_t quantile(double q) const {
    if (total == 0) return -1;
    const auto want = static_cast<uint64_t>(std::max(1.0, q * static_cast<double>(total) + 0.5));
    uint64_t seen = 0;
    for (size_t i = 0; i <= kBuckets; ++i) {
      seen += counts[i];
      if (seen >= want) return i == kBuckets ? max : static_cast<int64_t>(i);
    }
    return max;
  }
};

struct Shared {
  std::atomic<int64_t> measure_from_us{0}, measure_until_us{0};
  std::atomic<int> connected{0}, failed{0};
  std::atomic<bool> stopping{false};
};

struct ThreadStats {
  Histogram hist;
  uint64_t messages = 0, bytes = 0, unstamped = 0, errors = 0;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& io, Shared& shared, ThreadStats& stats, std::string host, std::string target,
             std::string subscribe)
      : ws_(io), shared_(shared), stats_(stats), host_(std::move(host)), target_(std::move(target)),
        subscribe_(std::move(subscribe)) {}

  void start(const tcp::resolver::results_type& endpoints) {
    beast::get_lowest_layer(ws_).async_connect(endpoints, [self = shared_from_this()](beast::error_code ec, auto) {
      if (ec) return self->fail(ec);
      beast::get_lowest_layer(self->ws_).socket().set_option(tcp::no_delay(true));
      self->ws_.read_message_max(std::size_t{64} << 20);
      self->ws_.async_handshake(self->host_, self->target_, [self](beast::error_code e) {
        if (e) return self->fail(e);
        self->ws_.async_write(asio::buffer(self->subscribe_), [self](beast::error_code w, std::size_t) {
          if (w) return self->fail(w);
          self->shared_.connected.fetch_add(1);
          self->read();
        });
      });
    });
  }

  void close() {
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

 private:
  void fail(beast::error_code) {
    if (!shared_.stopping.load(std::memory_order_relaxed)) {
      shared_.failed.fetch_add(1);
      ++stats_.errors;
    }
  }

  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec) return self->fail(ec);
      self->on_message(n);
      self->buf_.consume(n);
      self->read();
    });
  }

  void on_message(std::size_t n) {
    const int64_t now = now_us();
    const auto data = buf_.data();
    const std::string_view m(static_cast<const char*>(data.data()), data.size());
    if (now < shared_.measure_from_us.load(std::memory_order_relaxed) ||
        now >= shared_.measure_until_us.load(std::memory_order_relaxed))
      return;
    // A data message carries "ts_received":<µs>; replies (subscribed, pong) do not.
    static constexpr std::string_view kKey = "\"ts_received\":";
    const auto at = m.find(kKey);
    if (at == std::string_view::npos) return;
    int64_t ts = 0;
    const char* p = m.data() + at + kKey.size();
    const auto [end, err] = std::from_chars(p, m.data() + m.size(), ts);
    ++stats_.messages;
    stats_.bytes += n;
    if (err != std::errc{} || end == p) {
      ++stats_.unstamped;
      return;
    }
    stats_.hist.add(now - ts);
  }

  websocket::stream<beast::tcp_stream> ws_;
  Shared& shared_;
  ThreadStats& stats_;
  std::string host_, target_, subscribe_;
  beast::flat_buffer buf_;
};

struct Args {
  std::string url;
  int clients = 100, threads = 0;
  std::string channels = "book:*:*";
  double seconds = 10, warmup = 2;
};

[[noreturn]] void usage(const char* msg) {
  std::fprintf(stderr,
               "%s\nusage: mdhub_e2e_client --url ws://HOST:PORT/ws [--clients N] [--channels LIST] "
               "[--seconds S] [--warmup S] [--threads T]\n",
               msg);
  std::exit(2);
}

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string_view k = argv[i];
    if (k == "--help" || k == "-h") usage("measures ts_received -> receive latency over N websocket clients");
    if (i + 1 >= argc) usage("missing value");
    const std::string v = argv[++i];
    try {
      if (k == "--url") a.url = v;
      else if (k == "--clients") a.clients = std::stoi(v);
      else if (k == "--threads") a.threads = std::stoi(v);
      else if (k == "--channels") a.channels = v;
      else if (k == "--seconds") a.seconds = std::stod(v);
      else if (k == "--warmup") a.warmup = std::stod(v);
      else usage("unknown option");
    } catch (const std::exception&) {
      usage("bad number");
    }
  }
  if (a.url.empty() || a.clients < 1 || a.seconds <= 0 || a.warmup < 0) usage("bad arguments");
  if (a.threads <= 0) a.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return a;
}

std::string subscribe_frame(const std::string& channels) {
  std::string out = R"({"op":"subscribe","id":1,"channels":[)";
  size_t start = 0;
  bool first = true;
  while (start <= channels.size()) {
    const size_t comma = std::min(channels.find(',', start), channels.size());
    if (comma > start) {
      out += first ? "\"" : ",\"";
      out.append(channels, start, comma - start);
      out += '"';
      first = false;
    }
    start = comma + 1;
  }
  return out + "]}";
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse_args(argc, argv);
  const auto url = mdhub::parse_url(args.url);
  if (!url || (url->scheme != "ws")) usage("--url must be ws://HOST:PORT/PATH");

  Shared shared;
  const int64_t start = now_us();
  shared.measure_from_us = start + static_cast<int64_t>(args.warmup * 1e6);
  shared.measure_until_us = shared.measure_from_us + static_cast<int64_t>(args.seconds * 1e6);

  const auto nthreads = static_cast<size_t>(args.threads);
  std::vector<std::unique_ptr<asio::io_context>> ios;
  std::vector<ThreadStats> stats(nthreads);
  std::vector<std::shared_ptr<Connection>> conns;
  const std::string sub = subscribe_frame(args.channels);
  for (size_t t = 0; t < nthreads; ++t) ios.push_back(std::make_unique<asio::io_context>(1));
  tcp::resolver resolver(*ios[0]);
  const auto endpoints = resolver.resolve(url->host, std::to_string(url->port));
  for (int c = 0; c < args.clients; ++c) {
    const auto t = static_cast<size_t>(c) % nthreads;
    auto conn = std::make_shared<Connection>(*ios[t], shared, stats[t], url->host, url->target, sub);
    conn->start(endpoints);
    conns.push_back(std::move(conn));
  }
  std::vector<std::thread> threads;
  for (size_t t = 0; t < nthreads; ++t) threads.emplace_back([&io = *ios[t]] { io.run(); });
  std::this_thread::sleep_until(std::chrono::system_clock::time_point(
      std::chrono::microseconds(shared.measure_until_us.load())));  // the measurement window's end
  shared.stopping = true;
  for (size_t t = 0; t < nthreads; ++t) {
    asio::post(*ios[t], [&conns, t, nthreads] {
      for (size_t c = t; c < conns.size(); c += nthreads) conns[c]->close();
    });
  }
  for (auto& io : ios) io->stop();
  for (auto& th : threads) th.join();

  ThreadStats all;
  for (const auto& s : stats) {
    all.hist.merge(s.hist);
    all.messages += s.messages;
    all.bytes += s.bytes;
    all.unstamped += s.unstamped;
    all.errors += s.errors;
  }
  std::printf(
      "{\"clients\":%d,\"connected\":%d,\"failed\":%d,\"threads\":%zu,\"seconds\":%.3f,\"messages\":%llu,"
      "\"msgs_per_s\":%.0f,\"bytes_per_s\":%.0f,\"unstamped\":%llu,\"p50_us\":%lld,\"p99_us\":%lld,"
      "\"p999_us\":%lld,\"max_us\":%lld}\n",
      args.clients, shared.connected.load(), shared.failed.load(), nthreads, args.seconds,
      static_cast<unsigned long long>(all.messages), static_cast<double>(all.messages) / args.seconds,
      static_cast<double>(all.bytes) / args.seconds, static_cast<unsigned long long>(all.unstamped),
      static_cast<long long>(all.hist.quantile(0.50)), static_cast<long long>(all.hist.quantile(0.99)),
      static_cast<long long>(all.hist.quantile(0.999)), static_cast<long long>(all.hist.max));
  return shared.connected.load() == args.clients ? 0 : 1;
}
