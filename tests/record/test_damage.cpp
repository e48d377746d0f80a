// Damaged recordings: torn tails at every byte, bit flips at every byte, inserted garbage,
// random files, hand-made blocks (stored codec, unknown codec, newer version, bad records).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "src/record/crc32c.hpp"
#include "src/record/format.hpp"
#include "src/record/recorder.hpp"
#include "tests/record/helpers.hpp"

namespace mdhub::record {
namespace {

using test::Owned;
using test::read_all;
using test::slurp;
using test::spit;
using test::TempDir;

struct Sample {
  std::string file;
  std::string bytes;
  std::vector<Owned> records;
  std::vector<uint64_t> blocks;  // block offsets, ascending

  // End of the block starting at `off`.
  uint64_t block_end(uint64_t off) const {
    auto it = std::upper_bound(blocks.begin(), blocks.end(), off);
    return it == blocks.end() ? bytes.size() : *it;
  }
  // Offset of the block containing file byte `pos` (pos >= the first block).
  uint64_t block_of(uint64_t pos) const {
    return *std::prev(std::upper_bound(blocks.begin(), blocks.end(), pos));
  }
};

// One segment of `nblocks` blocks with `per_block` records each; block boundaries are fixed
// by flush() after each batch.
Sample make_sample(const std::string& dir, int nblocks, int per_block, uint64_t seed) {
  RecorderOptions o;
  o.dir = dir;
  o.flush_interval = std::chrono::hours(1);
  std::mt19937_64 rng(seed);
  {
    Recorder rec(o);
    for (int b = 0; b < nblocks; ++b) {
      for (int i = 0; i < per_block; ++i) {
        std::string p = "{\"b\":" + std::to_string(b) + ",\"i\":" + std::to_string(i) + ",\"x\":\"";
        p.append(rng() % 60, static_cast<char>('a' + rng() % 26));
        p += "\"}";
        EXPECT_TRUE(rec.record(static_cast<size_t>(b), "btse", RawKind::ws, i,
                               {b * 1000 + i, i}, p));
      }
      EXPECT_TRUE(rec.flush());
    }
  }
  Sample s;
  auto all = read_all(dir);
  EXPECT_EQ(all.files.size(), 1u);
  EXPECT_TRUE(all.issues.empty());
  s.file = all.files.at(0);
  s.bytes = slurp(s.file);
  s.records = all.records;
  std::set<uint64_t> offs;
  for (const auto& r : s.records) offs.insert(r.block_offset);
  s.blocks.assign(offs.begin(), offs.end());
  EXPECT_EQ(s.blocks.size(), static_cast<size_t>(nblocks));
  EXPECT_EQ(s.blocks.front(), kSegmentHeaderSize);
  return s;
}

void expect_equal(const Owned& a, const Owned& b) {
  EXPECT_EQ(a.seq, b.seq);
  EXPECT_EQ(a.payload, b.payload);
  EXPECT_EQ(a.venue, b.venue);
  EXPECT_EQ(a.feed, b.feed);
  EXPECT_EQ(a.index, b.index);
  EXPECT_EQ(a.t.wall_ns, b.t.wall_ns);
  EXPECT_EQ(a.t.mono_ns, b.t.mono_ns);
}

TEST(RecordTornTail, EveryCutOffsetReadsEveryCompleteBlock) {
  TempDir src, cut;
  const Sample s = make_sample(src.str(), 3, 4, 1);
  const std::string path = cut / "cut.mdrec";
  for (size_t n = 0; n <= s.bytes.size(); ++n) {
    SCOPED_TRACE("cut at " + std::to_string(n));
    spit(path, std::string_view(s.bytes).substr(0, n));
    const auto r = read_all(path);
    size_t expect = 0;
    for (const auto& rec : s.records)
      if (s.block_end(rec.block_offset) <= n) ++expect;
    ASSERT_EQ(r.records.size(), expect);
    for (size_t i = 0; i < expect; ++i) expect_equal(r.records[i], s.records[i]);
    const bool boundary = n == kSegmentHeaderSize || n == s.bytes.size() ||
                          std::find(s.blocks.begin(), s.blocks.end(), n) != s.blocks.end();
    if (boundary) {
      EXPECT_TRUE(r.issues.empty()) << r.issues.front().message;
    } else {
      ASSERT_EQ(r.issues.size(), 1u);
      EXPECT_EQ(r.issues[0].kind, IssueKind::torn_tail) << r.issues[0].message;
      EXPECT_EQ(r.issues[0].offset, n < kSegmentHeaderSize ? 0 : s.block_of(n));
      EXPECT_EQ(r.stats.torn_tails, 1u);
    }
  }
}

TEST(RecordCorrupt, EveryBitFlipIsReportedAndOtherBlocksRead) {
  TempDir src, work;
  const Sample s = make_sample(src.str(), 5, 3, 2);
  const std::string path = work / "flip.mdrec";
  for (size_t pos = 0; pos < s.bytes.size(); ++pos) {
    SCOPED_TRACE("flip at " + std::to_string(pos));
    std::string b = s.bytes;
    b[pos] = static_cast<char>(b[pos] ^ (1 << (pos % 8)));
    spit(path, b);
    const auto r = read_all(path);
    ASSERT_FALSE(r.issues.empty());
    const bool in_header = pos < kSegmentHeaderSize;
    const uint64_t damaged = in_header ? 0 : s.block_of(pos);
    EXPECT_EQ(r.issues[0].offset, damaged) << r.issues[0].message;
    EXPECT_EQ(r.issues[0].kind,
              in_header ? IssueKind::bad_header
                        : (s.block_end(damaged) == s.bytes.size() ? IssueKind::torn_tail
                                                                  : IssueKind::corrupt_block))
        << r.issues[0].message;
    size_t want = 0;
    for (const auto& rec : s.records) {
      if (!in_header && rec.block_offset == damaged) continue;
      ASSERT_LT(want, r.records.size());
      expect_equal(r.records[want++], rec);
    }
    EXPECT_EQ(r.records.size(), want);
  }
}

TEST(RecordCorrupt, InsertedGarbageIsSkippedWithItsOffset) {
  TempDir src, work;
  const Sample s = make_sample(src.str(), 4, 5, 3);
  std::mt19937_64 rng(9);
  std::string garbage(1000, '\0');
  for (auto& c : garbage) c = static_cast<char>(rng());
  garbage.replace(100, 4, "MDBK");  // a false block magic inside the garbage
  const uint64_t at = s.blocks[2];
  std::string b = s.bytes;
  b.insert(at, garbage);
  const std::string path = work / "garbage.mdrec";
  spit(path, b);
  const auto r = read_all(path);
  ASSERT_EQ(r.records.size(), s.records.size());
  for (size_t i = 0; i < r.records.size(); ++i) expect_equal(r.records[i], s.records[i]);
  ASSERT_EQ(r.issues.size(), 1u);
  EXPECT_EQ(r.issues[0].kind, IssueKind::corrupt_block);
  EXPECT_EQ(r.issues[0].offset, at);
  EXPECT_NE(r.issues[0].message.find("skipped 1000 bytes"), std::string::npos)
      << r.issues[0].message;
  EXPECT_EQ(r.stats.skipped_bytes, 1000u);
}

TEST(RecordCorrupt, RandomDamageNeverCrashesAndNeverInventsRecords) {
  TempDir src, work;
  const Sample s = make_sample(src.str(), 8, 6, 4);
  std::map<uint64_t, const Owned*> by_seq;
  for (const auto& r : s.records) by_seq[r.seq] = &r;
  std::mt19937_64 rng(5);
  const std::string path = work / "fuzz.mdrec";
  for (int iter = 0; iter < 400; ++iter) {
    std::string b = s.bytes;
    const int flips = static_cast<int>(rng() % 8);
    for (int f = 0; f < flips; ++f) b[rng() % b.size()] ^= static_cast<char>(1 << (rng() % 8));
    if (rng() % 3 == 0) b.resize(rng() % b.size());
    if (rng() % 4 == 0 && !b.empty()) {  // duplicate or drop a chunk
      const size_t a = rng() % b.size(), n = rng() % 300;
      if (rng() % 2) {
        b.insert(a, b.substr(a, n));
      } else {
        b.erase(a, n);
      }
    }
    spit(path, b);
    const auto r = read_all(path);
    for (const auto& rec : r.records) {
      auto it = by_seq.find(rec.seq);
      ASSERT_NE(it, by_seq.end()) << "iteration " << iter;
      expect_equal(rec, *it->second);
    }
  }
}

TEST(RecordCorrupt, RandomFilesAreHandled) {
  TempDir work;
  std::mt19937_64 rng(6);
  SegmentHeader sh;
  uint8_t hdr[kSegmentHeaderSize];
  encode_segment_header(sh, hdr);
  const std::string path = work / "random.mdrec";
  for (int iter = 0; iter < 200; ++iter) {
    std::string b(rng() % 20000, '\0');
    for (auto& c : b) c = static_cast<char>(rng());
    if (iter % 3 == 1 && b.size() > kSegmentHeaderSize)
      b.replace(0, sizeof hdr, reinterpret_cast<char*>(hdr), sizeof hdr);
    if (iter % 3 == 2) {
      for (size_t i = 0; i + 4 < b.size(); i += 1 + rng() % 64) b.replace(i, 4, "MDBK");
    }
    spit(path, b);
    const auto r = read_all(path);
    EXPECT_TRUE(r.records.empty());
    if (!b.empty() && b.size() != kSegmentHeaderSize) {
      EXPECT_FALSE(r.issues.empty());
    }
  }
}

// --- hand-made files -------------------------------------------------------------------

std::string segment_header(uint16_t version = kFormatVersion) {
  SegmentHeader h;
  h.run_id = 99;
  uint8_t b[kSegmentHeaderSize];
  encode_segment_header(h, b);
  if (version != kFormatVersion) {
    put_u16(b + 8, version);
    put_u32(b + 36, crc32c(b, 36));
  }
  return std::string(reinterpret_cast<char*>(b), sizeof b);
}

std::string encoded_record(uint64_t seq, std::string_view payload, uint8_t type = 0) {
  RecordHeader h;
  h.payload_len = static_cast<uint32_t>(payload.size());
  h.seq = seq;
  h.type = static_cast<RecordType>(type);
  h.kind = static_cast<uint8_t>(RawKind::poll);
  h.venue_len = 8;
  std::string r(kRecordHeaderSize, '\0');
  encode_record_header(h, reinterpret_cast<uint8_t*>(r.data()));
  r += "bitexbit";
  r += payload;
  seal_record(reinterpret_cast<uint8_t*>(r.data()), r.size());
  return r;
}

std::string stored_block(const std::string& raw, uint32_t count, Codec codec = Codec::stored) {
  BlockHeader h;
  h.comp_len = h.raw_len = static_cast<uint32_t>(raw.size());
  h.record_count = count;
  h.codec = codec;
  h.payload_crc = crc32c(raw.data(), raw.size());
  uint8_t b[kBlockHeaderSize];
  encode_block_header(h, b);
  return std::string(reinterpret_cast<char*>(b), sizeof b) + raw;
}

TEST(RecordCorrupt, HandMadeBlocks) {
  TempDir dir;
  std::string bad = encoded_record(2, "tampered");
  bad[kRecordHeaderSize + 9] ^= 1;  // payload byte: the record checksum no longer matches
  const std::string file =
      segment_header() +
      stored_block(encoded_record(0, "a") + encoded_record(1, "bb"), 2) +  // fine
      stored_block(encoded_record(9, "zz"), 1, static_cast<Codec>(7)) +     // unknown codec
      stored_block(encoded_record(3, "c") + encoded_record(4, "x", 9) + encoded_record(5, "d"),
                   3) +                                                     // unknown type
      stored_block(encoded_record(6, "e") + bad + encoded_record(7, "f"), 3) +  // bad record
      stored_block(encoded_record(8, "g"), 1);
  spit(dir / "a.mdrec", file);
  spit(dir / "b.mdrec", segment_header(2) + stored_block(encoded_record(10, "future"), 1));
  spit(dir / "c.txt", "not a segment: ignored by name");
  const auto r = read_all(dir.str());
  ASSERT_EQ(r.files.size(), 2u);
  std::vector<std::string> payloads;
  for (const auto& rec : r.records) payloads.push_back(rec.payload);
  EXPECT_EQ(payloads, (std::vector<std::string>{"a", "bb", "c", "d", "e", "g"}));
  EXPECT_EQ(r.records[0].venue, "bitexbit");
  EXPECT_EQ(r.records[0].kind, RawKind::poll);
  EXPECT_EQ(r.stats.unknown_records, 1u);
  ASSERT_EQ(r.issues.size(), 3u);
  EXPECT_EQ(r.issues[0].kind, IssueKind::unsupported);  // codec 7
  EXPECT_EQ(r.issues[1].kind, IssueKind::corrupt_record);
  EXPECT_NE(r.issues[1].message.find("checksum mismatch"), std::string::npos);
  EXPECT_EQ(r.issues[2].kind, IssueKind::unsupported);  // version 2 file
  EXPECT_EQ(r.issues[2].file, dir / "b.mdrec");
  // Gaps in seq: 2 (before 3) and 7 (lost with the bad record's block); 4 was seen.
  EXPECT_EQ(r.stats.missing, 2u);
}

}  // namespace
}  // namespace mdhub::record
