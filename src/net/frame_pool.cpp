// The frame pool: two bounded free lists behind one mutex, one of string buffers and one of
// fixed-size blocks for shared_ptr control blocks. Taken from on the publishing thread, given
// back on any thread. A mutex rather than boost::lockfree::stack: the lock is held for a push
// or a pop, uncontended almost always, and ThreadSanitizer can check it (it reports the
// lock-free stack's tagged-pointer free list, whose races are by design).
#include "src/net/frame_pool.hpp"

#include <cstddef>
#include <memory>
#include <mutex>
#include <new>
#include <vector>

namespace mdhub::net {
namespace {

/// Room for a shared_ptr control block with a stateless deleter and allocator.
constexpr size_t kBlockSize = 64;
constexpr size_t kFirstCapacity = 512;

class Pool {
 public:
  Pool() {
    buffers_.reserve(kFramePoolBuffers);
    blocks_.reserve(kFramePoolBuffers);
  }
  std::string* take() {
    {
      std::lock_guard lock(mutex_);
      if (!buffers_.empty()) {
        std::string* s = buffers_.back();
        buffers_.pop_back();
        ++reused_;
        s->clear();
        return s;
      }
      ++fresh_;
    }
    auto* s = new std::string;
    s->reserve(kFirstCapacity);
    return s;
  }
  void give(std::string* s) {
    {
      std::lock_guard lock(mutex_);
      if (s->capacity() <= kFramePoolKeepCapacity && buffers_.size() < kFramePoolBuffers) {
        buffers_.push_back(s);
        return;
      }
      ++dropped_;
    }
    delete s;
  }
  void* block() {
    {
      std::lock_guard lock(mutex_);
      if (!blocks_.empty()) {
        void* p = blocks_.back();
        blocks_.pop_back();
        return p;
      }
    }
    return ::operator new(kBlockSize);
  }
  void give_block(void* p) {
    {
      std::lock_guard lock(mutex_);
      if (blocks_.size() < kFramePoolBuffers) {
        blocks_.push_back(p);
        return;
      }
    }
    ::operator delete(p);
  }
  FramePoolStats stats() {
    std::lock_guard lock(mutex_);
    return {reused_, fresh_, dropped_};
  }

 private:
  std::mutex mutex_;
  std::vector<std::string*> buffers_;  // capacity reserved: pushing never allocates
  std::vector<void*> blocks_;
  uint64_t reused_ = 0, fresh_ = 0, dropped_ = 0;
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
