#pragma once
// Private to src/net: memory for the one asynchronous operation an object can have pending
// at a time (a shard's drain, a session's socket write), so that starting it allocates
// nothing. Asio's per-thread recycling cannot serve these: a drain is allocated on the
// server's thread and freed on the shard's, and a shard has a write pending for every busy
// session at once. Asio's handler-memory pattern, with a fallback to the heap should the
// slot be taken or too small.
#include <atomic>
#include <cstddef>
#include <memory>
#include <new>
#include <utility>

namespace mdhub::net::detail {

template <size_t Size>
class HandlerMemory {
 public:
  void* allocate(size_t n) {
    if (n <= Size && !used_.exchange(true, std::memory_order_acquire)) return storage_;
    return ::operator new(n);
  }
  void deallocate(void* p) {
    if (p == storage_) used_.store(false, std::memory_order_release);
    else ::operator delete(p);
  }

 private:
  alignas(std::max_align_t) unsigned char storage_[Size];
  std::atomic<bool> used_{false};
};

/// Shares the memory it allocates from: an operation destroyed unrun (its socket or its
/// io_context gone first) frees its block through a handler that still holds the memory.
template <class T, size_t Size>
struct HandlerAllocator {
  using value_type = T;
  explicit HandlerAllocator(std::shared_ptr<HandlerMemory<Size>> m) noexcept : memory(std::move(m)) {}
  template <class U>
  HandlerAllocator(const HandlerAllocator<U, Size>& o) noexcept : memory(o.memory) {}  // NOLINT: rebinding
  template <class U>
  struct rebind {
    using other = HandlerAllocator<U, Size>;
  };
  T* allocate(size_t n) { return static_cast<T*>(memory->allocate(sizeof(T) * n)); }
  void deallocate(T* p, size_t) noexcept { memory->deallocate(p); }
  template <class U>
  bool operator==(const HandlerAllocator<U, Size>& o) const noexcept { return memory == o.memory; }
  std::shared_ptr<HandlerMemory<Size>> memory;
};

}  // namespace mdhub::net::detail
