// Format primitives: CRC-32C vectors, exact header layouts, file names, the hand-off ring.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "src/record/byte_ring.hpp"
#include "src/record/crc32c.hpp"
#include "feeds/common/sink.hpp"
#include "src/record/format.hpp"

namespace mdhub::record {
namespace {

TEST(RecordCrc, KnownVectors) {
  EXPECT_EQ(crc32c("123456789", 9), 0xE3069283u);
  EXPECT_EQ(crc32c("", 0), 0u);
  // RFC 3720 (iSCSI) B.4 test vectors.
  std::vector<uint8_t> v(32, 0);
  EXPECT_EQ(crc32c(v.data(), v.size()), 0x8A9136AAu);
  std::fill(v.begin(), v.end(), 0xFF);
  EXPECT_EQ(crc32c(v.data(), v.size()), 0x62A8AB43u);
  for (size_t i = 0; i < 32; ++i) v[i] = static_cast<uint8_t>(i);
  EXPECT_EQ(crc32c(v.data(), v.size()), 0x46DD794Eu);
  for (size_t i = 0; i < 32; ++i) v[i] = static_cast<uint8_t>(31 - i);
  EXPECT_EQ(crc32c(v.data(), v.size()), 0x113FDB5Cu);
  EXPECT_EQ(crc32c_portable("123456789", 9), 0xE3069283u);
}

TEST(RecordCrc, AcceleratedMatchesPortableAndChains) {
  std::mt19937_64 rng(7);
  std::vector<uint8_t> buf(40008);
  for (auto& b : buf) b = static_cast<uint8_t>(rng());
  // Lengths around the 3-stream thresholds (3 x 128 and 3 x 2048 bytes) too.
  for (size_t n : {0u, 1u, 7u, 8u, 9u, 63u, 64u, 65u, 383u, 384u, 385u, 767u, 768u, 1000u,
                   4999u, 6143u, 6144u, 6145u, 6528u, 12289u, 40000u}) {
    for (size_t off : {0u, 1u, 3u}) {
      ASSERT_EQ(crc32c(buf.data() + off, n), crc32c_portable(buf.data() + off, n)) << n << " " << off;
      const size_t cut = n / 3;
      EXPECT_EQ(crc32c(buf.data() + off + cut, n - cut, crc32c(buf.data() + off, cut)),
                crc32c(buf.data() + off, n));
    }
  }
}

TEST(RecordFormat, SegmentHeaderLayout) {
  SegmentHeader h;
  h.run_id = 0x0102030405060708ull;
  h.created_wall_ns = 1'700'000'000'123'456'789;
  h.segment_index = 5;
  uint8_t b[kSegmentHeaderSize];
  encode_segment_header(h, b);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(b), 8), "MDHUBREC");
  EXPECT_EQ(b[8], 1);   // version, little endian
  EXPECT_EQ(b[9], 0);
  EXPECT_EQ(b[10], 40);  // header length
  EXPECT_EQ(get_u32(b + 12), 0u);
  EXPECT_EQ(b[16], 0x08);
  EXPECT_EQ(b[23], 0x01);
  EXPECT_EQ(get_u64(b + 24), 1'700'000'000'123'456'789ull);
  EXPECT_EQ(get_u32(b + 32), 5u);
  EXPECT_EQ(get_u32(b + 36), crc32c(b, 36));

  SegmentHeader d;
  ASSERT_EQ(decode_segment_header(b, sizeof b, d), HeaderStatus::ok);
  EXPECT_EQ(d.run_id, h.run_id);
  EXPECT_EQ(d.created_wall_ns, h.created_wall_ns);
  EXPECT_EQ(d.segment_index, 5u);
  EXPECT_EQ(decode_segment_header(b, 39, d), HeaderStatus::truncated);
  EXPECT_EQ(decode_segment_header(b, 5, d), HeaderStatus::truncated);
  b[20] ^= 0x10;
  EXPECT_EQ(decode_segment_header(b, sizeof b, d), HeaderStatus::bad_crc);
  b[20] ^= 0x10;
  b[8] = 2;  // a future version, correctly checksummed
  put_u32(b + 36, crc32c(b, 36));
  EXPECT_EQ(decode_segment_header(b, sizeof b, d), HeaderStatus::unsupported_version);
  b[0] = 'X';
  EXPECT_EQ(decode_segment_header(b, sizeof b, d), HeaderStatus::bad_magic);
}

