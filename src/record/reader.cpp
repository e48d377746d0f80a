#include "src/record/reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "src/record/crc32c.hpp"

namespace mdhub::record {
namespace {

constexpr uint64_t kNotFound = ~uint64_t{0};
constexpr size_t kScanChunk = 1u << 20;

std::string num(uint64_t v) { return std::to_string(v); }

}  // namespace

std::string_view to_string(IssueKind k) {
  switch (k) {
    case IssueKind::torn_tail: return "torn_tail";
    case IssueKind::corrupt_block: return "corrupt_block";
    case IssueKind::corrupt_record: return "corrupt_record";
    case IssueKind::bad_header: return "bad_header";
    case IssueKind::unsupported: return "unsupported";
    case IssueKind::io_error: return "io_error";
  }
  return "?";
}

RecordingReader::RecordingReader(ReaderOptions o) : o_(std::move(o)), dctx_(ZSTD_createDCtx()) {}

RecordingReader::~RecordingReader() {
  close_file();
  ZSTD_freeDCtx(dctx_);
}

Result<size_t, std::string> RecordingReader::open(const std::string& path) {
  namespace fs = std::filesystem;
  close_file();
  files_.clear();
  issues_.clear();
  stats_ = {};
  next_file_ = 0;
  have_run_ = have_seq_ = false;
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (ec) return Unexpected{std::string("cannot open recording ") + path + ": " + ec.message()};
  if (!fs::is_directory(st)) {
    files_.push_back(path);
    return files_.size();
  }
  for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code fec;
    if (it->path().extension() == kSegmentSuffix && it->is_regular_file(fec))
      files_.push_back(it->path().string());
  }
  if (ec) return Unexpected{std::string("cannot list recording ") + path + ": " + ec.message()};
  // Segment names start with their UTC creation time, so name order is recording order.
  std::sort(files_.begin(), files_.end());
  return files_.size();
}

void RecordingReader::issue(IssueKind k, uint64_t off, std::string msg) {
  ReadIssue is{k, files_[cur_file_], off, std::move(msg)};
  ++stats_.issues;
  if (k == IssueKind::torn_tail) ++stats_.torn_tails;
  if (k == IssueKind::corrupt_block) ++stats_.corrupt_blocks;
  if (o_.on_issue) o_.on_issue(is);
  if (issues_.size() < o_.max_kept_issues) issues_.push_back(std::move(is));
}

void RecordingReader::close_file() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  raw_len_ = pos_ = 0;
}

bool RecordingReader::read_at(uint64_t off, void* dst, size_t n) {
  auto* p = static_cast<uint8_t*>(dst);
  while (n > 0) {
    const ssize_t r = ::pread(fd_, p, n, static_cast<off_t>(off));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      issue(IssueKind::io_error, off,
            r < 0 ? std::string("read failed: ") + std::strerror(errno)
                  : std::string("file shrank while being read"));
      off_ = size_;
      return false;
    }
    p += r;
    n -= static_cast<size_t>(r);
    off += static_cast<uint64_t>(r);
  }
  return true;
}

