// libFuzzer target: a byte stream from a server, decoded frame by frame the
// way Connection does (header, optional LZ4, tracing/warnings/payload
// prefix, then the body of the opcode), touching every decoded cell.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "cql/compression.h"
#include "cql/errors.h"
#include "cql/frame.h"

namespace {

void TouchRows(const cql::ResultSet& rs) {
  for (cql::Row r : rs) {
    for (size_t i = 0; i < r.size(); ++i) {
      try {
        (void)r.get_value(i).ToString();
      } catch (const cql::CqlError&) {
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  while (in.size() >= cql::kHeaderSize) {
    cql::FrameHeader h;
    if (!cql::GetFrameHeader(in, h)) return 0;
    if (in.size() < h.length) return 0;
    std::string body(in.substr(0, h.length));
    in.remove_prefix(h.length);
    if (h.flags & cql::kFlagCompression) {
      std::string plain;
      if (!cql::Lz4DecompressBody(body, plain, 1 << 20)) continue;
      body.swap(plain);
    }
    auto shared = std::make_shared<const std::string>(std::move(body));
    std::string_view view(*shared);
    std::vector<std::string> warnings;
    if (!cql::StripResponsePrefix(view, h.flags, &warnings)) continue;
    size_t offset = shared->size() - view.size();
    switch (h.opcode) {
      case cql::Opcode::kError: {
        cql::ErrorMessage e;
        if (cql::DecodeError(view, e)) (void)cql::ToError(e, "fuzz").to_string();
        break;
      }
      case cql::Opcode::kResult: {
        cql::ResultMessage r;
        if (cql::DecodeResult(shared, offset, r)) TouchRows(r.rows);
        break;
      }
      case cql::Opcode::kEvent: {
        cql::EventMessage e;
        (void)cql::DecodeEvent(view, e);
        break;
      }
      case cql::Opcode::kAuthenticate: {
        std::string name;
        (void)cql::DecodeAuthenticate(view, name);
        break;
      }
      case cql::Opcode::kSupported: {
        std::map<std::string, std::vector<std::string>> m;
        (void)cql::DecodeSupported(view, m);
        break;
      }
      case cql::Opcode::kAuthChallenge:
      case cql::Opcode::kAuthSuccess: {
        std::optional<std::string> t;
        (void)cql::DecodeAuthToken(view, t);
        break;
      }
      default:
        break;
    }
  }
  return 0;
}
