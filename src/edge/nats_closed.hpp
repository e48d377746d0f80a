#pragma once
// libnats runs connection callbacks (disconnected, reconnected, ...) on its own thread and
// natsConnection_Destroy does not wait for one in progress; the closed callback is queued
// after them. Whoever owns what those callbacks touch waits for it before freeing that.
#include <nats/nats.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace mdhub::nats {

class ClosedLatch {
 public:
  natsStatus install(natsOptions* o) { return natsOptions_SetClosedCB(o, &ClosedLatch::on_closed, this); }
  /// After natsConnection_Close or _Destroy: true once the last callback has returned.
  bool wait(std::chrono::milliseconds budget) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, budget, [this] { return closed_; });
  }

 private:
  static void on_closed(natsConnection*, void* closure) {
    auto* self = static_cast<ClosedLatch*>(closure);
    // Notified under the lock: the waiter may free the latch as soon as it can take it.
    std::lock_guard lock(self->mu_);
    self->closed_ = true;
    self->cv_.notify_all();
  }
  std::mutex mu_;
  std::condition_variable cv_;
  bool closed_ = false;
};

}  // namespace mdhub::nats
