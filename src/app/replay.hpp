#pragma once
// `mdhub replay`: feeds a recording through the same VenueFeed parsers and Engine as a live
// run and serves the result with the same HTTP/websocket API (ServeStack, serve.hpp).
// Everything here runs on one network thread; nothing is thread-safe.
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "src/app/config.hpp"
#include "src/publish/http_api.hpp"
#include "src/app/serve.hpp"
#include "src/engine/engine.hpp"
#include "src/record/reader.hpp"

namespace mdhub {

/// Applies recorded records to per-feed VenueFeeds (rebuilt from the "config" meta record)
/// and an Engine, exactly as FeedRunner does live; resync requests are given to the feed
/// (its state follows) but nothing is sent: the recording holds what followed.
class Replayer {
 public:
  struct Stats {
    uint64_t records = 0, raw = 0, meta = 0;
    uint64_t parse_errors = 0;
    uint64_t skipped = 0;  ///< raw records before any config or for an unknown feed
  };

  explicit Replayer(Engine& engine) : engine_(engine) {}
  /// False with `error` set when the recording cannot be replayed (bad config record,
  /// venue not in this build). Views in `r` are only read during the call.
  bool apply(const record::Record& r, std::string& error);

  bool configured() const { return !feeds_.empty(); }
  size_t feed_count() const { return feeds_.size(); }
  std::vector<FeedView> feed_views() const;
  const Stats& stats() const { return stats_; }
  /// The recording's wall clock: the receive time of the last raw record applied (µs).
  int64_t clock_us() const { return clock_us_; }

 private:
  struct Feed {
    VenueConfig cfg;
    std::unique_ptr<VenueFeed> feed;
    InstrumentTable table;
    FeedStats stats;
    bool started = false;
    std::vector<Instrument> listed;  ///< instruments of the discovery pages read so far
  };
  bool configure(std::string_view json, std::string& error);
  void discovery(Feed& f, size_t index, const record::Record& r);
  void payload(Feed& f, size_t index, const record::Record& r);

  Engine& engine_;
  std::deque<Feed> feeds_;  ///< stable addresses: the API holds pointers into it
  ParseOut out_;
  std::vector<uint32_t> resync_;
  int64_t last_candle_close_s_ = 0;
  int64_t clock_us_ = 0;
  Stats stats_;
};

struct ReplayOptions {
  std::string from;
  double speed = 1;        ///< recorded time / wall time; <= 0 = as fast as possible
  std::string listen = "127.0.0.1:8080";
  bool exit_at_end = false;
  bool print_books = false; ///< with exit_at_end: each book in full after its hash
  Config config;           ///< ws limits, log level
};

/// The reader `replay` and `export` read with: records checked, issues logged as warnings.
record::ReaderOptions recording_reader_options();
/// Opens `from` (a directory or one file); false after saying on stderr why it cannot be
/// read or holds no recording files.
bool open_recording(record::RecordingReader& reader, const std::string& from);

/// Runs a replay; returns the process exit code (1: unreadable recording).
int run_replay(ReplayOptions opts);

}  // namespace mdhub
