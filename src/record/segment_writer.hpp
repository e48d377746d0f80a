#pragma once
// The writer thread's half of the Recorder (internal): builds blocks from encoded records,
// compresses and checksums them, writes segment files, rotates by size and age, fsyncs,
// and turns I/O errors into reports plus a retry with a fresh segment. Single-threaded.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "src/record/recorder.hpp"

struct ZSTD_CCtx_s;

namespace mdhub::record {

using Clock = std::chrono::steady_clock;

/// Counters the writer updates and any thread may read.
struct WriterCounters {
  std::atomic<uint64_t> records_written{0}, lost{0}, bytes_written{0}, blocks{0}, segments{0},
      errors{0}, fsyncs{0}, segments_deleted{0}, bytes_deleted{0};
  std::atomic<bool> failing{false};
  std::atomic<int64_t> last_fsync_ns{0};
  std::array<std::atomic<uint64_t>, kFsyncBuckets> fsync_buckets{};
  std::atomic<uint64_t> fsync_sum_ns{0};
};

/// A growable byte buffer without value-initialisation (blocks are rewritten in full).
class ByteBuf {
 public:
  uint8_t* data() { return p_.get(); }
  size_t size() const { return size_; }
  void clear() { size_ = 0; }
  void truncate(size_t n) { size_ = n; }
  /// Appends `n` uninitialised bytes and returns them.
  uint8_t* extend(size_t n);
  /// Frees the memory when it grew past `limit` (after one unusually large record).
  void trim(size_t limit);

 private:
  std::unique_ptr<uint8_t[]> p_;
  size_t size_ = 0, cap_ = 0;
};

class SegmentWriter {
 public:
  using Report = std::function<void(const std::string&)>;
  SegmentWriter(const RecorderOptions& o, WriterCounters& c, Report report);
  ~SegmentWriter();
  SegmentWriter(const SegmentWriter&) = delete;
  SegmentWriter& operator=(const SegmentWriter&) = delete;

  /// Creates the directory and opens the first segment.
  void start(Clock::time_point now);
  /// Room for one encoded record of `len` bytes at the end of the open block (finishing the
  /// block first when the record would overflow it). Fill it, then commit(len).
  uint8_t* reserve(size_t len, Clock::time_point now);
  /// Seals the record (checksum), tracks meta records, finishes the block when full.
  void commit(size_t len, Clock::time_point now);
  /// Writes the open block; with `sync`, fdatasyncs. False while failed (records lost).
  bool flush(bool sync, Clock::time_point now);
  /// Closes a segment that reached its age while idle (the next block opens a new one).
  void tick(Clock::time_point now);
  /// flush(true) and close the segment.
  void close(Clock::time_point now);
  bool healthy() const { return !failed_; }

 private:
  void finish_block(Clock::time_point now);
  size_t build_block(const uint8_t* raw, size_t n, uint32_t count, uint64_t first_seq,
                     int64_t first_wall, int64_t last_wall, ByteBuf& out);
  bool ensure_segment(Clock::time_point now, size_t next_block_bytes);
  bool open_segment(Clock::time_point now);
  bool write_repeated_meta(Clock::time_point now);
  void close_segment(Clock::time_point now);
  bool sync_file(Clock::time_point now);
  bool write_out(const uint8_t* p, size_t n, Clock::time_point now);
  void fail(const std::string& msg, Clock::time_point now);
  void remember_meta(const uint8_t* rec, size_t len);
  void enforce_retention(Clock::time_point now);

  const RecorderOptions& o_;
  WriterCounters& c_;
  Report report_;
  ZSTD_CCtx_s* cctx_ = nullptr;
  uint64_t run_id_ = 0;

  ByteBuf raw_;  // block being built
  uint32_t block_records_ = 0;
  uint64_t first_seq_ = 0;
  int64_t first_wall_ = 0, last_wall_ = 0;
  ByteBuf out_;  // header + compressed payload
  ByteBuf meta_raw_, meta_out_;
  std::map<std::string, std::vector<uint8_t>, std::less<>> metas_;

  int fd_ = -1;
  std::string path_;
  uint64_t seg_bytes_ = 0;
  uint32_t seg_data_blocks_ = 0;
  Clock::time_point seg_opened_{};
  uint32_t name_counter_ = 0;
  uint32_t segment_index_ = 0;
  bool dirty_ = false;  // written since the last fdatasync
  bool failed_ = false;
  Clock::time_point retry_at_{};
  uint64_t unsynced_records_ = 0;  // in blocks written since the last fdatasync
  Clock::time_point retention_at_{};  // next age check
};

}  // namespace mdhub::record
