// Recorder -> files -> RecordingReader: exact fields back, rotation by size and by age,
// meta records repeated at each segment start.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "src/record/recorder.hpp"
#include "tests/record/helpers.hpp"

namespace mdhub::record {
namespace {

using test::Owned;
using test::read_all;
using test::TempDir;

struct Sent {
  RecordType type;
  RawKind kind;
  uint32_t feed;
  int32_t index;
  uint64_t seq;
  RecvTime t;
  std::string venue, payload;
};

void expect_same(const Owned& got, const Sent& want) {
  EXPECT_EQ(got.type, want.type);
  EXPECT_EQ(got.seq, want.seq);
  EXPECT_EQ(got.venue, want.venue);
  EXPECT_EQ(got.payload.size(), want.payload.size());
  EXPECT_TRUE(got.payload == want.payload) << "payload differs, seq " << want.seq;
  EXPECT_EQ(got.t.wall_ns, want.t.wall_ns);
  EXPECT_EQ(got.t.mono_ns, want.t.mono_ns);
  if (want.type == RecordType::raw) {
    EXPECT_EQ(got.kind, want.kind);
    EXPECT_EQ(got.feed, want.feed);
    EXPECT_EQ(got.index, want.index);
  }
}

std::string random_payload(std::mt19937_64& rng, size_t n) {
  std::string s(n, '\0');
  // Half JSON-like text (compressible), half raw bytes (incompressible, with NULs).
  if (rng() % 2 == 0) {
    static const char kText[] = "{\"e\":\"trade\",\"p\":\"64012.5\",\"q\":\"0.013\",\"s\":\"BTC-USDT\"}";
    for (size_t i = 0; i < n; ++i) s[i] = kText[(i + rng() % 3) % (sizeof kText - 1)];
  } else {
    for (auto& c : s) c = static_cast<char>(rng());
  }
  return s;
}

TEST(RecordRoundTrip, ManyRecordsAcrossSizeRotatedSegments) {
  TempDir dir;
  RecorderOptions o;
  o.dir = dir.str();
  o.block_bytes = 16 << 10;
  o.max_segment_bytes = 256 << 10;
  o.queue_bytes = 8 << 20;
  o.flush_interval = std::chrono::hours(1);  // blocks close on size and on flush() only
  std::vector<Sent> sent;
  uint64_t second_meta_seq = 0;
  std::mt19937_64 rng(42);
  const char* venues[] = {"btse", "narkasa", "coinbtr", "coinmotion", "bitexbit"};
  {
    Recorder rec(o);
    uint64_t seq = 0;
    auto meta = [&](const std::string& name, const std::string& json) {
      second_meta_seq = seq;
      const RecvTime t{1'700'000'000'000'000'000 + static_cast<int64_t>(seq), 5};
      ASSERT_TRUE(rec.record_meta(name, json, t));
      sent.push_back({RecordType::meta, RawKind::discovery, 0, 0, seq++, t, name, json});
    };
    meta("config", R"({"feeds":[{"id":"btse"}]})");
    size_t since_flush = 0;
    for (int i = 0; i < 3000; ++i) {
      size_t n = rng() % 3000;
      if (i % 97 == 0) n = 0;
      if (i % 700 == 350) n = 1 << 20;
      Sent s{RecordType::raw,
             static_cast<RawKind>(i % 3),
             static_cast<uint32_t>(i % 5),
             static_cast<int32_t>(i % 7) - 1,
             seq++,
             {1'700'000'000'000'000'000 + i * 1'000'003LL, 1'000'000'000LL + i * 777LL},
             venues[i % 5],
             random_payload(rng, n)};
      ASSERT_TRUE(rec.record(s.feed, s.venue, s.kind, s.index, s.t, s.payload)) << i;
      since_flush += n + 100;
      sent.push_back(std::move(s));
      if (i == 1500) meta("config", R"({"feeds":[{"id":"btse"},{"id":"narkasa"}]})");
      if (since_flush > (2 << 20)) {  // keep well inside the queue: nothing may be dropped
        ASSERT_TRUE(rec.flush());
        since_flush = 0;
      }
    }
    rec.close();
    const RecorderStats st = rec.stats();
    EXPECT_EQ(st.records, sent.size());
    EXPECT_EQ(st.records_written, sent.size());
    EXPECT_EQ(st.dropped, 0u);
    EXPECT_EQ(st.lost, 0u);
    EXPECT_EQ(st.errors, 0u);
    EXPECT_GE(st.segments, 3u);
    EXPECT_GT(st.fsyncs, 0u);
    EXPECT_TRUE(rec.last_error().empty());
    EXPECT_EQ(st.bytes_written, [&] {
      uint64_t total = 0;
      for (auto& e : std::filesystem::directory_iterator(dir.path())) total += e.file_size();
      return total;
    }());
  }

  const auto all = read_all(dir.str());
  EXPECT_TRUE(all.issues.empty()) << all.issues.front().message;
  EXPECT_EQ(all.stats.missing, 0u);
  EXPECT_GE(all.files.size(), 3u);
  ASSERT_EQ(all.records.size(), sent.size());
  for (size_t i = 0; i < sent.size(); ++i) expect_same(all.records[i], sent[i]);

  // Rotation by size: a segment over the limit holds a single data block.
  for (size_t f = 0; f < all.files.size(); ++f) {
    if (std::filesystem::file_size(all.files[f]) <= o.max_segment_bytes) continue;
    std::set<uint64_t> blocks;
    for (const auto& r : all.records)
      if (r.file == f) blocks.insert(r.block_offset);
    EXPECT_EQ(blocks.size(), 1u) << all.files[f];
  }

  // Every later segment starts with the latest config, marked as a repeat.
  const auto with_repeats = read_all(dir.str(), false);
  size_t file = 0;
  for (const auto& r : with_repeats.records) {
    if (r.file == file) continue;
    file = r.file;
    ASSERT_TRUE(r.flags & kFlagRepeat) << "segment " << file << " does not start with meta";
    EXPECT_EQ(r.type, RecordType::meta);
    EXPECT_EQ(r.venue, "config");
    ASSERT_TRUE(r.seq == 0 || r.seq == second_meta_seq) << r.seq;
    EXPECT_EQ(r.payload, r.seq == second_meta_seq ? R"({"feeds":[{"id":"btse"},{"id":"narkasa"}]})"
                               : R"({"feeds":[{"id":"btse"}]})");
  }
}

TEST(RecordRoundTrip, RotatesByAgeAndEachSegmentIsSelfDescribing) {
  TempDir dir;
  RecorderOptions o;
  o.dir = dir.str();
  o.max_segment_age = std::chrono::nanoseconds(1);  // every flushed block starts a new segment
  o.flush_interval = std::chrono::hours(1);
  {
    Recorder rec(o);
    ASSERT_TRUE(rec.record_meta("config", "{\"v\":1}"));
    ASSERT_TRUE(rec.record_meta("instruments", "[]"));
    for (int batch = 0; batch < 3; ++batch) {
      for (int i = 0; i < 10; ++i)
        ASSERT_TRUE(rec.record(1, "narkasa", RawKind::ws, 0, {batch * 100 + i, i},
                               "frame " + std::to_string(batch * 10 + i)));
      ASSERT_TRUE(rec.flush());
    }
    EXPECT_EQ(rec.stats().segments, 3u);
  }
  const auto all = read_all(dir.str(), false);
  ASSERT_EQ(all.files.size(), 3u);
  EXPECT_TRUE(all.issues.empty());
  // Segment 0: the two metas then 10 frames; segments 1 and 2: both metas repeated, 10 frames.
  std::vector<size_t> per_file(3);
  for (const auto& r : all.records) ++per_file[r.file];
  EXPECT_EQ(per_file, (std::vector<size_t>{12, 12, 12}));
  for (size_t f = 1; f < 3; ++f) {
    auto first = std::find_if(all.records.begin(), all.records.end(),
                              [&](const Owned& r) { return r.file == f; });
    ASSERT_NE(first, all.records.end());
    EXPECT_EQ(first[0].venue, "config");
    EXPECT_EQ(first[0].payload, "{\"v\":1}");
    EXPECT_EQ(first[0].seq, 0u);
    EXPECT_EQ(first[1].venue, "instruments");
    EXPECT_TRUE(first[0].flags & kFlagRepeat);
    EXPECT_TRUE(first[1].flags & kFlagRepeat);
    EXPECT_EQ(first[2].payload, "frame " + std::to_string(f * 10));
  }
  // One file on its own reads the same.
  const auto one = read_all(all.files[2]);
  ASSERT_EQ(one.records.size(), 10u);
  EXPECT_EQ(one.records[9].payload, "frame 29");
  EXPECT_EQ(one.records[9].t.wall_ns, 209);
}

TEST(RecordRoundTrip, EmptyAndMissingRecordings) {
  TempDir dir;
  auto r = read_all(dir.str());
  EXPECT_TRUE(r.records.empty());
  EXPECT_TRUE(r.issues.empty());
  RecordingReader reader;
  const auto opened = reader.open(dir / "does-not-exist");
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().find("does-not-exist"), std::string::npos);
  {
    RecorderOptions o;
    o.dir = dir.str();
    Recorder rec(o);  // a run without records
  }
  r = read_all(dir.str());
  EXPECT_EQ(r.files.size(), 1u);
  EXPECT_TRUE(r.records.empty());
  EXPECT_TRUE(r.issues.empty());
}

}  // namespace
}  // namespace mdhub::record