TEST(RecordFormat, BlockHeaderLayout) {
  BlockHeader h;
  h.comp_len = 1000;
  h.raw_len = 4000;
  h.record_count = 3;
  h.first_seq = 77;
  h.first_wall_ns = -5;
  h.last_wall_ns = 9;
  h.codec = Codec::zstd;
  h.payload_crc = 0xDEADBEEF;
  uint8_t b[kBlockHeaderSize];
  encode_block_header(h, b);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(b), 4), "MDBK");
  EXPECT_EQ(get_u32(b + 4), 1000u);
  EXPECT_EQ(get_u32(b + 8), 4000u);
  EXPECT_EQ(get_u32(b + 12), 3u);
  EXPECT_EQ(get_u64(b + 16), 77u);
  EXPECT_EQ(static_cast<int64_t>(get_u64(b + 24)), -5);
  EXPECT_EQ(get_u64(b + 32), 9u);
  EXPECT_EQ(b[40], 1);
  EXPECT_EQ(get_u32(b + 44), 0xDEADBEEFu);
  EXPECT_EQ(get_u32(b + 48), crc32c(b, 48));
  BlockHeader d;
  ASSERT_EQ(decode_block_header(b, d), HeaderStatus::ok);
  EXPECT_EQ(d.first_wall_ns, -5);
  EXPECT_EQ(d.record_count, 3u);
  for (size_t i = 0; i < kBlockHeaderSize; ++i) {
    b[i] ^= 0x04;
    EXPECT_NE(decode_block_header(b, d), HeaderStatus::ok) << i;
    b[i] ^= 0x04;
  }
  h.raw_len = kMaxBlockRaw + 1;  // checksummed but absurd: refused
  encode_block_header(h, b);
  EXPECT_EQ(decode_block_header(b, d), HeaderStatus::bad_length);
}

TEST(RecordFormat, RecordHeaderLayoutAndChecksum) {
  RecordHeader h;
  h.payload_len = 5;
  h.seq = 42;
  h.t = {1'700'000'000'000'000'001, 123};
  h.feed = 3;
  h.index = -1;
  h.type = RecordType::raw;
  h.kind = static_cast<uint8_t>(RawKind::poll);
  h.venue_len = 4;
  std::vector<uint8_t> rec(h.total());
  encode_record_header(h, rec.data());
  std::memcpy(rec.data() + kRecordHeaderSize, "btse", 4);
  std::memcpy(rec.data() + kRecordHeaderSize + 4, "hello", 5);
  seal_record(rec.data(), rec.size());
  EXPECT_EQ(rec.size(), 57u);
  EXPECT_EQ(get_u32(rec.data()), 5u);
  EXPECT_EQ(get_u64(rec.data() + 8), 42u);
  EXPECT_EQ(get_u64(rec.data() + 24), 123u);
  EXPECT_EQ(get_u32(rec.data() + 32), 3u);
  EXPECT_EQ(get_u32(rec.data() + 36), 0xFFFFFFFFu);
  EXPECT_EQ(rec[40], 0);
  EXPECT_EQ(rec[41], 2);
  EXPECT_EQ(rec[43], 4);
  // The checksum covers everything but itself.
  std::vector<uint8_t> cover(rec.begin(), rec.begin() + 4);
  cover.insert(cover.end(), rec.begin() + 8, rec.end());
  EXPECT_EQ(get_u32(rec.data() + 4), crc32c(cover.data(), cover.size()));
  const RecordHeader d = decode_record_header(rec.data());
  EXPECT_EQ(d.index, -1);
  EXPECT_EQ(d.t.wall_ns, 1'700'000'000'000'000'001);
  EXPECT_EQ(d.total(), 57u);
}

TEST(RecordFormat, SegmentNamesSortInTimeOrder) {
  EXPECT_EQ(segment_file_name(1'700'000'000'123'456'789, 7),
            "seg-20231114T221320.123Z-000007.mdrec");
  EXPECT_LT(segment_file_name(1'700'000'000'123'000'000, 999999),
            segment_file_name(1'700'000'000'124'000'000, 0));
  EXPECT_LT(segment_file_name(1'700'000'000'123'000'000, 1),
            segment_file_name(1'700'000'000'123'000'000, 2));
}

TEST(RecordRing, WrapsAroundAndRefusesWhenFull) {
  ByteRing ring(64);
  ASSERT_EQ(ring.capacity(), 64u);
  std::string a(40, 'a');
  std::string_view pa[1] = {a};
  ASSERT_TRUE(ring.try_write(pa, 1, a.size()));
  std::string b(30, 'b');
  std::string_view pb[2] = {std::string_view(b).substr(0, 10), std::string_view(b).substr(10)};
  EXPECT_FALSE(ring.try_write(pb, 2, b.size()));  // 40 + 30 > 64
  std::string out(40, '\0');
  ASSERT_EQ(ring.readable(), 40u);
  ring.peek(0, out.data(), 40);
  EXPECT_EQ(out, a);
  ring.consume(40);
  ASSERT_TRUE(ring.try_write(pb, 2, b.size()));  // wraps: 24 bytes at the end, 6 at the start
  out.assign(30, '\0');
  ring.peek(0, out.data(), 30);
  EXPECT_EQ(out, b);
  ring.consume(30);
  EXPECT_EQ(ring.readable(), 0u);
  EXPECT_EQ(ring.write_position(), 70u);
}

}  // namespace
}  // namespace mdhub::record
