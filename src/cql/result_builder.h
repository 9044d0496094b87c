// Internal: fills the private parts of a ResultSet (used by the decoder and
// the session). Not part of the public API.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cql/result.h"

namespace cql {

struct ResultSetBuilder {
  static void SetKind(ResultSet& rs, ResultSet::Kind k) { rs.kind_ = k; }
  static RowsMetadata& Metadata(ResultSet& rs) {
    if (!rs.meta_) rs.meta_ = std::make_shared<RowsMetadata>();
    return *rs.meta_;
  }
  static void SetBody(ResultSet& rs, std::shared_ptr<const std::string> body) { rs.body_ = std::move(body); }
  static auto& Cells(ResultSet& rs) { return rs.cells_; }
  static void SetRowCount(ResultSet& rs, size_t n) { rs.row_count_ = n; }
  static void SetWarnings(ResultSet& rs, std::vector<std::string> w) { rs.warnings_ = std::move(w); }
  static void SetHost(ResultSet& rs, std::string h) { rs.host_ = std::make_shared<const std::string>(std::move(h)); }
  static void SetHost(ResultSet& rs, std::shared_ptr<const std::string> h) { rs.host_ = std::move(h); }
  static void SetInfo(ResultSet& rs, std::string i) { rs.info_ = std::make_shared<const std::string>(std::move(i)); }
};

}  // namespace cql
