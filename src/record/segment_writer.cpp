#include "src/record/segment_writer.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <random>

#include "src/record/crc32c.hpp"
#include "src/record/format.hpp"

namespace mdhub::record {
namespace {

constexpr size_t kMaxRepeatedMeta = 64;
constexpr size_t kMaxRepeatedMetaBytes = 1u << 20;

int64_t wall_now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::string errno_text(int err) { return std::strerror(err); }

// Returns 0 or the errno of the failing write; a short write is continued, so a partial
// block only ever stays on disk when the device refuses the rest.
int write_all(int fd, const uint8_t* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (w == 0) return EIO;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return 0;
}

}  // namespace

uint8_t* ByteBuf::extend(size_t n) {
  if (size_ + n > cap_) {
    size_t cap = cap_ ? cap_ : 4096;
    while (cap < size_ + n) cap *= 2;
    std::unique_ptr<uint8_t[]> p(new uint8_t[cap]);
    if (size_) std::memcpy(p.get(), p_.get(), size_);
    p_ = std::move(p);
    cap_ = cap;
  }
  uint8_t* r = p_.get() + size_;
  size_ += n;
  return r;
}

void ByteBuf::trim(size_t limit) {
  if (cap_ > limit && size_ == 0) {
    p_.reset();
    cap_ = 0;
  }
}

SegmentWriter::SegmentWriter(const RecorderOptions& o, WriterCounters& c, Report report)
    : o_(o), c_(c), report_(std::move(report)), cctx_(ZSTD_createCCtx()) {
  ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, o_.zstd_level);
  // Records carry their own CRC-32C; zstd's XXH64 frame checksum would only repeat it.
  ZSTD_CCtx_setParameter(cctx_, ZSTD_c_checksumFlag, 0);
  std::random_device rd;
  run_id_ = (static_cast<uint64_t>(rd()) << 32) ^ rd() ^ static_cast<uint64_t>(wall_now_ns());
}

SegmentWriter::~SegmentWriter() {
  if (fd_ >= 0) ::close(fd_);
  ZSTD_freeCCtx(cctx_);
}

void SegmentWriter::start(Clock::time_point now) { open_segment(now); }

uint8_t* SegmentWriter::reserve(size_t len, Clock::time_point now) {
  if (block_records_ > 0 && raw_.size() + len > o_.block_bytes) finish_block(now);
  return raw_.extend(len);
}

void SegmentWriter::commit(size_t len, Clock::time_point now) {
  uint8_t* rec = raw_.data() + raw_.size() - len;
  seal_record(rec, len);
  const RecordHeader h = decode_record_header(rec);
  if (block_records_ == 0) {
    first_seq_ = h.seq;
    first_wall_ = h.t.wall_ns;
  }
  last_wall_ = h.t.wall_ns;
  ++block_records_;
  if (h.type == RecordType::meta) remember_meta(rec, len);
  if (raw_.size() >= o_.block_bytes) finish_block(now);
}

void SegmentWriter::remember_meta(const uint8_t* rec, size_t len) {
  const RecordHeader h = decode_record_header(rec);
  if (h.payload_len > kMaxRepeatedMetaBytes) return;
  std::string name(reinterpret_cast<const char*>(rec + kRecordHeaderSize), h.venue_len);
  auto it = metas_.find(name);
  if (it == metas_.end()) {
    if (metas_.size() >= kMaxRepeatedMeta) return;
    it = metas_.emplace(std::move(name), std::vector<uint8_t>{}).first;
  }
  it->second.assign(rec, rec + len);
}

size_t SegmentWriter::build_block(const uint8_t* raw, size_t n, uint32_t count,
                                  uint64_t first_seq, int64_t first_wall, int64_t last_wall,
                                  ByteBuf& out) {
  const size_t bound = ZSTD_compressBound(n);
  out.clear();
  uint8_t* p = out.extend(kBlockHeaderSize + bound);
  const size_t z = ZSTD_compress2(cctx_, p + kBlockHeaderSize, bound, raw, n);
  if (ZSTD_isError(z)) {
    fail(std::string("recorder: compression failed: ") + ZSTD_getErrorName(z), Clock::now());
    return 0;
  }
  BlockHeader h;
  h.comp_len = static_cast<uint32_t>(z);
  h.raw_len = static_cast<uint32_t>(n);
  h.record_count = count;
  h.first_seq = first_seq;
  h.first_wall_ns = first_wall;
  h.last_wall_ns = last_wall;
  h.codec = Codec::zstd;
  h.payload_crc = crc32c(p + kBlockHeaderSize, z);
  encode_block_header(h, p);
  out.truncate(kBlockHeaderSize + z);
  return out.size();
}

