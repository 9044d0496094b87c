// libFuzzer target: a RESULT body (rows, prepared, schema change...) decoded
// and every cell read as a Value; plus the input read as [option][cell].
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "cql/errors.h"
#include "cql/frame.h"
#include "cql/value_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto body = std::make_shared<const std::string>(reinterpret_cast<const char*>(data), size);
  cql::ResultMessage r;
  if (cql::DecodeResult(body, 0, r)) {
    for (cql::Row row : r.rows) {
      for (size_t i = 0; i < row.size(); ++i) {
        try {
          (void)row.get_value(i);
          (void)row.get_blob(i);
        } catch (const cql::CqlError&) {
        }
      }
    }
  }
  std::string_view in(*body);
  cql::DataType t;
  if (cql::GetDataType(in, t)) {
    cql::Value v;
    if (cql::DecodeCell(t, in, v)) {
      std::string again;
      (void)cql::PutCell(again, v, &t);
    }
  }
  return 0;
}
