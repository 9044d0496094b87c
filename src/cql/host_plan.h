// HostPlan: the hosts a request tries, in order. Plain pointers in place for
// up to kInline hosts (a heap block only for larger plans): a query plan
// per request must not cost an allocation and a reference count per host.
// The pointers are borrowed: the ClusterState the plan was made from owns
// the hosts, and whoever holds the plan holds that state too.
#pragma once

#include <array>
#include <cstddef>
#include <utility>
#include <vector>

namespace cql {

struct Host;

class HostPlan {
 public:
  static constexpr size_t kInline = 8;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Host* operator[](size_t i) const { return data()[i]; }
  Host* const* begin() const { return data(); }
  Host* const* end() const { return data() + size_; }
  Host** begin() { return data(); }
  Host** end() { return data() + size_; }

  void push_back(Host* h) {
    if (heap_.empty() && size_ < kInline) {
      inline_[size_++] = h;
      return;
    }
    if (heap_.empty()) heap_.assign(inline_.begin(), inline_.begin() + static_cast<std::ptrdiff_t>(size_));
    heap_.push_back(h);
    ++size_;
  }
  void clear() {
    size_ = 0;
    heap_.clear();
  }

 private:
  Host* const* data() const { return heap_.empty() ? inline_.data() : heap_.data(); }
  Host** data() { return heap_.empty() ? inline_.data() : heap_.data(); }

  std::array<Host*, kInline> inline_{};
  std::vector<Host*> heap_;  // every host once the plan outgrows inline_
  size_t size_ = 0;
};

}  // namespace cql
