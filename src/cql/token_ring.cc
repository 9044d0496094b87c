#include "cql/token_ring.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <set>

#include "cql/coding.h"

namespace cql {

namespace {

inline uint64_t Rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

inline uint64_t Fmix(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

// 8 bytes little-endian: one load on a little-endian machine.
inline uint64_t Block(const uint8_t* p) {
  if constexpr (std::endian::native == std::endian::little) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
  }
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Java's (long) of a signed byte.
inline uint64_t SignedByte(uint8_t b) { return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(b))); }

}  // namespace

int64_t Murmur3Token(std::string_view key) {
  const uint8_t* data = reinterpret_cast<const uint8_t*>(key.data());
  const size_t len = key.size();
  const size_t nblocks = len / 16;
  uint64_t h1 = 0, h2 = 0;
  const uint64_t c1 = 0x87c37b91114253d5ULL, c2 = 0x4cf5ad432745937fULL;
  for (size_t i = 0; i < nblocks; ++i) {
    uint64_t k1 = Block(data + i * 16), k2 = Block(data + i * 16 + 8);
    k1 *= c1; k1 = Rotl(k1, 31); k1 *= c2; h1 ^= k1;
    h1 = Rotl(h1, 27); h1 += h2; h1 = h1 * 5 + 0x52dce729;
    k2 *= c2; k2 = Rotl(k2, 33); k2 *= c1; h2 ^= k2;
    h2 = Rotl(h2, 31); h2 += h1; h2 = h2 * 5 + 0x38495ab5;
  }
  const uint8_t* tail = data + nblocks * 16;
  uint64_t k1 = 0, k2 = 0;
  switch (len & 15) {
    case 15: k2 ^= SignedByte(tail[14]) << 48; [[fallthrough]];
    case 14: k2 ^= SignedByte(tail[13]) << 40; [[fallthrough]];
    case 13: k2 ^= SignedByte(tail[12]) << 32; [[fallthrough]];
    case 12: k2 ^= SignedByte(tail[11]) << 24; [[fallthrough]];
    case 11: k2 ^= SignedByte(tail[10]) << 16; [[fallthrough]];
    case 10: k2 ^= SignedByte(tail[9]) << 8; [[fallthrough]];
    case 9:
      k2 ^= SignedByte(tail[8]);
      k2 *= c2; k2 = Rotl(k2, 33); k2 *= c1; h2 ^= k2;
      [[fallthrough]];
    case 8: k1 ^= SignedByte(tail[7]) << 56; [[fallthrough]];
    case 7: k1 ^= SignedByte(tail[6]) << 48; [[fallthrough]];
    case 6: k1 ^= SignedByte(tail[5]) << 40; [[fallthrough]];
    case 5: k1 ^= SignedByte(tail[4]) << 32; [[fallthrough]];
    case 4: k1 ^= SignedByte(tail[3]) << 24; [[fallthrough]];
    case 3: k1 ^= SignedByte(tail[2]) << 16; [[fallthrough]];
    case 2: k1 ^= SignedByte(tail[1]) << 8; [[fallthrough]];
    case 1:
      k1 ^= SignedByte(tail[0]);
      k1 *= c1; k1 = Rotl(k1, 31); k1 *= c2; h1 ^= k1;
      break;
    default: break;
  }
  h1 ^= len;
  h2 ^= len;
  h1 += h2;
  h2 += h1;
  h1 = Fmix(h1);
  h2 = Fmix(h2);
  h1 += h2;
  int64_t token = static_cast<int64_t>(h1);
  return token == std::numeric_limits<int64_t>::min() ? std::numeric_limits<int64_t>::max() : token;
}

std::string CompositeRoutingKey(const std::vector<std::string>& components) {
  if (components.size() == 1) return components[0];
  std::string key;
  for (const auto& c : components) {
    PutU16(key, static_cast<uint16_t>(c.size()));
    key += c;
    key.push_back('\0');
  }
  return key;
}

Replication Replication::FromMap(const std::map<std::string, std::string>& m) {
  Replication r;
  auto cls = m.find("class");
  if (cls == m.end()) return r;
  auto to_int = [](const std::string& s) {
    try { return std::stoi(s); } catch (...) { return 0; }
  };
  const std::string& c = cls->second;
  if (c.find("SimpleStrategy") != std::string::npos) {
    r.strategy = Strategy::kSimple;
    auto rf = m.find("replication_factor");
    r.replication_factor = rf == m.end() ? 1 : to_int(rf->second);
  } else if (c.find("NetworkTopologyStrategy") != std::string::npos) {
    r.strategy = Strategy::kNetworkTopology;
    for (const auto& [k, v] : m)
      if (k != "class") r.dc_factors[k] = to_int(v);
  } else if (c.find("LocalStrategy") != std::string::npos) {
    r.strategy = Strategy::kLocal;
  }
  return r;
}

