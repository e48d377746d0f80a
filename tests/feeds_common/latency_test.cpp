// The log-bucket latency histogram (bucket bounds, quantiles) and the per-feed stage
// latencies' frame probe (which frame it arms, who claims it).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "feeds/common/pipeline_latency.hpp"

namespace mdhub {
namespace {

TEST(LogHistogram, BucketBoundsArePowersOfTwoMicroseconds) {
  EXPECT_EQ(LogHistogram::bound_ns(0), 1'000);
  EXPECT_EQ(LogHistogram::bound_ns(1), 2'000);
  EXPECT_EQ(LogHistogram::bound_ns(10), 1'024'000);
  EXPECT_EQ(LogHistogram::bound_ns(LogHistogram::kBounds - 1), 33'554'432'000);
  // Upper bounds are inclusive: a value on a bound is in that bucket, one above in the next.
  EXPECT_EQ(LogHistogram::bucket_of(-5), 0u);
  EXPECT_EQ(LogHistogram::bucket_of(0), 0u);
  EXPECT_EQ(LogHistogram::bucket_of(1'000), 0u);
  EXPECT_EQ(LogHistogram::bucket_of(1'001), 1u);
  EXPECT_EQ(LogHistogram::bucket_of(2'000), 1u);
  EXPECT_EQ(LogHistogram::bucket_of(2'001), 2u);
  EXPECT_EQ(LogHistogram::bucket_of(4'000), 2u);
  EXPECT_EQ(LogHistogram::bucket_of(4'001), 3u);
  EXPECT_EQ(LogHistogram::bucket_of(1'024'000), 10u);
  EXPECT_EQ(LogHistogram::bucket_of(1'024'001), 11u);
  EXPECT_EQ(LogHistogram::bucket_of(33'554'432'000), LogHistogram::kBounds - 1);
  EXPECT_EQ(LogHistogram::bucket_of(33'554'432'001), LogHistogram::kBounds);
  EXPECT_EQ(LogHistogram::bucket_of(INT64_MAX), LogHistogram::kBounds);
  for (size_t i = 1; i < LogHistogram::kBounds; ++i) {
    EXPECT_EQ(LogHistogram::bucket_of(LogHistogram::bound_ns(i)), i);
    EXPECT_EQ(LogHistogram::bucket_of(LogHistogram::bound_ns(i - 1) + 1), i);
  }
}

TEST(LogHistogram, CountsSumAndNegativeValues) {
  LogHistogram h;
  h.observe(500);
  h.observe(-20);  // a clock that went backwards: counted as 0
  h.observe(3'000);
  h.observe_shared(40'000'000'000);
  const auto s = h.snapshot();
  EXPECT_EQ(s.count, 4u);
  EXPECT_EQ(s.sum_ns, 500u + 0u + 3'000u + 40'000'000'000u);
  EXPECT_EQ(s.counts[0], 2u);
  EXPECT_EQ(s.counts[2], 1u);
  EXPECT_EQ(s.counts[LogHistogram::kBounds], 1u);
}

TEST(LogHistogram, QuantilesInterpolateInsideTheBucket) {
  LogHistogram h;
  EXPECT_FALSE(h.snapshot().quantile_ns(0.5).has_value());
  // 100 samples in (2 µs, 4 µs]: the median is halfway through it, p99 at 99/100.
  for (int i = 0; i < 100; ++i) h.observe(3'000);
  auto s = h.snapshot();
  EXPECT_DOUBLE_EQ(*s.quantile_ns(0.5), 3'000.0);
  EXPECT_DOUBLE_EQ(*s.quantile_ns(0.99), 2'000.0 + 2'000.0 * 0.99);
  // 100 more in (0, 1 µs]: the median now is the last of those.
  for (int i = 0; i < 100; ++i) h.observe(10);
  s = h.snapshot();
  EXPECT_DOUBLE_EQ(*s.quantile_ns(0.5), 1'000.0);
  EXPECT_DOUBLE_EQ(*s.quantile_ns(0.25), 500.0);
  EXPECT_DOUBLE_EQ(*s.quantile_ns(0.99), 2'000.0 + 2'000.0 * 98.0 / 100.0);
  EXPECT_LE(*s.quantile_ns(0.5), *s.quantile_ns(0.99));
}

TEST(LogHistogram, QuantileInTheOverflowBucketIsTheLastBound) {
  LogHistogram h;
  h.observe(100);
  h.observe(3'600'000'000'000);  // an hour
  const auto s = h.snapshot();
  EXPECT_DOUBLE_EQ(*s.quantile_ns(0.5), 1'000.0);
  EXPECT_DOUBLE_EQ(*s.quantile_ns(0.99), static_cast<double>(LogHistogram::bound_ns(LogHistogram::kBounds - 1)));
}

using Frame = std::shared_ptr<const std::string>;

uint64_t written_count(const PipelineLatency& p, size_t feed) {
  return p.stage(feed, LatencyStage::applied_to_written)->snapshot().count;
}

TEST(PipelineLatency, StageNamesAndRange) {
  EXPECT_EQ(stage_name(LatencyStage::exchange_to_received), "exchange_to_received");
  EXPECT_EQ(stage_name(LatencyStage::received_to_parsed), "received_to_parsed");
  EXPECT_EQ(stage_name(LatencyStage::parsed_to_applied), "parsed_to_applied");
  EXPECT_EQ(stage_name(LatencyStage::applied_to_written), "applied_to_written");
  PipelineLatency p;
  EXPECT_NE(p.stage(PipelineLatency::kMaxFeeds - 1, LatencyStage::received_to_parsed), nullptr);
  EXPECT_EQ(p.stage(PipelineLatency::kMaxFeeds, LatencyStage::received_to_parsed), nullptr);
}

TEST(PipelineLatency, OnlyTheFirstFrameOfAnExpectedPayloadIsMeasuredOnce) {
  PipelineLatency p;
  auto unprobed = std::make_shared<const std::string>("u");
  auto first = std::make_shared<const std::string>("a");
  auto second = std::make_shared<const std::string>("b");
  p.offer_frame(1, unprobed);  // nothing expected: not armed
  p.frame_written(unprobed.get());
  EXPECT_EQ(written_count(p, 1), 0u);

  p.expect_frame(1, mono_ns());
  p.offer_frame(2, second);  // another feed's frame
  p.offer_frame(1, first);
  p.offer_frame(1, second);  // the payload's second frame
  p.end_payload();
  p.frame_written(second.get());
  EXPECT_EQ(written_count(p, 1), 0u);
  p.frame_written(first.get());  // the first client's write
  EXPECT_EQ(written_count(p, 1), 1u);
  p.frame_written(first.get());  // the same frame to a second client
  EXPECT_EQ(written_count(p, 1), 1u);
  EXPECT_EQ(written_count(p, 2), 0u);

  // After end_payload an offer arms nothing.
  p.expect_frame(1, mono_ns());
  p.end_payload();
  p.offer_frame(1, unprobed);
  p.frame_written(unprobed.get());
  EXPECT_EQ(written_count(p, 1), 1u);
}

TEST(PipelineLatency, ARearmReplacesAFrameNotWrittenYet) {
  PipelineLatency p;
  auto old_frame = std::make_shared<const std::string>("old");
  auto new_frame = std::make_shared<const std::string>("new");
  p.expect_frame(0, mono_ns());
  p.offer_frame(0, old_frame);
  p.end_payload();
  p.expect_frame(0, mono_ns());
  p.offer_frame(0, new_frame);
  p.end_payload();
  p.frame_written(old_frame.get());
  EXPECT_EQ(written_count(p, 0), 0u);
  p.frame_written(new_frame.get());
  EXPECT_EQ(written_count(p, 0), 1u);
}

TEST(PipelineLatency, ConcurrentWritersClaimAFrameOnce) {
  // Two I/O threads write the same frames to their clients while the network thread arms
  // frame after frame: each armed frame is counted at most once, and every frame both
  // threads finish before the next arm is counted.
  PipelineLatency p;
  constexpr int kRounds = 2000;
  std::vector<Frame> frames;
  for (int i = 0; i < kRounds; ++i) frames.push_back(std::make_shared<const std::string>(std::to_string(i)));
  std::atomic<int> armed{-1};
  std::atomic<int> done{0};
  auto writer = [&] {
    for (int i = 0; i < kRounds; ++i) {
      while (armed.load(std::memory_order_acquire) < i) std::this_thread::yield();
      p.frame_written(frames[static_cast<size_t>(i)].get());
      done.fetch_add(1, std::memory_order_acq_rel);
    }
  };
  std::thread a(writer), b(writer);
  for (int i = 0; i < kRounds; ++i) {
    p.expect_frame(3, mono_ns());
    p.offer_frame(3, frames[static_cast<size_t>(i)]);
    p.end_payload();
    armed.store(i, std::memory_order_release);
    while (done.load(std::memory_order_acquire) < 2 * (i + 1)) std::this_thread::yield();
  }
  a.join();
  b.join();
  EXPECT_EQ(written_count(p, 3), static_cast<uint64_t>(kRounds));
}

}  // namespace
}  // namespace mdhub
