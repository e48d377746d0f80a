#pragma once
// Latency attribution per feed: where a payload's time goes, in four stages, each a
// LogHistogram. The engine's observers time the first three on the network thread; the
// last ends on a websocket I/O thread, when the first client's write of the payload's
// first frame completes. That frame is found by identity: the network thread arms one
// slot per feed with the frame it rendered (holding it, so no other frame can share its
// address while armed) and the I/O thread that completes a write of it claims the slot.
// A frame not written before the feed's next probed payload is simply not measured.
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "feeds/common/clock.hpp"
#include "feeds/common/log_histogram.hpp"

namespace mdhub {

enum class LatencyStage : uint8_t {
  exchange_to_received,  ///< the venue's timestamp to the local receive time (wall clocks)
  received_to_parsed,    ///< payload read to its events parsed
  parsed_to_applied,     ///< to its first change applied by the engine
  applied_to_written,    ///< to the first websocket client's write of its first frame completed
};
inline constexpr size_t kLatencyStages = 4;

constexpr std::string_view stage_name(LatencyStage s) {
  constexpr std::array<std::string_view, kLatencyStages> kNames = {
      "exchange_to_received", "received_to_parsed", "parsed_to_applied", "applied_to_written"};
  return kNames[static_cast<size_t>(s)];
}

class PipelineLatency {
 public:
  /// Feeds past this many are not measured (there are five venues).
  static constexpr size_t kMaxFeeds = 16;

  /// The histogram of one stage; nullptr for a feed index past kMaxFeeds. The first three
  /// stages are written by the network thread only (LogHistogram::observe).
  LogHistogram* stage(size_t feed, LatencyStage s) {
    return feed < kMaxFeeds ? &feeds_[feed].stages[static_cast<size_t>(s)] : nullptr;
  }
  const LogHistogram* stage(size_t feed, LatencyStage s) const {
    return feed < kMaxFeeds ? &feeds_[feed].stages[static_cast<size_t>(s)] : nullptr;
  }

  /// Network thread: the payload of `feed` being handled is probed; its first change was
  /// applied at `applied_mono_ns`. The next offered frame of that feed is armed.
  void expect_frame(size_t feed, int64_t applied_mono_ns) {
    if (feed >= kMaxFeeds) return;
    expect_feed_ = feed;
    expect_ns_ = applied_mono_ns;
  }
  /// Network thread: the payload's handling ended; frames offered after it are not armed.
  void end_payload() { expect_feed_ = kMaxFeeds; }
  /// Network thread: a frame carrying `feed`'s data was handed to its subscribers.
  void offer_frame(size_t feed, const std::shared_ptr<const std::string>& frame) {
    if (feed != expect_feed_ || !frame) return;
    expect_feed_ = kMaxFeeds;  // the payload's first frame only
    Slot& s = slots_[feed];
    // Disarm, stamp, re-arm: an I/O thread that matched the old frame fails its claim.
    const bool was_armed = s.frame.exchange(nullptr, std::memory_order_acq_rel) != nullptr;
    s.applied_ns.store(expect_ns_, std::memory_order_relaxed);
    s.frame.store(frame.get(), std::memory_order_release);
    if (!was_armed) armed_.fetch_add(1, std::memory_order_relaxed);
    held_[feed] = frame;  // the previous one is no longer armed: it may go
  }

  /// Any I/O thread: `frame` (kept alive by the caller) was completely written to a
  /// client. One relaxed load when nothing is armed; a clock read only for the armed frame.
  void frame_written(const std::string* frame) noexcept {
    if (armed_.load(std::memory_order_relaxed) == 0) return;
    for (size_t f = 0; f < kMaxFeeds; ++f) {
      Slot& s = slots_[f];
      const std::string* armed = s.frame.load(std::memory_order_acquire);
      if (armed != frame) continue;
      const int64_t applied = s.applied_ns.load(std::memory_order_relaxed);
      // Both frames are alive, so equal addresses are the same frame; a re-arm in between
      // changed the slot and this claim fails.
      if (!s.frame.compare_exchange_strong(armed, nullptr, std::memory_order_acq_rel)) return;
      armed_.fetch_sub(1, std::memory_order_relaxed);
      feeds_[f].stages[static_cast<size_t>(LatencyStage::applied_to_written)].observe_shared(mono_ns() - applied);
      return;
    }
  }

 private:
  struct Feed {
    std::array<LogHistogram, kLatencyStages> stages;
  };
  struct Slot {
    std::atomic<const std::string*> frame{nullptr};
    std::atomic<int64_t> applied_ns{0};
  };
  std::array<Feed, kMaxFeeds> feeds_{};
  std::array<Slot, kMaxFeeds> slots_{};
  std::atomic<uint32_t> armed_{0};
  // Network thread only.
  std::array<std::shared_ptr<const std::string>, kMaxFeeds> held_{};
  size_t expect_feed_ = kMaxFeeds;
  int64_t expect_ns_ = 0;
};

}  // namespace mdhub
