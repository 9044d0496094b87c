// PreparedCache: prepared statements by query text, so Prepare() of a query
// prepared before answers without a round trip. Bounded (least recently
// used evicted first): a process that prepares ever new query texts must
// not grow without end. Evicting only forgets the query → statement entry:
// a Prepared held by a caller or an in-flight request stays valid (the
// nodes still know it, and an UNPREPARED is re-prepared from its query).
// Cleared on every schema change, so a statement is re-prepared (fresh bind
// metadata) after DDL.
#pragma once

#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "cql/statement.h"

namespace cql {

class PreparedCache {
 public:
  explicit PreparedCache(size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}

  // The statement for query, now the most recently used; null if absent.
  Prepared Find(const std::string& query) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_query_.find(query);
    if (it == by_query_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->second;
  }
  void Put(const std::string& query, Prepared p) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_query_.find(query);
    if (it != by_query_.end()) {
      it->second->second = std::move(p);
      order_.splice(order_.begin(), order_, it->second);
      return;
    }
    order_.emplace_front(query, std::move(p));
    by_query_[query] = order_.begin();
    while (order_.size() > capacity_) {
      by_query_.erase(order_.back().first);
      order_.pop_back();
    }
  }
  void Clear() {
    std::lock_guard<std::mutex> lock(mu_);
    by_query_.clear();
    order_.clear();
  }
  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return order_.size();
  }

 private:
  using Entry = std::pair<std::string, Prepared>;
  const size_t capacity_;
  mutable std::mutex mu_;  // guards order_, by_query_
  std::list<Entry> order_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> by_query_;
};

}  // namespace cql
