// libFuzzer target: the text parsers behind the CLI's --from/--to flags and
// the read API's from=/to= (json::parse_time_arg) and run ids (Uuid::parse).
// Neither may crash or overflow (UBSan), parse_time_arg reports failure only
// through its error text, and what they accept prints and parses back to the
// same value.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "canopy/errors.h"
#include "canopy/uuid.h"
#include "json/time.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const canopy::Timestamp now{std::chrono::milliseconds{1'764'000'000'000}};  // a fixed "now": runs are reproducible

  std::string error;
  auto t = canopy::json::parse_time_arg(text, now, &error);
  if (t) {
    std::string error2;
    auto back = canopy::json::parse_time_arg(canopy::json::format_time(*t), now, &error2);
    // format_time covers years 0000-9999; beyond that it need not round-trip.
    const auto ms = t->time_since_epoch().count();
    if (ms >= -62'167'219'200'000 && ms < 253'402'300'800'000 && back != t) std::abort();
  } else if (error.empty()) {
    std::abort();  // a refusal must say why
  }

  auto u = canopy::Uuid::try_parse(text);
  try {
    canopy::Uuid parsed = canopy::Uuid::parse(text);
    if (!u || parsed != *u) std::abort();  // parse and try_parse agree
    if (canopy::Uuid::parse(parsed.str()) != parsed) std::abort();
  } catch (const canopy::InvalidArgument&) {
    if (u) std::abort();
  }
  return 0;
}
