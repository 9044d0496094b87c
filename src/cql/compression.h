// LZ4 frame body compression (protocol v4, section 5): a compressed body is
// [int uncompressed length][LZ4 block]. Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace cql {

void Lz4CompressBody(std::string& out, std::string_view body);
// False on a malformed block, a negative length, or one above max_size.
bool Lz4DecompressBody(std::string_view in, std::string& out, size_t max_size);

}  // namespace cql