bool RecordingReader::open_file(size_t i) {
  cur_file_ = i;
  off_ = size_ = 0;
  fd_ = ::open(files_[i].c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    issue(IssueKind::io_error, 0, std::string("cannot open: ") + std::strerror(errno));
    return false;
  }
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    issue(IssueKind::io_error, 0, std::string("cannot stat: ") + std::strerror(errno));
    close_file();
    return false;
  }
  ++stats_.files;
  size_ = static_cast<uint64_t>(st.st_size);
  uint8_t hdr[kMaxSegmentHeaderSize];
  const auto n = static_cast<size_t>(std::min<uint64_t>(size_, sizeof hdr));
  if (!read_at(0, hdr, n)) return false;
  SegmentHeader sh;
  const HeaderStatus hs = decode_segment_header(hdr, n, sh);
  if (hs == HeaderStatus::ok) {
    if (!have_run_ || run_id_ != sh.run_id) have_seq_ = false;
    have_run_ = true;
    run_id_ = sh.run_id;
    off_ = sh.header_len;
    return true;
  }
  // Shorter than the header this version writes: a crash right after the file was created.
  if (hs == HeaderStatus::truncated && size_ < kSegmentHeaderSize) {
    issue(IssueKind::torn_tail, 0,
          size_ == 0 ? std::string("empty segment file")
                     : "incomplete segment header (" + num(size_) + " bytes)");
    stats_.skipped_bytes += size_;
    off_ = size_;
    return true;
  }
  if (hs == HeaderStatus::unsupported_version) {
    issue(IssueKind::unsupported, 0,
          "format version " + num(get_u16(hdr + 8)) + " is newer than this reader (" +
              num(kFormatVersion) + "); file skipped");
    stats_.skipped_bytes += size_;
    off_ = size_;
    return true;
  }
  // The header only names the run; the blocks after it carry their own framing and
  // checksums, so they are still worth finding.
  have_run_ = have_seq_ = false;
  const uint64_t first = scan_for_block(1);
  off_ = first == kNotFound ? size_ : first;
  stats_.skipped_bytes += off_;
  issue(IssueKind::bad_header, 0,
        "invalid segment header (" + std::string(to_string(hs)) + "); " +
            (first == kNotFound ? std::string("no valid block in the file")
                                : "blocks resume at offset " + num(first)));
  return true;
}

uint64_t RecordingReader::scan_for_block(uint64_t from) {
  if (from >= size_) return kNotFound;
  const auto want = static_cast<size_t>(std::min<uint64_t>(kScanChunk, size_ - from));
  if (scan_.size() < want) scan_.resize(want);
  uint64_t pos = from;
  while (pos + kBlockHeaderSize <= size_) {
    const auto n = static_cast<size_t>(std::min<uint64_t>(kScanChunk, size_ - pos));
    if (!read_at(pos, scan_.data(), n)) return kNotFound;
    const uint8_t* base = scan_.data();
    size_t i = 0;
    while (i + kBlockHeaderSize <= n) {
      const void* m = std::memchr(base + i, kBlockMagic[0], n - kBlockHeaderSize + 1 - i);
      if (m == nullptr) break;
      i = static_cast<size_t>(static_cast<const uint8_t*>(m) - base);
      BlockHeader h;
      if (decode_block_header(base + i, h) == HeaderStatus::ok) return pos + i;
      ++i;
    }
    if (pos + n >= size_) break;
    pos += n - (kBlockHeaderSize - 1);  // a header may straddle the chunk boundary
  }
  return kNotFound;
}

bool RecordingReader::load_block() {
  while (off_ < size_) {
    const uint64_t at = off_;
    const uint64_t left = size_ - at;
    if (left < kBlockHeaderSize) {
      issue(IssueKind::torn_tail, at, "incomplete block header (" + num(left) + " bytes)");
      stats_.skipped_bytes += left;
      off_ = size_;
      return false;
    }
    uint8_t hb[kBlockHeaderSize];
    if (!read_at(at, hb, sizeof hb)) return false;
    BlockHeader h;
    if (const HeaderStatus hs = decode_block_header(hb, h); hs != HeaderStatus::ok) {
      const uint64_t next = scan_for_block(at + 1);
      const std::string why = "invalid block header (" + std::string(to_string(hs)) + ")";
      if (next == kNotFound) {
        // Damage that runs to the end of the file is what a crash leaves behind.
        issue(IssueKind::torn_tail, at, why + "; no valid block follows: last " + num(left) +
                                            " bytes ignored");
        stats_.skipped_bytes += left;
        off_ = size_;
        return false;
      }
      issue(IssueKind::corrupt_block, at,
            why + "; skipped " + num(next - at) + " bytes to the next block at " + num(next));
      stats_.skipped_bytes += next - at;
      off_ = next;
      continue;
    }
    const uint64_t end = at + kBlockHeaderSize + h.comp_len;
    if (end > size_) {
      issue(IssueKind::torn_tail, at,
            "block of " + num(kBlockHeaderSize + h.comp_len) + " bytes cut off after " +
                num(left) + " bytes");
      stats_.skipped_bytes += left;
      off_ = size_;
      return false;
    }
    if (comp_.size() < h.comp_len) comp_.resize(h.comp_len);
    if (!read_at(at + kBlockHeaderSize, comp_.data(), h.comp_len)) return false;
    off_ = end;
    auto skip = [&](IssueKind k, const std::string& msg) {
      issue(k, at, msg);
      stats_.skipped_bytes += end - at;
    };
    if (crc32c(comp_.data(), h.comp_len) != h.payload_crc) {
      if (end == size_)
        skip(IssueKind::torn_tail, "last block fails its checksum (torn write), ignored");
      else
        skip(IssueKind::corrupt_block,
             "block checksum mismatch; skipped " + num(end - at) + " bytes");
      continue;
    }
    if (raw_.size() < h.raw_len) raw_.resize(h.raw_len);
    if (h.codec == Codec::zstd) {
      const size_t r = ZSTD_decompressDCtx(dctx_, raw_.data(), h.raw_len, comp_.data(), h.comp_len);
      if (ZSTD_isError(r) || r != h.raw_len) {
        skip(IssueKind::corrupt_block,
             std::string("block does not decompress (") +
                 (ZSTD_isError(r) ? ZSTD_getErrorName(r) : "size mismatch") + "); skipped");
        continue;
      }
    } else if (h.codec == Codec::stored && h.comp_len == h.raw_len) {
      std::memcpy(raw_.data(), comp_.data(), h.raw_len);
    } else {
      skip(IssueKind::unsupported,
           "unknown codec " + num(static_cast<uint8_t>(h.codec)) + "; block skipped");
      continue;
    }
    raw_len_ = h.raw_len;
    pos_ = 0;
    block_count_ = h.record_count;
    block_seen_ = 0;
    block_off_ = at;
    ++stats_.blocks;
    return true;
  }
  return false;
}

