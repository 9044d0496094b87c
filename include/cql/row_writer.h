// RowWriter: binds the values of a prepared statement straight into their
// wire form, without a cql::Value per column: the fast path for rows
// written by the million (the store's metric INSERTs). The conversions and
// checks are those of binding Values (value.h) — an Int bound to a bigint
// column is widened, an integer bound to a timestamp is milliseconds, an
// incompatible value is an error naming the column — and so are the bytes
// (tests/unit/cql_row_writer_test.cc compares them for every column type).
//
// Example:
//   cql::Batch batch;
//   batch.AddRow(insert, [&](cql::RowWriter& w) {
//     w.PutUuid(run).PutTimestamp(ms).PutInt(step).PutDouble(loss).PutUnset();
//   });
//   session->ExecuteBatchAsync(std::move(batch), options, callback);
//
//   cql::EncodedValues v;
//   cql::RowWriter w(*insert, v);
//   w.PutUuid(run).PutTimestamp(ms).PutInt(step).PutDouble(loss).PutUnset();
//   if (auto err = w.Finish()) ...;
//   session->ExecuteRowAsync(insert, std::move(v), options, callback);
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cql/errors.h"
#include "cql/value.h"

namespace cql {

struct PreparedStatement;
struct DataType;

// One statement's bound values as RowWriter wrote them: a [value] per bind
// marker, in order.
struct EncodedValues {
  std::string bytes;
};

class RowWriter {
 public:
  // Appends to out the [value] of each bind marker of p, in order. p and
  // out must outlive the writer. The values are gathered in the writer and
  // appended a row at a time: they are in out once Finish() returns or the
  // writer is destroyed (one append per row, not one per value).
  RowWriter(const PreparedStatement& p, std::string& out);
  RowWriter(const PreparedStatement& p, EncodedValues& out) : RowWriter(p, out.bytes) {}
  ~RowWriter() { Flush(); }
  RowWriter(const RowWriter&) = delete;
  RowWriter& operator=(const RowWriter&) = delete;

  RowWriter& PutNull();
  RowWriter& PutUnset();  // leaves the column as it is (no tombstone)
  RowWriter& PutInt(int32_t v);
  RowWriter& PutBigint(int64_t v);
  RowWriter& PutTimestamp(int64_t ms);  // milliseconds since the Unix epoch
  RowWriter& PutDouble(double v);
  RowWriter& PutText(std::string_view v);
  RowWriter& PutBlob(std::string_view v);
  RowWriter& PutUuid(const Uuid& v);
  // Any other value (collections, dates, UDTs, ...): through the Value encoder.
  RowWriter& PutValue(const Value& v);

  // Every bind marker got exactly one value and each could be encoded; else
  // a kInvalidArgument Error naming the first column that failed (the bytes
  // written are then unspecified). Appends what is gathered to out.
  std::optional<Error> Finish() const;

 private:
  static constexpr size_t kGather = 256;  // bytes gathered before an append to out

  // The type of the next bind marker, or null (too many values: noted).
  const DataType* Next();
  // The Value path for what the fast paths do not cover, with its errors.
  RowWriter& Slow(const DataType& type, const Value& v);
  // Where the next n (<= kGather) bytes go.
  char* Room(size_t n);
  void PutSized(std::string_view bytes);
  // Appends the gathered bytes to out. Const: Finish() appends them too.
  void Flush() const;

  const PreparedStatement& p_;
  std::string& out_;
  size_t next_ = 0;
  std::string error_;  // the first failure, "bind column 'x': why"
  mutable size_t gathered_ = 0;
  mutable char gather_[kGather];
};

}  // namespace cql