void SegmentWriter::finish_block(Clock::time_point now) {
  if (block_records_ == 0) return;
  const uint32_t n = block_records_;
  const size_t bytes = build_block(raw_.data(), raw_.size(), n, first_seq_, first_wall_,
                                   last_wall_, out_);
  if (bytes > 0 && ensure_segment(now, bytes) && write_out(out_.data(), bytes, now)) {
    ++seg_data_blocks_;
    unsynced_records_ += n;
    c_.blocks.fetch_add(1, std::memory_order_relaxed);
    c_.records_written.fetch_add(n, std::memory_order_relaxed);
  } else {
    c_.lost.fetch_add(n, std::memory_order_relaxed);
  }
  raw_.clear();
  block_records_ = 0;
  raw_.trim(4 * o_.block_bytes + (1u << 20));
  out_.clear();
  out_.trim(4 * o_.block_bytes + (1u << 20));
}

bool SegmentWriter::ensure_segment(Clock::time_point now, size_t next_block_bytes) {
  if (fd_ >= 0 && seg_data_blocks_ > 0 &&
      (now - seg_opened_ >= o_.max_segment_age ||
       seg_bytes_ + next_block_bytes > o_.max_segment_bytes))
    close_segment(now);
  if (fd_ >= 0) return true;
  if (failed_ && now < retry_at_) return false;
  return open_segment(now);
}

