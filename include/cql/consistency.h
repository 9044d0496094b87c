// Consistency levels of native protocol v4 (spec section 3, [consistency]):
// how many replicas must answer a read or acknowledge a write.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace cql {

enum class Consistency : uint16_t {
  kAny = 0x0000,
  kOne = 0x0001,
  kTwo = 0x0002,
  kThree = 0x0003,
  kQuorum = 0x0004,
  kAll = 0x0005,
  kLocalQuorum = 0x0006,
  kEachQuorum = 0x0007,
  kSerial = 0x0008,
  kLocalSerial = 0x0009,
  kLocalOne = 0x000A,
};
// "ONE", "LOCAL_QUORUM", ... (case-insensitive); nullopt if unknown.
std::optional<Consistency> ParseConsistency(std::string_view name);
const char* ConsistencyName(Consistency c);

}  // namespace cql
