#include "src/record/format.hpp"

#include <cstdio>
#include <cstring>
#include <ctime>

#include "src/record/crc32c.hpp"

namespace mdhub::record {

std::string_view to_string(HeaderStatus s) {
  switch (s) {
    case HeaderStatus::ok: return "ok";
    case HeaderStatus::truncated: return "truncated";
    case HeaderStatus::bad_magic: return "bad magic";
    case HeaderStatus::bad_crc: return "checksum mismatch";
    case HeaderStatus::unsupported_version: return "unsupported version";
    case HeaderStatus::bad_length: return "implausible length";
  }
  return "?";
}

void encode_segment_header(const SegmentHeader& h, uint8_t* out) {
  std::memcpy(out, kSegmentMagic, 8);
  put_u16(out + 8, h.version);
  put_u16(out + 10, static_cast<uint16_t>(kSegmentHeaderSize));
  put_u32(out + 12, h.flags);
  put_u64(out + 16, h.run_id);
  put_u64(out + 24, static_cast<uint64_t>(h.created_wall_ns));
  put_u32(out + 32, h.segment_index);
  put_u32(out + 36, crc32c(out, 36));
}

HeaderStatus decode_segment_header(const uint8_t* in, size_t n, SegmentHeader& h) {
  if (n < 12) return std::memcmp(in, kSegmentMagic, n < 8 ? n : 8) == 0 ? HeaderStatus::truncated
                                                                         : HeaderStatus::bad_magic;
  if (std::memcmp(in, kSegmentMagic, 8) != 0) return HeaderStatus::bad_magic;
  h.header_len = get_u16(in + 10);
  if (h.header_len < kSegmentHeaderSize || h.header_len > kMaxSegmentHeaderSize)
    return HeaderStatus::bad_length;
  if (n < h.header_len) return HeaderStatus::truncated;
  if (get_u32(in + h.header_len - 4) != crc32c(in, h.header_len - 4u)) return HeaderStatus::bad_crc;
  h.version = get_u16(in + 8);
  // Later versions may change anything after the magic; only the version field is promised.
  if (h.version != kFormatVersion) return HeaderStatus::unsupported_version;
  h.flags = get_u32(in + 12);
  h.run_id = get_u64(in + 16);
  h.created_wall_ns = static_cast<int64_t>(get_u64(in + 24));
  h.segment_index = get_u32(in + 32);
  return HeaderStatus::ok;
}

void encode_block_header(const BlockHeader& h, uint8_t* out) {
  std::memcpy(out, kBlockMagic, 4);
  put_u32(out + 4, h.comp_len);
  put_u32(out + 8, h.raw_len);
  put_u32(out + 12, h.record_count);
  put_u64(out + 16, h.first_seq);
  put_u64(out + 24, static_cast<uint64_t>(h.first_wall_ns));
  put_u64(out + 32, static_cast<uint64_t>(h.last_wall_ns));
  out[40] = static_cast<uint8_t>(h.codec);
  out[41] = out[42] = out[43] = 0;
  put_u32(out + 44, h.payload_crc);
  put_u32(out + 48, crc32c(out, 48));
}

HeaderStatus decode_block_header(const uint8_t* in, BlockHeader& h) {
  if (std::memcmp(in, kBlockMagic, 4) != 0) return HeaderStatus::bad_magic;
  if (get_u32(in + 48) != crc32c(in, 48)) return HeaderStatus::bad_crc;
  h.comp_len = get_u32(in + 4);
  h.raw_len = get_u32(in + 8);
  h.record_count = get_u32(in + 12);
  h.first_seq = get_u64(in + 16);
  h.first_wall_ns = static_cast<int64_t>(get_u64(in + 24));
  h.last_wall_ns = static_cast<int64_t>(get_u64(in + 32));
  h.codec = static_cast<Codec>(in[40]);
  h.payload_crc = get_u32(in + 44);
  // A checksummed header with absurd lengths is still refused: the reader's memory is bounded
  // by kMaxBlockRaw whatever the input.
  if (h.raw_len > kMaxBlockRaw || h.comp_len > kMaxBlockRaw + (kMaxBlockRaw >> 7) + (64u << 10) ||
      static_cast<uint64_t>(h.record_count) * kRecordHeaderSize > h.raw_len)
    return HeaderStatus::bad_length;
  return HeaderStatus::ok;
}

void encode_record_header(const RecordHeader& h, uint8_t* out) {
  put_u32(out, h.payload_len);
  put_u32(out + 4, h.crc);
  put_u64(out + 8, h.seq);
  put_u64(out + 16, static_cast<uint64_t>(h.t.wall_ns));
  put_u64(out + 24, static_cast<uint64_t>(h.t.mono_ns));
  put_u32(out + 32, h.feed);
  put_u32(out + 36, static_cast<uint32_t>(h.index));
  out[40] = static_cast<uint8_t>(h.type);
  out[41] = h.kind;
  out[42] = h.flags;
  out[43] = h.venue_len;
  put_u32(out + 44, 0);
}

RecordHeader decode_record_header(const uint8_t* in) {
  RecordHeader h;
  h.payload_len = get_u32(in);
  h.crc = get_u32(in + 4);
  h.seq = get_u64(in + 8);
  h.t.wall_ns = static_cast<int64_t>(get_u64(in + 16));
  h.t.mono_ns = static_cast<int64_t>(get_u64(in + 24));
  h.feed = get_u32(in + 32);
  h.index = static_cast<int32_t>(get_u32(in + 36));
  h.type = static_cast<RecordType>(in[40]);
  h.kind = in[41];
  h.flags = in[42];
  h.venue_len = in[43];
  return h;
}

uint32_t record_crc(const uint8_t* rec, size_t len) {
  return crc32c(rec + 8, len - 8, crc32c(rec, 4));
}

void seal_record(uint8_t* rec, size_t len) { put_u32(rec + 4, record_crc(rec, len)); }

std::string segment_file_name(int64_t wall_ns, uint32_t counter) {
  const int64_t secs = wall_ns / 1'000'000'000;
  const auto ms = static_cast<int>((wall_ns / 1'000'000) % 1000);
  const auto tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "seg-%04d%02d%02dT%02d%02d%02d.%03dZ-%06u%s", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms, counter,
                kSegmentSuffix);
  return buf;
}

}  // namespace mdhub::record
