// PreparedCache: prepared statements by query text, so Prepare() of a query
// prepared before answers without a round trip. Cleared on every schema
// change, so a statement is re-prepared (fresh bind metadata) after DDL.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "cql/statement.h"

namespace cql {

class PreparedCache {
 public:
  Prepared Find(const std::string& query) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_query_.find(query);
    return it == by_query_.end() ? nullptr : it->second;
  }
  void Put(const std::string& query, Prepared p) {
    std::lock_guard<std::mutex> lock(mu_);
    by_query_[query] = std::move(p);
  }
  void Clear() {
    std::lock_guard<std::mutex> lock(mu_);
    by_query_.clear();
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, Prepared> by_query_;
};

}  // namespace cql
