// The recorder under pressure: retention by total size and by age, and retries on a full
// disk that leave no empty segment behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "src/record/format.hpp"
#include "src/record/recorder.hpp"
#include "tests/record/helpers.hpp"

namespace mdhub::record {
namespace {

namespace fs = std::filesystem;
using test::read_all;
using test::TempDir;

struct DirUsage {
  size_t segments = 0;
  uint64_t bytes = 0;
};

DirUsage usage(const std::string& dir) {
  DirUsage u;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == kSegmentSuffix) {
      ++u.segments;
      u.bytes += e.file_size();
    }
  return u;
}

std::string incompressible(std::mt19937_64& rng, size_t n) {
  std::string p(n, '\0');
  for (auto& c : p) c = static_cast<char>(rng());
  return p;
}

TEST(RecordRetention, TotalSizeStaysWithinTheLimitAndWhatRemainsReadsBack) {
  TempDir dir;
  RecorderOptions o;
  o.dir = dir.str();
  o.block_bytes = 8 << 10;
  o.max_segment_bytes = 64 << 10;
  o.max_total_bytes = 256 << 10;
  o.flush_interval = std::chrono::hours(1);
  std::mt19937_64 rng(7);
  std::vector<std::string> sent;
  Recorder rec(o);
  for (int i = 0; i < 1000; ++i) {  // ~2 MB on disk: eight times the limit
    sent.push_back(incompressible(rng, 2000));
    ASSERT_TRUE(rec.record(0, "btse", RawKind::ws, 0, {}, sent.back()));
    if (i % 50 == 49) {
      ASSERT_TRUE(rec.flush());
    }
  }
  rec.close();
  const RecorderStats st = rec.stats();
  const DirUsage u = usage(dir.str());
  EXPECT_EQ(st.lost, 0u);
  EXPECT_TRUE(st.healthy);
  EXPECT_GT(st.segments_deleted, 0u);
  // Deleted and kept add up to everything written; what is kept fits the limit.
  EXPECT_EQ(u.bytes + st.bytes_deleted, st.bytes_written);
  EXPECT_EQ(u.segments + st.segments_deleted, st.segments);
  EXPECT_LE(u.bytes, o.max_total_bytes);
  // The newest records survive, contiguous up to the last one.
  const auto r = read_all(dir.str());
  ASSERT_FALSE(r.records.empty());
  EXPECT_EQ(r.records.back().seq, sent.size() - 1);
  for (size_t i = 0; i < r.records.size(); ++i) {
    EXPECT_EQ(r.records[i].seq, r.records.front().seq + i);
    EXPECT_EQ(r.records[i].payload, sent[r.records[i].seq]);
  }
  EXPECT_GT(r.records.front().seq, 0u);
}

TEST(RecordRetention, SegmentsOlderThanKeepAgeAreDeletedOthersKept) {
  TempDir dir;
  const auto two_days_ago = fs::file_time_type::clock::now() - std::chrono::hours(48);
  for (const char* name : {"seg-20200101T000000.000Z-000000.mdrec", "seg-20200101T000000.000Z-000001.mdrec"}) {
    test::spit(dir / name, "an old segment");
    fs::last_write_time(dir / name, two_days_ago);
  }
  test::spit(dir / "seg-20200101T000000.000Z-000002.mdrec", "written just now");
  test::spit(dir / "notes.txt", "not a segment");
  fs::last_write_time(dir / "notes.txt", two_days_ago);
  RecorderOptions o;
  o.dir = dir.str();
  o.keep_age = std::chrono::hours(1);
  Recorder rec(o);
  ASSERT_TRUE(rec.record(0, "btse", RawKind::ws, 0, {}, "frame"));
  ASSERT_TRUE(rec.flush());
  rec.close();
  EXPECT_FALSE(fs::exists(dir / "seg-20200101T000000.000Z-000000.mdrec"));
  EXPECT_FALSE(fs::exists(dir / "seg-20200101T000000.000Z-000001.mdrec"));
  EXPECT_TRUE(fs::exists(dir / "seg-20200101T000000.000Z-000002.mdrec"));
  EXPECT_TRUE(fs::exists(dir / "notes.txt"));
  EXPECT_EQ(rec.stats().segments_deleted, 2u);
  EXPECT_EQ(rec.stats().bytes_deleted, 2 * std::string("an old segment").size());
  EXPECT_EQ(usage(dir.str()).segments, 2u);  // the recent one and this run's
}

// RLIMIT_FSIZE below a segment header's size makes every new segment fail at its first
// write, like a full disk: each retry must leave nothing behind, the loss and the state
// must be visible, and recording resumes once space is back.
TEST(RecordErrors, RetriesOnAFullDiskLeaveNoEmptySegmentsAndRecover) {
  TempDir dir;
  rlimit old{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  auto* old_handler = signal(SIGXFSZ, SIG_IGN);
  rlimit lim = old;
  lim.rlim_cur = kSegmentHeaderSize / 2;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &lim), 0);
  RecorderOptions o;
  o.dir = dir.str();
  o.block_bytes = 1 << 10;
  o.flush_interval = std::chrono::hours(1);
  o.retry_interval = std::chrono::milliseconds(0);
  Recorder rec(o);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(rec.record(0, "btse", RawKind::ws, 0, {}, std::string(600, 'x')));
    EXPECT_FALSE(rec.flush());
  }
  const RecorderStats full = rec.stats();
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &old), 0);
  signal(SIGXFSZ, old_handler);
  EXPECT_FALSE(full.healthy);
  EXPECT_GE(full.errors, 10u);  // one per attempted block at least
  EXPECT_EQ(full.lost, 20u);
  EXPECT_EQ(full.records_written, 0u);
  EXPECT_EQ(usage(dir.str()).segments, 0u) << "a failed retry left a segment file";
  EXPECT_NE(rec.last_error().find("File too large"), std::string::npos) << rec.last_error();

  ASSERT_TRUE(rec.record(0, "btse", RawKind::ws, 0, {}, "back"));
  ASSERT_TRUE(rec.record(0, "btse", RawKind::ws, 0, {}, "again"));
  EXPECT_TRUE(rec.flush());
  rec.close();
  EXPECT_TRUE(rec.stats().healthy);
  EXPECT_EQ(rec.stats().records_written, 2u);
  EXPECT_EQ(usage(dir.str()).segments, 1u);
  const auto r = read_all(dir.str());
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[0].payload, "back");
  EXPECT_EQ(r.records[1].payload, "again");
}

}  // namespace
}  // namespace mdhub::record
