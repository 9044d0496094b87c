#include <algorithm>
#include <cctype>
#include <string>

#include "cql/consistency.h"

namespace cql {

namespace {
struct Named { Consistency c; const char* name; };
constexpr Named kNames[] = {
    {Consistency::kAny, "ANY"},           {Consistency::kOne, "ONE"},
    {Consistency::kTwo, "TWO"},           {Consistency::kThree, "THREE"},
    {Consistency::kQuorum, "QUORUM"},     {Consistency::kAll, "ALL"},
    {Consistency::kLocalQuorum, "LOCAL_QUORUM"}, {Consistency::kEachQuorum, "EACH_QUORUM"},
    {Consistency::kSerial, "SERIAL"},     {Consistency::kLocalSerial, "LOCAL_SERIAL"},
    {Consistency::kLocalOne, "LOCAL_ONE"},
};
}  // namespace

std::optional<Consistency> ParseConsistency(std::string_view name) {
  std::string upper(name);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  for (const auto& n : kNames)
    if (upper == n.name) return n.c;
  return std::nullopt;
}

const char* ConsistencyName(Consistency c) {
  for (const auto& n : kNames)
    if (n.c == c) return n.name;
  return "UNKNOWN";
}

}  // namespace cql
