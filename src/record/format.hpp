#pragma once
// The on-disk recording format, version 1 (byte-exact description in FORMAT.md): constants,
// the three fixed headers (segment, block, record) and their little-endian encoding.
// Writer and reader share these functions so the two can never disagree. Pure, thread-safe.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "feeds/common/events.hpp"

namespace mdhub::record {

inline constexpr char kSegmentMagic[8] = {'M', 'D', 'H', 'U', 'B', 'R', 'E', 'C'};
inline constexpr uint16_t kFormatVersion = 1;
inline constexpr size_t kSegmentHeaderSize = 40;   ///< version 1 writes exactly this
inline constexpr size_t kMaxSegmentHeaderSize = 4096;
inline constexpr uint8_t kBlockMagic[4] = {'M', 'D', 'B', 'K'};
inline constexpr size_t kBlockHeaderSize = 52;
inline constexpr size_t kRecordHeaderSize = 48;
/// Largest raw (decompressed) block a reader accepts: bounds its memory on any input.
inline constexpr uint32_t kMaxBlockRaw = 256u << 20;
inline constexpr char kSegmentSuffix[] = ".mdrec";

enum class Codec : uint8_t { stored = 0, zstd = 1 };
enum class RecordType : uint8_t { raw = 0, meta = 1 };
/// Record flag: a meta record re-emitted at the start of a later segment (already seen).
inline constexpr uint8_t kFlagRepeat = 0x01;

struct SegmentHeader {
  uint16_t version = kFormatVersion;
  uint16_t header_len = kSegmentHeaderSize;
  uint32_t flags = 0;
  uint64_t run_id = 0;           ///< random per Recorder instance; `seq` is per run
  int64_t created_wall_ns = 0;
  uint32_t segment_index = 0;    ///< 0, 1, 2... within the run
};

struct BlockHeader {
  uint32_t comp_len = 0;         ///< bytes of block payload following the header
  uint32_t raw_len = 0;          ///< bytes once decompressed
  uint32_t record_count = 0;
  uint64_t first_seq = 0;
  int64_t first_wall_ns = 0;
  int64_t last_wall_ns = 0;
  Codec codec = Codec::zstd;
  uint32_t payload_crc = 0;      ///< CRC-32C of the comp_len payload bytes
};

struct RecordHeader {
  uint32_t payload_len = 0;
  uint32_t crc = 0;              ///< see record_crc()
  uint64_t seq = 0;
  RecvTime t{};
  uint32_t feed = 0;
  int32_t index = 0;
  RecordType type = RecordType::raw;
  uint8_t kind = 0;              ///< RawKind for raw records, 0 for meta
  uint8_t flags = 0;
  uint8_t venue_len = 0;         ///< venue id (raw) or meta name (meta) length
  size_t total() const { return kRecordHeaderSize + venue_len + payload_len; }
};

// Little-endian field access, independent of the host byte order (a plain load on x86/ARM).
template <class T>
inline T byteswap_(T v) {
  T r = 0;
  for (size_t i = 0; i < sizeof v; ++i) r = static_cast<T>((r << 8) | ((v >> (8 * i)) & 0xFF));
  return r;
}
template <class T>
inline T load_le(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::big) v = byteswap_(v);
  return v;
}
template <class T>
inline void store_le(uint8_t* p, T v) {
  if constexpr (std::endian::native == std::endian::big) v = byteswap_(v);
  std::memcpy(p, &v, sizeof v);
}
inline void put_u16(uint8_t* p, uint16_t v) { store_le(p, v); }
inline void put_u32(uint8_t* p, uint32_t v) { store_le(p, v); }
inline void put_u64(uint8_t* p, uint64_t v) { store_le(p, v); }
inline uint16_t get_u16(const uint8_t* p) { return load_le<uint16_t>(p); }
inline uint32_t get_u32(const uint8_t* p) { return load_le<uint32_t>(p); }
inline uint64_t get_u64(const uint8_t* p) { return load_le<uint64_t>(p); }

enum class HeaderStatus : uint8_t { ok, truncated, bad_magic, bad_crc, unsupported_version, bad_length };
std::string_view to_string(HeaderStatus s);

/// Writes kSegmentHeaderSize bytes (header_len is forced to that size).
void encode_segment_header(const SegmentHeader& h, uint8_t* out);
/// Decodes from the first `n` bytes of a file. Returns truncated when `n` is shorter than the
/// header claims (h.header_len tells how many bytes are needed when the prefix is valid).
HeaderStatus decode_segment_header(const uint8_t* in, size_t n, SegmentHeader& h);

/// Writes kBlockHeaderSize bytes, computing the header checksum.
void encode_block_header(const BlockHeader& h, uint8_t* out);
/// Checks magic, header checksum and length sanity of kBlockHeaderSize bytes at `in`.
HeaderStatus decode_block_header(const uint8_t* in, BlockHeader& h);

/// Writes kRecordHeaderSize bytes; `h.crc` is written as given.
void encode_record_header(const RecordHeader& h, uint8_t* out);
/// Reads kRecordHeaderSize bytes (no validation).
RecordHeader decode_record_header(const uint8_t* in);
/// Record checksum: CRC-32C of the whole encoded record (header, venue, payload) except the
/// 4 checksum bytes at offset 4.
uint32_t record_crc(const uint8_t* rec, size_t len);
/// Computes and stores record_crc() into an encoded record.
void seal_record(uint8_t* rec, size_t len);

/// `seg-YYYYMMDDTHHMMSS.mmmZ-NNNNNN.mdrec` (UTC): sorts by name in time order.
std::string segment_file_name(int64_t wall_ns, uint32_t counter);

}  // namespace mdhub::record
