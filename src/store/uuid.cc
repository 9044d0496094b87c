#include "canopy/uuid.h"

#include <random>

#include "canopy/errors.h"

namespace canopy {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Empty string on success, else what is wrong.
std::string parse_into(std::string_view text, std::array<std::uint8_t, 16>& out) {
  if (text.size() != 36) {
    return "expected 36 characters (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), got " + std::to_string(text.size());
  }
  std::size_t byte = 0;
  for (std::size_t i = 0; i < 36;) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return "expected '-' at position " + std::to_string(i);
      ++i;
      continue;
    }
    int hi = hex_value(text[i]);
    int lo = hex_value(text[i + 1]);
    if (hi < 0 || lo < 0) return "non-hex digit at position " + std::to_string(hi < 0 ? i : i + 1);
    out[byte++] = static_cast<std::uint8_t>(hi << 4 | lo);
    i += 2;
  }
  return {};
}

}  // namespace

Uuid Uuid::parse(std::string_view text) {
  std::array<std::uint8_t, 16> b{};
  std::string why = parse_into(text, b);
  if (!why.empty()) throw InvalidArgument("malformed UUID \"" + std::string(text) + "\": " + why);
  return Uuid(b);
}

std::optional<Uuid> Uuid::try_parse(std::string_view text) noexcept {
  std::array<std::uint8_t, 16> b{};
  try {
    if (!parse_into(text, b).empty()) return std::nullopt;
  } catch (...) {
    return std::nullopt;
  }
  return Uuid(b);
}

Uuid Uuid::random() {
  thread_local std::mt19937_64 gen{[] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }()};
  std::array<std::uint8_t, 16> b{};
  std::uint64_t a = gen(), c = gen();
  for (int i = 0; i < 8; ++i) {
    b[i] = static_cast<std::uint8_t>(a >> (8 * i));
    b[8 + i] = static_cast<std::uint8_t>(c >> (8 * i));
  }
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return Uuid(b);
}

std::string Uuid::str() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(kHex[bytes_[i] >> 4]);
    s.push_back(kHex[bytes_[i] & 0xf]);
  }
  return s;
}

bool Uuid::is_nil() const noexcept {
  for (auto v : bytes_)
    if (v != 0) return false;
  return true;
}

}  // namespace canopy
