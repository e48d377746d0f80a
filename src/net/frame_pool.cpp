// The frame pool: two bounded lock-free stacks, one of string buffers and one of
// fixed-size blocks for shared_ptr control blocks. Taken from on the publishing thread,
// given back on any thread.
#include "src/net/frame_pool.hpp"

#include <boost/lockfree/stack.hpp>

#include <atomic>
#include <memory>
#include <new>

namespace mdhub::net {
namespace {

/// Room for a shared_ptr control block with a stateless deleter and allocator.
constexpr size_t kBlockSize = 64;
constexpr size_t kFirstCapacity = 512;

class Pool {
 public:
  std::string* take() {
    std::string* s = nullptr;
    if (buffers_.pop(s)) {
      reused_.fetch_add(1, std::memory_order_relaxed);
      s->clear();
      return s;
    }
    fresh_.fetch_add(1, std::memory_order_relaxed);
    s = new std::string;
    s->reserve(kFirstCapacity);
    return s;
  }
  void give(std::string* s) {
    if (s->capacity() > kFramePoolKeepCapacity || !buffers_.bounded_push(s)) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      delete s;
    }
  }
  void* block() {
    void* p = nullptr;
    if (blocks_.pop(p)) return p;
    return ::operator new(kBlockSize);
  }
  void give_block(void* p) {
    if (!blocks_.bounded_push(p)) ::operator delete(p);
  }
  FramePoolStats stats() const {
    return {reused_.load(std::memory_order_relaxed), fresh_.load(std::memory_order_relaxed),
            dropped_.load(std::memory_order_relaxed)};
  }

 private:
  boost::lockfree::stack<std::string*, boost::lockfree::capacity<kFramePoolBuffers>> buffers_;
  boost::lockfree::stack<void*, boost::lockfree::capacity<kFramePoolBuffers>> blocks_;
  std::atomic<uint64_t> reused_{0}, fresh_{0}, dropped_{0};
};

/// Never destroyed: a frame may be released after every publisher, even during exit.
Pool& pool() {
  static Pool* p = new Pool;
  return *p;
}

struct GiveBack {
  void operator()(std::string* s) const { pool().give(s); }
};

/// shared_ptr's control block comes from the pool's blocks.
template <class T>
struct BlockAlloc {
  using value_type = T;
  BlockAlloc() = default;
  template <class U>
  BlockAlloc(const BlockAlloc<U>&) noexcept {}  // NOLINT: rebinding, as allocators do
  T* allocate(size_t n) {
    if (n == 1 && sizeof(T) <= kBlockSize && alignof(T) <= alignof(std::max_align_t))
      return static_cast<T*>(pool().block());
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, size_t n) noexcept {
    if (n == 1 && sizeof(T) <= kBlockSize && alignof(T) <= alignof(std::max_align_t)) return pool().give_block(p);
    std::allocator<T>().deallocate(p, n);
  }
  template <class U>
  bool operator==(const BlockAlloc<U>&) const noexcept { return true; }
};

}  // namespace

FrameText::FrameText() : buf_(pool().take()) {}

FrameText::~FrameText() {
  if (buf_) pool().give(buf_);
}

SharedText FrameText::finish() {
  std::string* s = buf_;
  buf_ = nullptr;
  return SharedText(s, GiveBack{}, BlockAlloc<char>{});
}

FramePoolStats frame_pool_stats() { return pool().stats(); }

}  // namespace mdhub::net
