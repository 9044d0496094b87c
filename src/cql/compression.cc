#include "cql/compression.h"

#include <lz4.h>

#include "cql/coding.h"

namespace cql {

void Lz4CompressBody(std::string& out, std::string_view body) {
  size_t start = out.size();
  PutI32(out, static_cast<int32_t>(body.size()));
  int bound = LZ4_compressBound(static_cast<int>(body.size()));
  out.resize(start + 4 + static_cast<size_t>(bound));
  int n = LZ4_compress_default(body.data(), out.data() + start + 4, static_cast<int>(body.size()), bound);
  out.resize(start + 4 + static_cast<size_t>(n > 0 ? n : 0));
}

bool Lz4DecompressBody(std::string_view in, std::string& out, size_t max_size) {
  int32_t n;
  if (!GetI32(in, n) || n < 0 || static_cast<size_t>(n) > max_size) return false;
  out.resize(static_cast<size_t>(n));
  if (n == 0) return in.empty() || (in.size() == 1 && in[0] == 0);
  int got = LZ4_decompress_safe(in.data(), out.data(), static_cast<int>(in.size()), n);
  return got == n;
}

}  // namespace cql