bool SegmentWriter::open_segment(Clock::time_point now) {
  std::error_code ec;
  std::filesystem::create_directories(o_.dir, ec);
  if (ec) {
    fail("recorder: cannot create directory " + o_.dir + ": " + ec.message(), now);
    return false;
  }
  const int64_t wall = wall_now_ns();
  for (int attempt = 0; attempt < 1000; ++attempt) {
    path_ = (std::filesystem::path(o_.dir) / segment_file_name(wall, name_counter_++)).string();
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ >= 0 || errno != EEXIST) break;
  }
  if (fd_ < 0) {
    fail("recorder: cannot create segment " + path_ + ": " + errno_text(errno), now);
    return false;
  }
  seg_bytes_ = 0;
  seg_data_blocks_ = 0;
  seg_opened_ = now;
  SegmentHeader sh;
  sh.run_id = run_id_;
  sh.created_wall_ns = wall;
  sh.segment_index = segment_index_++;
  uint8_t hdr[kSegmentHeaderSize];
  encode_segment_header(sh, hdr);
  if (!write_out(hdr, sizeof hdr, now)) return false;
  // The new name must survive a crash too, not only the data written into it.
  if (const int dfd = ::open(o_.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  failed_ = false;
  c_.failing.store(false, std::memory_order_relaxed);
  c_.segments.fetch_add(1, std::memory_order_relaxed);
  if (!write_repeated_meta(now)) return false;
  enforce_retention(now);
  return true;
}

bool SegmentWriter::write_repeated_meta(Clock::time_point now) {
  if (metas_.empty()) return true;
  meta_raw_.clear();
  uint64_t first_seq = 0;
  int64_t first_wall = 0, last_wall = 0;
  bool first = true;
  for (auto& [name, rec] : metas_) {
    uint8_t* p = meta_raw_.extend(rec.size());
    std::memcpy(p, rec.data(), rec.size());
    p[42] = static_cast<uint8_t>(p[42] | kFlagRepeat);
    seal_record(p, rec.size());
    const RecordHeader h = decode_record_header(p);
    if (first) {
      first_seq = h.seq;
      first_wall = h.t.wall_ns;
      first = false;
    }
    last_wall = h.t.wall_ns;
  }
  const size_t bytes = build_block(meta_raw_.data(), meta_raw_.size(),
                                   static_cast<uint32_t>(metas_.size()), first_seq, first_wall,
                                   last_wall, meta_out_);
  if (bytes == 0 || !write_out(meta_out_.data(), bytes, now)) return false;
  c_.blocks.fetch_add(1, std::memory_order_relaxed);
  return true;
}

bool SegmentWriter::write_out(const uint8_t* p, size_t n, Clock::time_point now) {
  if (const int err = write_all(fd_, p, n); err != 0) {
    fail("recorder: write to " + path_ + " failed at offset " + std::to_string(seg_bytes_) +
             ": " + errno_text(err),
         now);
    return false;
  }
  seg_bytes_ += n;
  dirty_ = true;
  c_.bytes_written.fetch_add(n, std::memory_order_relaxed);
  return true;
}

bool SegmentWriter::sync_file(Clock::time_point now) {
  if (fd_ < 0 || !dirty_) return true;
  const auto t0 = Clock::now();
  if (::fdatasync(fd_) != 0) {
    // After a failed fdatasync the state of the written pages is unknown: abandon the
    // segment, and count what was written since the last good one as lost.
    c_.lost.fetch_add(unsynced_records_, std::memory_order_relaxed);
    unsynced_records_ = 0;
    fail("recorder: fdatasync of " + path_ + " failed: " + errno_text(errno), now);
    return false;
  }
  const int64_t took = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
  c_.last_fsync_ns.store(took, std::memory_order_relaxed);
  size_t b = 0;
  while (b < kFsyncBoundsNs.size() && took > kFsyncBoundsNs[b]) ++b;
  // The writer thread is the only writer: readers (metrics) may see the bucket and the sum
  // of one sample a scrape apart, never a torn value.
  c_.fsync_buckets[b].fetch_add(1, std::memory_order_relaxed);
  c_.fsync_sum_ns.fetch_add(static_cast<uint64_t>(std::max<int64_t>(took, 0)), std::memory_order_relaxed);
  c_.fsyncs.fetch_add(1, std::memory_order_relaxed);
  dirty_ = false;
  unsynced_records_ = 0;
  return true;
}

bool SegmentWriter::flush(bool sync, Clock::time_point now) {
  finish_block(now);
  if (sync) sync_file(now);
  return !failed_;
}

void SegmentWriter::tick(Clock::time_point now) {
  if (fd_ >= 0 && seg_data_blocks_ > 0 && block_records_ == 0 &&
      now - seg_opened_ >= o_.max_segment_age)
    close_segment(now);
  if (o_.keep_age.count() > 0 && now >= retention_at_) enforce_retention(now);
}

void SegmentWriter::enforce_retention(Clock::time_point now) {
  if (o_.max_total_bytes == 0 && o_.keep_age.count() == 0) return;
  // Ages are checked again every 10 s, or every keep_age when that is shorter.
  const Clock::duration every = std::chrono::seconds(10);
  retention_at_ = now + (o_.keep_age.count() > 0 ? std::min<Clock::duration>(every, o_.keep_age) : every);
  namespace fs = std::filesystem;
  struct Seg {
    std::string name;
    uint64_t bytes;
    fs::file_time_type written;
  };
  std::vector<Seg> segs;
  uint64_t total = 0;
  std::error_code ec;
  for (fs::directory_iterator it(o_.dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with("seg-") || !name.ends_with(kSegmentSuffix)) continue;
    std::error_code e1, e2;
    const uint64_t bytes = it->file_size(e1);
    const auto written = it->last_write_time(e2);
    if (e1 || e2) continue;  // vanished meanwhile
    if (fd_ >= 0 && it->path().string() == path_) continue;  // the open one is never deleted
    total += bytes;
    segs.push_back({name, bytes, written});
  }
  // Room is kept for the open segment to grow to its rotation size.
  const uint64_t budget = o_.max_total_bytes - std::min(o_.max_total_bytes, o_.max_segment_bytes);
  // Segment names sort in the order they were created (UTC time, then a counter).
  std::sort(segs.begin(), segs.end(), [](const Seg& a, const Seg& b) { return a.name < b.name; });
  const auto oldest_kept = fs::file_time_type::clock::now() - o_.keep_age;
  for (const Seg& s : segs) {
    const bool over_size = o_.max_total_bytes > 0 && total > budget;
    const bool too_old = o_.keep_age.count() > 0 && s.written < oldest_kept;
    if (!over_size && !too_old) break;
    if (!fs::remove(fs::path(o_.dir) / s.name, ec) || ec) {
      if (report_) report_("recorder: retention cannot delete " + s.name + ": " + ec.message());
      break;
    }
    total -= s.bytes;
    c_.segments_deleted.fetch_add(1, std::memory_order_relaxed);
    c_.bytes_deleted.fetch_add(s.bytes, std::memory_order_relaxed);
  }
}

void SegmentWriter::close(Clock::time_point now) {
  flush(true, now);
  if (fd_ >= 0) close_segment(now);
}

void SegmentWriter::close_segment(Clock::time_point now) {
  if (!sync_file(now)) return;  // fail() closed it
  ::close(fd_);
  fd_ = -1;
}

void SegmentWriter::fail(const std::string& msg, Clock::time_point now) {
  c_.errors.fetch_add(1, std::memory_order_relaxed);
  c_.failing.store(true, std::memory_order_relaxed);
  failed_ = true;
  retry_at_ = now + o_.retry_interval;
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
    // A segment that holds no data yet (header, repeated meta) is not worth keeping: without
    // this, every retry on a full disk would leave one more empty file behind.
    if (seg_data_blocks_ == 0) ::unlink(path_.c_str());
  }
  dirty_ = false;
  unsynced_records_ = 0;
  if (report_) report_(msg);
  // A full disk may be relieved by retention (when configured) before the retry.
  enforce_retention(now);
}

}  // namespace mdhub::record
