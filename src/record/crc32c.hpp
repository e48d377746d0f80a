#pragma once
// CRC-32C (Castagnoli; reflected polynomial 0x82F63B78, initial and final XOR 0xFFFFFFFF),
// the checksum of the recording format. Uses the SSE4.2 / ARMv8 CRC instruction when the
// translation unit is built for it, else a portable slicing-by-8 table. Pure, thread-safe.
#include <cstddef>
#include <cstdint>

namespace mdhub::record {

/// CRC-32C of `n` bytes, continuing from `crc` (0 to start): crc32c(b, crc32c(a)) is the
/// CRC of a followed by b. crc32c("123456789") == 0xE3069283.
uint32_t crc32c(const void* data, size_t n, uint32_t crc = 0) noexcept;

/// The portable table implementation; same results as crc32c() (exposed for tests).
uint32_t crc32c_portable(const void* data, size_t n, uint32_t crc = 0) noexcept;

}  // namespace mdhub::record