bool RecordingReader::decode_record(Record& out) {
  const uint8_t* p = raw_.data() + pos_;
  const size_t rem = raw_len_ - pos_;
  auto bad = [&](const char* why) {
    issue(IssueKind::corrupt_record, block_off_,
          "record " + num(block_seen_) + " at block byte " + num(pos_) + ": " + why +
              "; rest of the block skipped");
    pos_ = raw_len_;
    return false;
  };
  if (rem < kRecordHeaderSize) return bad("truncated header");
  const RecordHeader h = decode_record_header(p);
  const size_t len = h.total();
  if (len > rem) return bad("length runs past the block");
  if (o_.verify_records && record_crc(p, len) != h.crc) return bad("checksum mismatch");
  pos_ += len;
  ++block_seen_;
  if (pos_ == raw_len_ && block_seen_ != block_count_)
    issue(IssueKind::corrupt_record, block_off_,
          "block holds " + num(block_seen_) + " records, its header says " + num(block_count_));
  if ((h.flags & kFlagRepeat) == 0) {
    if (have_seq_ && h.seq > next_seq_) stats_.missing += h.seq - next_seq_;
    if (!have_seq_ || h.seq >= next_seq_) next_seq_ = h.seq + 1;
    have_seq_ = true;
  }
  const bool known = (h.type == RecordType::raw && h.kind <= static_cast<uint8_t>(RawKind::poll)) ||
                     h.type == RecordType::meta;
  if (!known) {
    ++stats_.unknown_records;
    return false;
  }
  out.type = h.type;
  out.kind = static_cast<RawKind>(h.kind);
  out.flags = h.flags;
  out.feed = h.feed;
  out.index = h.index;
  out.seq = h.seq;
  out.t = h.t;
  out.venue = {reinterpret_cast<const char*>(p + kRecordHeaderSize), h.venue_len};
  out.payload = {reinterpret_cast<const char*>(p + kRecordHeaderSize + h.venue_len),
                 h.payload_len};
  out.file = cur_file_;
  out.block_offset = block_off_;
  ++stats_.records;
  return true;
}

bool RecordingReader::next(Record& out) {
  for (;;) {
    if (pos_ < raw_len_) {
      if (decode_record(out)) return true;
      continue;
    }
    if (fd_ >= 0) {
      if (load_block()) continue;
      close_file();
    }
    if (next_file_ >= files_.size()) return false;
    open_file(next_file_++);
  }
}

}  // namespace mdhub::record
