#pragma once
// The render worker: runs the expensive part of an HTTP answer (serializing /metrics,
// rendering a deep book) on its own thread, so that the io_context's thread, which also
// runs the feeds, pays only for copying the state the answer shows. A job owns what it
// reads (copies); it never touches the handler's live state. The work in flight is
// bounded: past max_pending jobs, requests are refused with 503 `overloaded` at once.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "src/net/server.hpp"

namespace mdhub::net {

class Offload {
 public:
  /// Jobs waiting or running at once, by default: a job holds one copied answer (at most a
  /// 5000-level book), so this bounds the memory the queue can take.
  static constexpr size_t kDefaultMaxPending = 32;

  /// `threads` worker threads (at least one).
  explicit Offload(size_t threads = 1, size_t max_pending = kDefaultMaxPending);
  /// join().
  ~Offload();
  Offload(const Offload&) = delete;
  Offload& operator=(const Offload&) = delete;

  /// Runs `render` on a worker and completes `respond` with its answer (a render that
  /// throws answers 500 `internal_error`). With max_pending jobs already in flight, or once
  /// joined, answers 503 `overloaded` instead, at once, and counts it. Called from the
  /// io_context's thread (one thread hands jobs in).
  void answer(Respond respond, std::function<HttpResponse()> render);
  /// Requests refused with 503 `overloaded`, since start.
  uint64_t overloaded() const { return overloaded_.load(std::memory_order_relaxed); }
  /// Jobs waiting or running now.
  size_t pending() const { return pending_.load(std::memory_order_acquire); }
  /// Lets the jobs in flight finish (each answers; an answer after the Server is gone is
  /// dropped) and ends the threads. Idempotent; further jobs are refused.
  void join();

 private:
  struct Pool;
  std::unique_ptr<Pool> pool_;
  const size_t max_pending_;
  std::atomic<size_t> pending_{0};
  std::atomic<uint64_t> overloaded_{0};
  bool joined_ = false;
};

}  // namespace mdhub::net
