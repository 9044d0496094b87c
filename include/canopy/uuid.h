// canopy::Uuid — a 128-bit UUID value (run ids are UUIDs, as in the
// reference's `run_id UUID` columns).
//
// Parsing accepts the canonical 36-character form
// (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, either case) and throws
// canopy::InvalidArgument naming the input and what was wrong otherwise.
// Formatting always gives lower-case canonical form. Uuid::random() returns a
// version-4 (random) UUID. Uuid is a regular value type: copyable, ordered,
// hashable, and safe to use from any thread.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace canopy {

class Uuid {
 public:
  // The nil UUID 00000000-0000-0000-0000-000000000000.
  constexpr Uuid() = default;
  constexpr explicit Uuid(const std::array<std::uint8_t, 16>& bytes) : bytes_(bytes) {}

  // Parses the canonical text form; throws canopy::InvalidArgument on
  // malformed input (wrong length, misplaced dashes, non-hex digits).
  static Uuid parse(std::string_view text);
  // Same as parse() but returns nullopt instead of throwing.
  static std::optional<Uuid> try_parse(std::string_view text) noexcept;
  // A new random version-4 UUID (thread-safe; per-thread generator seeded
  // from std::random_device).
  static Uuid random();

  // Lower-case canonical text, 36 characters.
  std::string str() const;
  bool is_nil() const noexcept;
  const std::array<std::uint8_t, 16>& bytes() const noexcept { return bytes_; }

  friend auto operator<=>(const Uuid&, const Uuid&) = default;
  // Two 8-byte loads, not a call to memcmp: the writer compares run ids
  // once per metric.
  friend bool operator==(const Uuid& a, const Uuid& b) noexcept {
    return a.half(0) == b.half(0) && a.half(1) == b.half(1);
  }
  // The i-th 8 bytes in host order (hashing, equality).
  std::uint64_t half(int i) const noexcept {
    std::uint64_t v;
    std::memcpy(&v, bytes_.data() + 8 * i, 8);
    return v;
  }

 private:
  std::array<std::uint8_t, 16> bytes_{};
};

}  // namespace canopy

template <>
struct std::hash<canopy::Uuid> {
  std::size_t operator()(const canopy::Uuid& u) const noexcept {
    return std::hash<std::uint64_t>{}(u.half(0) ^ (u.half(1) * 0x9E3779B97F4A7C15ull));
  }
};
