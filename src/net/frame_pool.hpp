#pragma once
// Reused buffers for outgoing websocket messages. A message is rendered into a buffer taken
// from a process-wide pool; finish() wraps it as a SharedText whose control block also
// comes from the pool, and when its last reference drops (on whichever thread: usually an
// I/O shard's, after the write) the buffer goes back with its capacity. Once the pool holds
// as many buffers as there are messages in flight, publishing a message allocates nothing.
// The pool is bounded (buffers and blocks kept, capacity per buffer); beyond its bounds
// memory is simply freed, so it never holds more than a few megabytes.
#include <cstdint>
#include <string>

#include "src/net/server.hpp"

namespace mdhub::net {

/// A message being rendered. Not copyable; destroyed unfinished, its buffer goes back.
class FrameText {
 public:
  FrameText();
  ~FrameText();
  FrameText(const FrameText&) = delete;
  FrameText& operator=(const FrameText&) = delete;

  std::string& text() { return *buf_; }
  /// The message as a frame payload; the buffer travels with it. Call at most once.
  SharedText finish();

 private:
  std::string* buf_;
};

/// What the pool did, since the process started.
struct FramePoolStats {
  uint64_t reused = 0;   ///< buffers taken from the pool
  uint64_t fresh = 0;    ///< buffers allocated because the pool was empty
  uint64_t dropped = 0;  ///< buffers freed on return (pool full, or grown past the capacity kept)
};
FramePoolStats frame_pool_stats();

/// Bounds of the pool: buffers kept, and the largest capacity a kept buffer may have (a
/// rare large message, a full-depth snapshot, is freed rather than kept).
inline constexpr size_t kFramePoolBuffers = 4096;
inline constexpr size_t kFramePoolKeepCapacity = 16 << 10;

}  // namespace mdhub::net
