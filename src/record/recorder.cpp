#include "src/record/recorder.hpp"

#include <zstd.h>

#include <algorithm>
#include <bit>
#include <ctime>

#include "feeds/common/clock.hpp"
#include "src/record/byte_ring.hpp"
#include "src/record/format.hpp"
#include "src/record/segment_writer.hpp"

namespace mdhub::record {
namespace {

// Upper bound on how long the writer sleeps: a wake-up the producer sends while the writer
// is just about to sleep can be missed (the producer never takes a lock), so the writer
// also looks at the queue this often.
constexpr auto kIdleWait = std::chrono::milliseconds(5);
constexpr size_t kMaxPendingMeta = 16;

// Counters written by one thread only: a plain load + store, no locked instruction.
inline void bump(std::atomic<uint64_t>& a, uint64_t n = 1) {
  a.store(a.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

RecorderOptions sanitize(RecorderOptions o) {
  o.queue_bytes = std::bit_ceil(std::clamp<size_t>(o.queue_bytes, 4096, size_t{1} << 32));
  o.block_bytes = std::clamp<size_t>(o.block_bytes, 1, 64u << 20);
  o.max_payload_bytes = std::min(
      {o.max_payload_bytes, o.queue_bytes - kRecordHeaderSize - 255, size_t{128} << 20});
  o.zstd_level = std::clamp(o.zstd_level, ZSTD_minCLevel(), ZSTD_maxCLevel());
  if (o.max_segment_bytes < 4096) o.max_segment_bytes = 4096;
  if (o.flush_interval.count() <= 0) o.flush_interval = std::chrono::milliseconds(1);
  return o;
}

}  // namespace

struct Recorder::Shared {
  explicit Shared(size_t cap) : ring(cap) {}
  ByteRing ring;
  // Written by the producer only.
  std::atomic<uint64_t> records{0}, bytes_in{0}, dropped{0}, too_large{0};
  WriterCounters w;
  size_t wake_threshold = 0;
  std::atomic<bool> sleeping{false};

  std::mutex m;
  std::condition_variable wake;     // the writer waits here
  std::condition_variable flushed;  // flush() waits here
  bool stop = false;
  bool stopped = false;
  uint64_t flush_req = 0;   // flush() calls so far
  uint64_t flush_done = 0;  // flush requests the writer has completed
  bool synced_ok = true;    // outcome of the last completed flush

  mutable std::mutex err_m;
  std::string last_error;
};

namespace {

void drain(ByteRing& ring, SegmentWriter& w, Clock::time_point now) {
  size_t avail = ring.readable();
  while (avail >= kRecordHeaderSize) {
    uint8_t hdr[kRecordHeaderSize];
    ring.peek(0, hdr, sizeof hdr);
    const size_t len = decode_record_header(hdr).total();
    uint8_t* dst = w.reserve(len, now);
    ring.peek(0, dst, len);
    ring.consume(len);
    w.commit(len, now);
    avail -= len;
  }
}

void writer_main(Recorder::Shared& sh, const RecorderOptions& o) {
  if (o.on_thread_start) o.on_thread_start();
  SegmentWriter w(o, sh.w, [&sh, &o](const std::string& msg) {
    {
      std::lock_guard lk(sh.err_m);
      sh.last_error = msg;
    }
    if (o.on_error) o.on_error(msg);
  });
  auto now = Clock::now();
  w.start(now);
  auto next_flush = now + o.flush_interval;
  uint64_t flushes_done = 0;
  uint64_t lost_reported = 0;
  for (;;) {
    bool stop = false;
    uint64_t flush_req = 0;
    {
      std::lock_guard lk(sh.m);
      stop = sh.stop;
      flush_req = sh.flush_req;
    }
    // Everything queued before the flush request (or before stop) is in the ring by now.
    now = Clock::now();
    drain(sh.ring, w, now);
    if (stop) {
      w.close(now);
      std::lock_guard lk(sh.m);
      sh.flush_done = flush_req;
      sh.synced_ok = w.healthy();
      sh.stopped = true;
      sh.flushed.notify_all();
      return;
    }
    if (flush_req > flushes_done || now >= next_flush) {
      bool ok = w.flush(true, now);
      next_flush = now + o.flush_interval;
      if (flush_req > flushes_done) {
        // Also false when records were lost since the previous flush(), even if the writer
        // has recovered on a new segment meanwhile.
        const uint64_t lost = sh.w.lost.load(std::memory_order_relaxed);
        ok = ok && lost == lost_reported;
        lost_reported = lost;
        flushes_done = flush_req;
        std::lock_guard lk(sh.m);
        sh.flush_done = flush_req;
        sh.synced_ok = ok;
        sh.flushed.notify_all();
      }
    }
    w.tick(now);

    std::unique_lock lk(sh.m);
    sh.sleeping.store(true);
    if (sh.ring.readable() == 0 && !sh.stop && sh.flush_req == flushes_done) {
      const auto until_flush = next_flush - Clock::now();
      sh.wake.wait_for(lk, std::min<Clock::duration>(until_flush, kIdleWait));
    }
    sh.sleeping.store(false, std::memory_order_relaxed);
  }
}

}  // namespace

Recorder::Recorder(RecorderOptions opts) : opts_(sanitize(std::move(opts))) {
  sh_ = std::make_unique<Shared>(opts_.queue_bytes);
  sh_->wake_threshold = std::max<size_t>(1, std::min(sh_->ring.capacity() / 4, opts_.block_bytes));
  thread_ = std::thread([sh = sh_.get(), o = &opts_] { writer_main(*sh, *o); });
}

Recorder::~Recorder() { close(); }

Recorder::PushResult Recorder::push(uint8_t type, uint8_t kind, uint32_t feed, int32_t index,
                                    uint64_t seq, RecvTime t, std::string_view venue,
                                    std::string_view payload) noexcept {
  Shared& sh = *sh_;
  if (closed_) {
    bump(sh.dropped);
    return PushResult::refused;
  }
  if (payload.size() > opts_.max_payload_bytes || venue.size() > 255) {
    bump(sh.too_large);
    bump(sh.dropped);
    return PushResult::refused;
  }
  RecordHeader h;
  h.payload_len = static_cast<uint32_t>(payload.size());
  h.seq = seq;
  h.t = t;
  h.feed = feed;
  h.index = index;
  h.type = static_cast<RecordType>(type);
  h.kind = kind;
  h.venue_len = static_cast<uint8_t>(venue.size());
  uint8_t hdr[kRecordHeaderSize];
  encode_record_header(h, hdr);  // the writer thread fills in the checksum
  const std::string_view parts[3] = {
      {reinterpret_cast<const char*>(hdr), sizeof hdr}, venue, payload};
  if (!sh.ring.try_write(parts, 3, h.total())) return PushResult::full;
  bump(sh.records);
  bump(sh.bytes_in, payload.size());
  if (sh.ring.used_by_producer() >= sh.wake_threshold &&
      sh.sleeping.load(std::memory_order_relaxed)) {
    sh.sleeping.store(false, std::memory_order_relaxed);
    sh.wake.notify_one();
  }
  return PushResult::ok;
}

bool Recorder::push_pending_meta() noexcept {
  while (!pending_meta_.empty()) {
    const PendingMeta& m = pending_meta_.front();
    if (push(static_cast<uint8_t>(RecordType::meta), 0, 0, 0, m.seq, m.t, m.name, m.json) ==
        PushResult::full)
      return false;
    pending_meta_.pop_front();
  }
  return true;
}

bool Recorder::record(size_t feed, std::string_view venue, RawKind kind, int index, RecvTime t,
                      std::string_view payload) noexcept {
  const uint64_t seq = next_seq_++;
  // A held meta record goes first, so records keep their order in the recording.
  if (!pending_meta_.empty() && !push_pending_meta()) {
    bump(sh_->dropped);
    return false;
  }
  const PushResult r = push(static_cast<uint8_t>(RecordType::raw), static_cast<uint8_t>(kind),
                            static_cast<uint32_t>(feed), index, seq, t, venue, payload);
  if (r == PushResult::full) bump(sh_->dropped);
  return r == PushResult::ok;
}

bool Recorder::record_meta(std::string_view name, std::string_view json) {
  return record_meta(name, json, now());
}

bool Recorder::record_meta(std::string_view name, std::string_view json, RecvTime t) {
  const uint64_t seq = next_seq_++;
  if (push_pending_meta()) {
    const PushResult r =
        push(static_cast<uint8_t>(RecordType::meta), 0, 0, 0, seq, t, name, json);
    if (r != PushResult::full) return r == PushResult::ok;
  }
  if (pending_meta_.size() >= kMaxPendingMeta) {
    bump(sh_->dropped);
    return false;
  }
  pending_meta_.push_back(PendingMeta{std::string(name), std::string(json), t, seq});
  return true;
}

bool Recorder::flush(std::chrono::milliseconds timeout) {
  Shared& sh = *sh_;
  std::unique_lock lk(sh.m);
  if (sh.stopped || sh.stop) return false;
  const uint64_t mine = ++sh.flush_req;
  sh.wake.notify_one();
  const bool done =
      sh.flushed.wait_for(lk, timeout, [&] { return sh.flush_done >= mine || sh.stopped; });
  return done && sh.flush_done >= mine && sh.synced_ok;
}

void Recorder::close() {
  if (!thread_.joinable()) return;
  push_pending_meta();
  closed_ = true;
  bump(sh_->dropped, pending_meta_.size());
  pending_meta_.clear();
  {
    std::lock_guard lk(sh_->m);
    sh_->stop = true;
  }
  sh_->wake.notify_one();
  thread_.join();
}

RecorderStats Recorder::stats() const {
  const Shared& sh = *sh_;
  constexpr auto r = std::memory_order_relaxed;
  RecorderStats s;
  s.records = sh.records.load(r);
  s.bytes_in = sh.bytes_in.load(r);
  s.dropped = sh.dropped.load(r);
  s.too_large = sh.too_large.load(r);
  s.records_written = sh.w.records_written.load(r);
  s.lost = sh.w.lost.load(r);
  s.bytes_written = sh.w.bytes_written.load(r);
  s.blocks = sh.w.blocks.load(r);
  s.segments = sh.w.segments.load(r);
  s.segments_deleted = sh.w.segments_deleted.load(r);
  s.bytes_deleted = sh.w.bytes_deleted.load(r);
  s.healthy = !sh.w.failing.load(r);
  s.errors = sh.w.errors.load(r);
  s.fsyncs = sh.w.fsyncs.load(r);
  s.last_fsync_ns = sh.w.last_fsync_ns.load(r);
  for (size_t i = 0; i < kFsyncBuckets; ++i) s.fsync_buckets[i] = sh.w.fsync_buckets[i].load(r);
  s.fsync_sum_ns = sh.w.fsync_sum_ns.load(r);
  s.queue_used = sh.ring.write_position() - sh.ring.read_position();
  return s;
}

std::string Recorder::last_error() const {
  std::lock_guard lk(sh_->err_m);
  return sh_->last_error;
}

}  // namespace mdhub::record
