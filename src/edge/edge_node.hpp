#pragma once
// `mdhub edge`: rebuilds books, tickers, trades and candles from the NATS bus that ingest
// nodes publish (README "Scale-out") and delivers them to an Engine as one feed per venue
// seen on the bus, so the HTTP API, websocket API, dashboard and metrics serve them as they
// serve venue feeds. Books start from their snapshot subject (the JetStream stream's last
// message) and follow updates by `seq`; a gap, a refused book or a reconnect re-reads the
// snapshot. Runs on the network thread; libnats threads only hand messages over to it, and
// one reader thread does the blocking JetStream reads.
#include <boost/asio/io_context.hpp>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "feeds/common/feed_stats.hpp"
#include "feeds/common/sink.hpp"
#include "feeds/common/venue.hpp"
#include "src/edge/bus_decode.hpp"
#include "src/edge/nats_conn.hpp"
#include "src/engine/engine.hpp"

namespace mdhub::edge {

struct EdgeOptions {
  nats::Settings nats;
  std::string prefix = "md";
  std::string stream = "MD";  ///< snapshots are in `<stream>_SNAPSHOT`
  std::vector<std::string> venues;   ///< only these (and registered at start); empty = every venue seen
  std::vector<std::string> symbols;  ///< only these canonical symbols; empty = all
};

/// Bounds on what the bus can make an edge hold: venues, symbols per venue, and bytes handed
/// to the network thread and not yet processed.
inline constexpr size_t kMaxBusVenues = 64;
inline constexpr size_t kMaxBusSymbols = 10000;
inline constexpr size_t kMaxQueuedBytes = size_t{256} << 20;
inline constexpr size_t kMessageOverhead = 128;

/// Bus latency (an ingest node's receive time to the edge's): 10 µs .. 10 s.
struct BusLatencyBounds {
  static constexpr std::array<int64_t, 16> kNs = {
      10'000,      25'000,      50'000,      100'000,     250'000,       500'000,       1'000'000,     2'500'000,
      5'000'000,   10'000'000,  25'000'000,  50'000'000,  100'000'000,   500'000'000,   1'000'000'000, 10'000'000'000};
};
using BusLatencyHistogram = BucketHistogram<BusLatencyBounds>;

/// A snapshot not answered this long after it was asked for (or unusable) is asked again.
inline constexpr int64_t kSnapshotRetryNs = 2'000'000'000;

class EdgeNode {
 public:
  EdgeNode(boost::asio::io_context& io, Engine& engine, EdgeOptions opts);
  ~EdgeNode();
  /// Connects (retrying until the server is up) and subscribes; false with `err` on bad
  /// settings.
  bool start(std::string& err);
  /// Closes the connection and joins the reader thread; nothing reaches the engine after it.
  void stop();
  /// Timer driven (once a second): asks again for snapshots overdue or unusable.
  void tick(int64_t now_mono_ns);

  struct FeedInfo {
    VenueConfig config;
    FeedStats stats;
  };
  const std::deque<FeedInfo>& feeds() const { return infos_; }

  struct Counters {
    uint64_t messages = 0, ignored = 0, snapshot_reads = 0, snapshot_unusable = 0, pending_overflow = 0;
    uint64_t refused = 0;  ///< venues or symbols beyond the bounds, or not names
  };
  const Counters& counters() const { return counters_; }
  /// From the ingest node's `ts_received` to this edge's receive time, per live payload
  /// (across hosts it includes their clocks' offset).
  const BusLatencyHistogram& latency() const { return latency_; }
  /// Messages dropped because the network thread had kMaxQueuedBytes waiting.
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  bool connected() const { return connected_; }

 private:
  struct Symbol {
    std::string name;
    bool registered = false;  ///< in the feed's instrument table (scales known)
    uint32_t id = 0;
    bool book = false;        ///< book messages were seen for it
    BookFollower follower;
    bool reading = false;     ///< a snapshot read is queued or in flight
    int64_t asked_mono_ns = 0;
  };
  struct Feed {
    size_t index = 0;
    InstrumentTable table;
    std::map<std::string, Symbol, std::less<>> symbols;
  };

  // On the network thread.
  void on_message(const std::string& subject, const std::string& data, RecvTime t);
  void on_read(size_t feed, const std::string& symbol, nats::Connection::Got got, const std::string& data,
               const std::string& err);
  void on_connection(bool up, bool reconnect);
  Feed* feed_of(std::string_view venue);
  /// nullptr beyond the bounds or for a name that is not a symbol (counted).
  Symbol* symbol_of(Feed& f, std::string_view symbol);
  void register_symbol(Feed& f, Symbol& s, const std::string* book_payload);
  void snapshot(Feed& f, Symbol& s, const std::string& payload, RecvTime t, bool live);
  void update(Feed& f, Symbol& s, const std::string& payload, uint64_t seq, RecvTime t);
  /// Decodes `payload` and hands its events to the engine; false on a payload error.
  /// `live`: it arrived just now (not read from the stream nor kept for a snapshot), so its
  /// latency counts.
  bool deliver(Feed& f, Symbol& s, std::string_view payload, RecvTime t, bool live = false);
  /// The engine dropped the book (or it was lost): follow it again from a snapshot.
  void lose(Feed& f, Symbol& s, RecvTime t);
  void request_read(Feed& f, Symbol& s, int64_t now_mono_ns);
  void set_state(Feed& f, FeedState st);
  void discover();

  // The reader thread: blocking JetStream reads, answers posted to the network thread.
  struct Job {
    size_t feed = 0;
    std::string venue;
    std::string symbol;  ///< empty: list the snapshot subjects
  };
  void reader_loop();

  boost::asio::io_context& io_;
  Engine& engine_;
  EdgeOptions opts_;
  nats::Connection conn_;
  Decoder decoder_;
  ParseOut out_;
  std::vector<uint32_t> resync_;
  std::deque<Feed> feeds_;
  std::deque<FeedInfo> infos_;  ///< parallel to feeds_: stable addresses for the API
  std::map<std::string, size_t, std::less<>> by_venue_;
  bool connected_ = false;
  Counters counters_;
  BusLatencyHistogram latency_;

  std::atomic<size_t> queued_bytes_{0};
  std::atomic<uint64_t> dropped_{0};

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::thread reader_;
  /// Shared with handlers posted by libnats threads: false once stop() began.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace mdhub::edge
