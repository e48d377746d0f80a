#pragma once
// A bounded single-producer / single-consumer byte queue: the hand-off from the network
// thread to the recorder's writer thread. Entries are plain byte runs that may wrap around
// the end of the buffer; the consumer copies them out. Wait-free on both sides: a full
// queue refuses the write (the caller drops and counts), it never blocks or grows.
// Thread safety: exactly one producer thread and one consumer thread.
#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

namespace mdhub::record {

class ByteRing {
 public:
  /// Capacity is rounded up to a power of two (at least 64 bytes).
  explicit ByteRing(size_t capacity)
      : cap_(std::bit_ceil(std::max<size_t>(capacity, 64))), mask_(cap_ - 1),
        buf_(new uint8_t[cap_]) {}

  size_t capacity() const { return cap_; }

  // --- producer ---
  /// Appends the concatenation of `parts` as one run, or nothing if it does not fit.
  bool try_write(const std::string_view* parts, size_t count, size_t total) noexcept {
    const uint64_t head = head_.load(std::memory_order_relaxed);
    if (cap_ - (head - tail_cache_) < total) {
      tail_cache_ = tail_.load(std::memory_order_acquire);
      if (cap_ - (head - tail_cache_) < total) return false;
    }
    uint64_t pos = head;
    for (size_t i = 0; i < count; ++i) {
      copy_in(pos, parts[i].data(), parts[i].size());
      pos += parts[i].size();
    }
    head_.store(head + total, std::memory_order_release);
    return true;
  }
  /// Bytes in use as last seen by the producer (may overstate; cheap).
  size_t used_by_producer() const noexcept {
    return static_cast<size_t>(head_.load(std::memory_order_relaxed) - tail_cache_);
  }

  // --- consumer ---
  /// Bytes available to read.
  size_t readable() const noexcept {
    return static_cast<size_t>(head_.load(std::memory_order_acquire) -
                               tail_.load(std::memory_order_relaxed));
  }
  /// Copies `n` bytes starting `off` bytes after the read position (must be readable).
  void peek(size_t off, void* dst, size_t n) const noexcept {
    const uint64_t pos = tail_.load(std::memory_order_relaxed) + off;
    const size_t at = static_cast<size_t>(pos & mask_);
    const size_t first = std::min(n, cap_ - at);
    std::memcpy(dst, buf_.get() + at, first);
    if (first < n) std::memcpy(static_cast<uint8_t*>(dst) + first, buf_.get(), n - first);
  }
  void consume(size_t n) noexcept {
    tail_.store(tail_.load(std::memory_order_relaxed) + n, std::memory_order_release);
  }

  // --- either side ---
  /// Total bytes ever written / consumed (monotonic positions).
  uint64_t write_position() const noexcept { return head_.load(std::memory_order_acquire); }
  uint64_t read_position() const noexcept { return tail_.load(std::memory_order_acquire); }

 private:
  void copy_in(uint64_t pos, const char* src, size_t n) noexcept {
    if (n == 0) return;
    const size_t at = static_cast<size_t>(pos & mask_);
    const size_t first = std::min(n, cap_ - at);
    std::memcpy(buf_.get() + at, src, first);
    if (first < n) std::memcpy(buf_.get(), src + first, n - first);
  }

  const size_t cap_;
  const size_t mask_;
  std::unique_ptr<uint8_t[]> buf_;
  // The producer's index and its cached copy of the consumer's share a cache line, so the
  // producer reads the consumer's line only when the cached free space runs out.
  alignas(64) std::atomic<uint64_t> head_{0};
  uint64_t tail_cache_ = 0;
  alignas(64) std::atomic<uint64_t> tail_{0};
};

}  // namespace mdhub::record
