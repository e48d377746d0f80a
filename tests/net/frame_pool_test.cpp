// The pooled message buffers: a frame carries exactly what was rendered, its buffer comes
// back when the last reference drops (on any thread), and the pool keeps no oversized buffer.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "src/net/frame_pool.hpp"

namespace mdhub::net {
namespace {

TEST(FramePool, AFrameCarriesItsTextAndItsBufferComesBack) {
  const char* data = nullptr;
  {
    FrameText f;
    f.text() += R"({"type":"bbo","bid":"1.5"})";
    data = f.text().data();
    SharedText msg = f.finish();
    EXPECT_EQ(*msg, R"({"type":"bbo","bid":"1.5"})");
    SharedText copy = msg;  // a second reference: the buffer stays until both are gone
    msg.reset();
    EXPECT_EQ(*copy, R"({"type":"bbo","bid":"1.5"})");
  }
  const auto before = frame_pool_stats();
  FrameText next;
  // The last buffer given back is the next one taken, cleared, with its memory.
  EXPECT_EQ(next.text().data(), data);
  EXPECT_TRUE(next.text().empty());
  EXPECT_EQ(frame_pool_stats().reused, before.reused + 1);
  EXPECT_EQ(frame_pool_stats().fresh, before.fresh);
}

TEST(FramePool, AnUnfinishedMessageGivesItsBufferBack) {
  const char* data = nullptr;
  {
    FrameText f;
    f.text() = "abandoned";
    data = f.text().data();
  }
  FrameText next;
  EXPECT_EQ(next.text().data(), data);
  EXPECT_TRUE(next.text().empty());
}

TEST(FramePool, AnOversizedBufferIsFreedNotKept) {
  const auto before = frame_pool_stats();
  {
    FrameText f;
    f.text().assign(kFramePoolKeepCapacity + 1, 'x');
    SharedText msg = f.finish();
    EXPECT_EQ(msg->size(), kFramePoolKeepCapacity + 1);
  }
  EXPECT_EQ(frame_pool_stats().dropped, before.dropped + 1);
  FrameText next;
  EXPECT_LE(next.text().capacity(), kFramePoolKeepCapacity);
}

TEST(FramePool, FramesReleasedOnOtherThreadsAreReused) {
  // Warm: as many buffers in the pool as frames in flight below.
  constexpr size_t kInFlight = 64;
  {
    std::vector<SharedText> warm;
    for (size_t i = 0; i < kInFlight; ++i) {
      FrameText f;
      f.text() = "warm";
      warm.push_back(f.finish());
    }
  }
  const auto before = frame_pool_stats();
  for (int round = 0; round < 50; ++round) {
    std::vector<SharedText> batch;
    for (size_t i = 0; i < kInFlight; ++i) {
      FrameText f;
      f.text() = std::to_string(round * 1000 + static_cast<int>(i));
      batch.push_back(f.finish());
    }
    // Two threads share every frame; the last of the three to let go gives it back.
    std::vector<SharedText> a = batch, b = batch;
    std::thread ta([v = std::move(a)]() mutable { v.clear(); });
    std::thread tb([v = std::move(b)]() mutable { v.clear(); });
    for (size_t i = 0; i < kInFlight; ++i) EXPECT_EQ(*batch[i], std::to_string(round * 1000 + static_cast<int>(i)));
    batch.clear();
    ta.join();
    tb.join();
  }
  const auto after = frame_pool_stats();
  EXPECT_EQ(after.fresh, before.fresh);
  EXPECT_EQ(after.reused, before.reused + 50 * kInFlight);
}

}  // namespace
}  // namespace mdhub::net
