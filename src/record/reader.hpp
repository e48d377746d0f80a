#pragma once
// RecordingReader: streams the records of a recording (a directory of segment files, read
// in name order, or one segment file) in constant memory (one block at a time).
// Damage never stops it or crashes it: a torn tail (crash, kill -9) ends that file cleanly
// with a note; a corrupt block is reported with its file offset and skipped, and reading
// resumes at the next valid block header. Problems are returned as ReadIssue (also passed
// to the optional callback as they happen). Not thread-safe; one reader per thread.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "book/result.hpp"
#include "feeds/common/events.hpp"
#include "feeds/common/sink.hpp"
#include "src/record/format.hpp"

struct ZSTD_DCtx_s;

namespace mdhub::record {

/// One record. The views point into the reader's block buffer: valid until the next next().
struct Record {
  RecordType type = RecordType::raw;
  RawKind kind = RawKind::ws;   ///< raw records only
  uint8_t flags = 0;            ///< kFlagRepeat: a meta record repeated at a segment start
  uint32_t feed = 0;
  int32_t index = 0;            ///< stream or poll number
  uint64_t seq = 0;             ///< per recorder run; a gap means records were dropped
  RecvTime t{};
  std::string_view venue;       ///< venue id (raw) or meta name (meta)
  std::string_view payload;
  size_t file = 0;              ///< index into RecordingReader::files()
  uint64_t block_offset = 0;    ///< file offset of the block holding it
  bool repeat() const { return (flags & kFlagRepeat) != 0; }
};

enum class IssueKind : uint8_t {
  torn_tail,        ///< incomplete data at the end of a file (expected after a crash)
  corrupt_block,    ///< bad checksum / undecodable block, skipped
  corrupt_record,   ///< bad record inside a valid block; the rest of that block is skipped
  bad_header,       ///< damaged segment header; blocks are still searched for
  unsupported,      ///< a newer format version or codec; skipped
  io_error,
};
std::string_view to_string(IssueKind k);

struct ReadIssue {
  IssueKind kind = IssueKind::corrupt_block;
  std::string file;
  uint64_t offset = 0;  ///< file offset where the problem starts
  std::string message;
};

struct ReaderStats {
  uint64_t files = 0;            ///< files opened
  uint64_t blocks = 0;           ///< blocks decoded
  uint64_t records = 0;          ///< records returned
  uint64_t corrupt_blocks = 0;   ///< blocks or byte ranges skipped as corrupt
  uint64_t skipped_bytes = 0;    ///< file bytes skipped (corrupt ranges and torn tails)
  uint64_t torn_tails = 0;
  uint64_t missing = 0;          ///< gaps in `seq` within a run (dropped, lost or skipped)
  uint64_t unknown_records = 0;  ///< record types this version does not know, skipped
  uint64_t issues = 0;
};

struct ReaderOptions {
  bool verify_records = true;    ///< check each record's CRC-32C (blocks are always checked)
  size_t max_kept_issues = 256;  ///< issues() keeps the first N; stats().issues counts all
  std::function<void(const ReadIssue&)> on_issue;
};

class RecordingReader {
 public:
  explicit RecordingReader(ReaderOptions o = {});
  ~RecordingReader();
  RecordingReader(const RecordingReader&) = delete;
  RecordingReader& operator=(const RecordingReader&) = delete;

  /// A directory (its `*.mdrec` files, sorted by name, as listed now) or one file.
  /// Returns the number of files, or an error if the path cannot be listed.
  Result<size_t, std::string> open(const std::string& path);
  /// The next record; false at the end of the recording.
  bool next(Record& out);

  const std::vector<std::string>& files() const { return files_; }
  const std::vector<ReadIssue>& issues() const { return issues_; }
  const ReaderStats& stats() const { return stats_; }

 private:
  bool open_file(size_t i);
  void close_file();
  bool load_block();
  bool read_at(uint64_t off, void* dst, size_t n);
  uint64_t scan_for_block(uint64_t from);
  void issue(IssueKind k, uint64_t off, std::string msg);
  bool decode_record(Record& out);

  ReaderOptions o_;
  std::vector<std::string> files_;
  std::vector<ReadIssue> issues_;
  ReaderStats stats_;
  size_t next_file_ = 0;

  // Current file.
  int fd_ = -1;
  size_t cur_file_ = 0;
  uint64_t size_ = 0;
  uint64_t off_ = 0;     // next block header
  bool have_run_ = false;
  uint64_t run_id_ = 0;
  bool have_seq_ = false;
  uint64_t next_seq_ = 0;

  // Current block.
  std::vector<uint8_t> comp_, raw_, scan_;
  size_t raw_len_ = 0, pos_ = 0;
  uint32_t block_count_ = 0, block_seen_ = 0;
  uint64_t block_off_ = 0;
  ZSTD_DCtx_s* dctx_ = nullptr;
};

}  // namespace mdhub::record
