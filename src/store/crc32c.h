// CRC-32C (Castagnoli), as used by LevelDB's log and the spool's framing.
// Hardware (SSE4.2) when the CPU has it, a table otherwise; same results.
#pragma once

#include <cstddef>
#include <cstdint>

namespace canopy::store {

// CRC-32C of data[0, n) continuing from `crc` (0 for a fresh checksum).
std::uint32_t crc32c_extend(std::uint32_t crc, const void* data, std::size_t n);
inline std::uint32_t crc32c(const void* data, std::size_t n) { return crc32c_extend(0, data, n); }

// Checksums stored next to the data they cover are masked (as in LevelDB) so
// that a CRC of data that itself contains CRCs stays well distributed.
inline std::uint32_t crc32c_mask(std::uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }
inline std::uint32_t crc32c_unmask(std::uint32_t masked) {
  std::uint32_t rot = masked - 0xa282ead8u;
  return (rot >> 17) | (rot << 15);
}

}  // namespace canopy::store
