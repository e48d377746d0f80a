#pragma once
// Recorder: writes every raw payload mdhub receives (websocket frames, REST poll and
// discovery responses) plus meta records (JSON, e.g. the feed configurations) to append-only,
// zstd-compressed, checksummed segment files (format: FORMAT.md; reader: reader.hpp).
//
// Threads: record() and record_meta() are called from ONE producer thread (the network
// thread) and never block it: they copy into a bounded byte ring and return; a full ring
// drops the record and counts it. A writer thread owned by the Recorder compresses, writes,
// rotates and fsyncs. stats(), last_error() and flush() may be called from any thread;
// close() from the producer thread (or once the producer has stopped).
// I/O errors (unwritable directory, disk full, ...) are reported through last_error(),
// the `errors` counter and the optional callback; records that cannot be written are
// counted as `lost`, and the writer retries with a new segment after `retry_interval`; a
// segment that failed before holding any data is deleted, so retries leave no empty files.
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "feeds/common/events.hpp"
#include "feeds/common/sink.hpp"

namespace mdhub::record {

struct RecorderOptions {
  std::string dir;                                   ///< created if missing
  uint64_t max_segment_bytes = 256ull << 20;         ///< rotate before exceeding this size
  std::chrono::nanoseconds max_segment_age = std::chrono::hours(1);  ///< rotate after this
  size_t block_bytes = 256u << 10;                   ///< raw bytes per compressed block
  std::chrono::milliseconds flush_interval{1000};    ///< write the open block + fdatasync
  size_t queue_bytes = 32u << 20;                    ///< hand-off ring, rounded up to 2^n
  /// Larger payloads are dropped (counted as too_large); capped below queue_bytes.
  size_t max_payload_bytes = 16u << 20;
  /// zstd level. 1 (default): ~4x on venue JSON; -1..-5 compress faster for less ratio
  /// (about 2.7x..2.3x). Each block is an independent zstd frame.
  int zstd_level = 1;
  std::chrono::milliseconds retry_interval{10000};   ///< after an I/O error
  /// Retention over the directory's segment files (this run's and earlier ones), oldest
  /// first, never the open segment: deleted while their total, with the open segment at its
  /// full max_segment_bytes, would exceed max_total_bytes, or once older (last written)
  /// than keep_age. 0: no limit.
  uint64_t max_total_bytes = 0;
  std::chrono::seconds keep_age{0};
  /// Called on the writer thread with each error message; must not block for long.
  std::function<void(const std::string&)> on_error;
  /// Called on the writer thread when it starts (thread name, affinity, priority).
  std::function<void()> on_thread_start;
};

/// Bucket upper bounds (ns) of RecorderStats::fsync_buckets: 50 µs .. 10 s.
inline constexpr std::array<int64_t, 17> kFsyncBoundsNs = {
    50'000,      100'000,     250'000,     500'000,       1'000'000,     2'500'000,
    5'000'000,   10'000'000,  25'000'000,  50'000'000,    100'000'000,   250'000'000,
    500'000'000, 1'000'000'000, 2'500'000'000, 5'000'000'000, 10'000'000'000};
inline constexpr size_t kFsyncBuckets = kFsyncBoundsNs.size() + 1;  ///< the last is +Inf

struct RecorderStats {
  uint64_t records = 0;          ///< accepted into the queue (raw + meta)
  uint64_t bytes_in = 0;         ///< payload bytes accepted
  uint64_t dropped = 0;          ///< refused: queue full, payload too large, or closed
  uint64_t too_large = 0;        ///< of which: payload over max_payload_bytes
  uint64_t records_written = 0;  ///< in blocks written to disk
  /// Accepted but not written because of an I/O error, or written since the last
  /// successful fdatasync when an fdatasync failed (their pages' fate is unknown).
  uint64_t lost = 0;
  uint64_t bytes_written = 0;    ///< file bytes (headers + compressed blocks)
  uint64_t blocks = 0;
  uint64_t segments = 0;         ///< segment files created
  uint64_t segments_deleted = 0; ///< by retention
  uint64_t bytes_deleted = 0;    ///< by retention
  bool healthy = true;           ///< false from an I/O error until a segment opens again
  uint64_t errors = 0;
  uint64_t fsyncs = 0;
  int64_t last_fsync_ns = 0;     ///< duration of the last fdatasync
  /// Durations of every successful fdatasync, per bucket of kFsyncBoundsNs (not cumulative).
  std::array<uint64_t, kFsyncBuckets> fsync_buckets{};
  uint64_t fsync_sum_ns = 0;
  uint64_t queue_used = 0;       ///< bytes waiting in the hand-off ring
};

class Recorder {
 public:
  /// Starts the writer thread, which creates the directory and the first segment (an
  /// error there is reported like any I/O error; the Recorder stays usable).
  explicit Recorder(RecorderOptions opts);
  ~Recorder();  ///< close()
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  /// Queues one raw payload. False if it was dropped (counted). Never blocks.
  bool record(size_t feed, std::string_view venue, RawKind kind, int index, RecvTime t,
              std::string_view payload) noexcept;
  /// Queues a meta record (`name` <= 255 bytes, `json` a JSON text). A meta record that does
  /// not fit the queue is held (up to 16) and queued before the next record, so it is not
  /// lost to a momentary overflow. The latest meta of each name (up to 64 names, <= 1 MiB
  /// each) is repeated at the start of every later segment so each segment is self-describing.
  bool record_meta(std::string_view name, std::string_view json, RecvTime t);
  bool record_meta(std::string_view name, std::string_view json);

  /// Blocks the caller until everything queued before the call is written and fsynced.
  /// True on success; false on timeout, after close(), or when the writer is failing or has
  /// lost records since the previous flush(). Not for the network thread.
  bool flush(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  /// Drains the queue, writes, fsyncs and closes the segment, stops the thread. Idempotent.
  void close();

  RecorderStats stats() const;
  std::string last_error() const;
  const RecorderOptions& options() const { return opts_; }

  struct Shared;  ///< implementation: state shared with the writer thread

 private:
  struct PendingMeta {
    std::string name, json;
    RecvTime t;
    uint64_t seq;
  };
  enum class PushResult : uint8_t { ok, full, refused };
  PushResult push(uint8_t type, uint8_t kind, uint32_t feed, int32_t index, uint64_t seq,
                  RecvTime t, std::string_view venue, std::string_view payload) noexcept;
  bool push_pending_meta() noexcept;

  RecorderOptions opts_;
  std::unique_ptr<Shared> sh_;
  std::thread thread_;
  // Producer-thread state.
  uint64_t next_seq_ = 0;
  std::deque<PendingMeta> pending_meta_;
  bool closed_ = false;
};

}  // namespace mdhub::record
