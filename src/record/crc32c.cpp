#include "src/record/crc32c.hpp"

#include <array>
#include <bit>
#include <cstring>

#if defined(__SSE4_2__) && defined(__x86_64__)
#include <nmmintrin.h>
#define MDHUB_CRC32C_X86 1
#elif defined(__ARM_FEATURE_CRC32)
#include <arm_acle.h>
#define MDHUB_CRC32C_ARM 1
#endif

namespace mdhub::record {
namespace {

constexpr uint32_t kPoly = 0x82F63B78u;

using Tables = std::array<std::array<uint32_t, 256>, 8>;

constexpr Tables make_tables() {
  Tables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (kPoly & (0u - (c & 1u)));
    t[0][i] = c;
  }
  for (size_t k = 1; k < 8; ++k)
    for (size_t i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFFu];
  return t;
}

constexpr Tables kTables = make_tables();

inline uint64_t load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

uint32_t portable(const uint8_t* p, size_t n, uint32_t c) noexcept {
  if constexpr (std::endian::native == std::endian::little) {
    while (n >= 8) {
      const uint64_t v = load64(p) ^ c;
      c = kTables[7][v & 0xFFu] ^ kTables[6][(v >> 8) & 0xFFu] ^ kTables[5][(v >> 16) & 0xFFu] ^
          kTables[4][(v >> 24) & 0xFFu] ^ kTables[3][(v >> 32) & 0xFFu] ^
          kTables[2][(v >> 40) & 0xFFu] ^ kTables[1][(v >> 48) & 0xFFu] ^ kTables[0][v >> 56];
      p += 8;
      n -= 8;
    }
  }
  while (n-- > 0) c = (c >> 8) ^ kTables[0][(c ^ *p++) & 0xFFu];
  return c;
}

#if MDHUB_CRC32C_X86
// One CRC instruction has a latency of 3 cycles but a throughput of 1 per cycle, so three
// independent streams over adjacent stretches run about three times faster than one. The
// stream results are merged with the linear map "feed `len` zero bytes through the CRC
// register", applied through a 4 x 256 table (one lookup per byte of the register).
struct ShiftTable {
  uint32_t t[4][256];
  explicit ShiftTable(size_t len) {
    uint32_t basis[32];  // the map applied to each single-bit register value
    for (int bit = 0; bit < 32; ++bit) {
      uint32_t r = 1u << bit;
      for (size_t i = 0; i < len; ++i) r = (r >> 8) ^ kTables[0][r & 0xFFu];
      basis[bit] = r;
    }
    for (int k = 0; k < 4; ++k)
      for (uint32_t b = 0; b < 256; ++b) {
        uint32_t v = 0;
        for (int i = 0; i < 8; ++i)
          if ((b >> i) & 1u) v ^= basis[8 * k + i];
        t[k][b] = v;
      }
  }
  uint32_t operator()(uint32_t r) const {
    return t[0][r & 0xFFu] ^ t[1][(r >> 8) & 0xFFu] ^ t[2][(r >> 16) & 0xFFu] ^ t[3][r >> 24];
  }
};

// Runs the register `c` over as many 3 x L stretches as `n` holds.
template <size_t L>
uint32_t three_way(const uint8_t*& p, size_t& n, uint32_t c) {
  static const ShiftTable shift(L);
  while (n >= 3 * L) {
    uint64_t a = c, b = 0, d = 0;
    for (size_t i = 0; i < L; i += 8) {
      a = _mm_crc32_u64(a, load64(p + i));
      b = _mm_crc32_u64(b, load64(p + L + i));
      d = _mm_crc32_u64(d, load64(p + 2 * L + i));
    }
    c = shift(shift(static_cast<uint32_t>(a)) ^ static_cast<uint32_t>(b)) ^
        static_cast<uint32_t>(d);
    p += 3 * L;
    n -= 3 * L;
  }
  return c;
}
#endif

}  // namespace

uint32_t crc32c_portable(const void* data, size_t n, uint32_t crc) noexcept {
  return ~portable(static_cast<const uint8_t*>(data), n, ~crc);
}

uint32_t crc32c(const void* data, size_t n, uint32_t crc) noexcept {
  const auto* p = static_cast<const uint8_t*>(data);
#if MDHUB_CRC32C_X86
  uint32_t c32 = ~crc;
  c32 = three_way<2048>(p, n, c32);
  c32 = three_way<128>(p, n, c32);
  uint64_t c = c32;
  while (n >= 8) {
    c = _mm_crc32_u64(c, load64(p));
    p += 8;
    n -= 8;
  }
  c32 = static_cast<uint32_t>(c);
  while (n-- > 0) c32 = _mm_crc32_u8(c32, *p++);
  return ~c32;
#elif MDHUB_CRC32C_ARM
  uint32_t c = ~crc;
  while (n >= 8) {
    c = __crc32cd(c, load64(p));
    p += 8;
    n -= 8;
  }
  while (n-- > 0) c = __crc32cb(c, *p++);
  return ~c;
#else
  return ~portable(p, n, ~crc);
#endif
}

}  // namespace mdhub::record