TokenRing::TokenRing(std::vector<Node> nodes, const std::vector<std::vector<int64_t>>& tokens)
    : nodes_(std::move(nodes)) {
  std::map<std::string, std::set<std::string>> racks;
  for (size_t i = 0; i < nodes_.size() && i < tokens.size(); ++i) {
    for (int64_t t : tokens[i]) ring_.emplace_back(t, i);
    racks[nodes_[i].datacenter].insert(nodes_[i].rack);
  }
  for (const auto& n : nodes_) ++nodes_per_dc_[n.datacenter];
  std::sort(ring_.begin(), ring_.end());
  for (const auto& [dc, r] : racks) racks_per_dc_[dc] = r.size();
}

size_t TokenRing::RangeOf(int64_t token) const {
  // The primary replica owns the first ring token >= token (wrapping).
  size_t i = static_cast<size_t>(
      std::lower_bound(ring_.begin(), ring_.end(), std::make_pair(token, size_t{0})) - ring_.begin());
  return i == ring_.size() ? 0 : i;
}

std::vector<size_t> TokenRing::Replicas(int64_t token, const Replication& r) const {
  if (ring_.empty()) return {};
  return ReplicasFrom(RangeOf(token), r);
}

ReplicaTable TokenRing::Table(const Replication& r) const {
  ReplicaTable t;
  t.begin.reserve(ring_.size() + 1);
  for (size_t i = 0; i < ring_.size(); ++i) {
    t.begin.push_back(static_cast<uint32_t>(t.nodes.size()));
    for (size_t n : ReplicasFrom(i, r)) t.nodes.push_back(static_cast<uint32_t>(n));
  }
  t.begin.push_back(static_cast<uint32_t>(t.nodes.size()));
  return t;
}

std::vector<size_t> TokenRing::ReplicasFrom(size_t start, const Replication& r) const {
  std::vector<size_t> out;
  auto contains = [&](size_t n) { return std::find(out.begin(), out.end(), n) != out.end(); };
  if (r.strategy == Replication::Strategy::kSimple) {
    for (size_t i = 0; i < ring_.size() && out.size() < static_cast<size_t>(r.replication_factor); ++i) {
      size_t n = ring_[(start + i) % ring_.size()].second;
      if (!contains(n)) out.push_back(n);
    }
    return out;
  }
  if (r.strategy != Replication::Strategy::kNetworkTopology) return out;
  // NetworkTopologyStrategy: per datacenter, walk the ring preferring racks not yet used.
  struct DcState { size_t want = 0; size_t got = 0; std::set<std::string> racks; std::vector<size_t> skipped; };
  std::map<std::string, DcState> dcs;
  size_t missing = 0;  // replicas still to place, over every datacenter
  for (const auto& [dc, rf] : r.dc_factors) {
    if (rf <= 0) continue;
    auto in_dc = nodes_per_dc_.find(dc);
    dcs[dc].want = std::min<size_t>(static_cast<size_t>(rf), in_dc == nodes_per_dc_.end() ? 0 : in_dc->second);
    missing += dcs[dc].want;
  }
  // Once every replica is placed the rest of the ring adds none: stop there
  // (Table() walks from every range).
  for (size_t i = 0; i < ring_.size() && missing > 0; ++i) {
    size_t n = ring_[(start + i) % ring_.size()].second;
    auto it = dcs.find(nodes_[n].datacenter);
    if (it == dcs.end() || contains(n)) continue;
    DcState& s = it->second;
    if (s.got >= s.want) continue;
    size_t rack_count = racks_per_dc_.count(it->first) ? racks_per_dc_.at(it->first) : 1;
    if (s.racks.count(nodes_[n].rack) && s.racks.size() < rack_count) {
      if (std::find(s.skipped.begin(), s.skipped.end(), n) == s.skipped.end()) s.skipped.push_back(n);
      continue;
    }
    out.push_back(n);
    ++s.got;
    --missing;
    s.racks.insert(nodes_[n].rack);
    if (s.racks.size() == rack_count) {  // every rack used: the skipped nodes come next, in ring order
      for (size_t sk : s.skipped) {
        if (s.got >= s.want) break;
        if (!contains(sk)) { out.push_back(sk); ++s.got; --missing; }
      }
      s.skipped.clear();
    }
  }
  return out;
}

}  // namespace cql
