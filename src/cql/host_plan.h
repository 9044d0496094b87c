// HostPlan: the hosts a request tries, in order. Plain pointers in place for
// up to kInline hosts (a heap block only for larger plans): a query plan
// per request must not cost an allocation and a reference count per host.
// The pointers are borrowed: the ClusterState the plan was made from owns
// the hosts, and whoever holds the plan holds that state too.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace cql {

struct Host;

class HostPlan {
 public:
  static constexpr size_t kInline = 8;

  HostPlan() = default;
  // Copies and moves touch only the hosts in use (inline_ is left uninitialized).
  HostPlan(const HostPlan& o) : heap_(o.heap_), size_(o.size_) { CopyInline(o); }
  HostPlan(HostPlan&& o) noexcept : heap_(std::move(o.heap_)), size_(o.size_) { CopyInline(o); }
  HostPlan& operator=(const HostPlan& o) {
    heap_ = o.heap_;
    size_ = o.size_;
    CopyInline(o);
    return *this;
  }
  HostPlan& operator=(HostPlan&& o) noexcept {
    heap_ = std::move(o.heap_);
    size_ = o.size_;
    CopyInline(o);
    return *this;
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Host* operator[](size_t i) const { return data()[i]; }
  Host* const* begin() const { return data(); }
  Host* const* end() const { return data() + size_; }
  Host** begin() { return data(); }
  Host** end() { return data() + size_; }

  void push_back(Host* h) {
    if (size_ < kInline && heap_.empty()) [[likely]] {
      inline_[size_++] = h;
      return;
    }
    Spill(h);
  }
  void clear() {
    size_ = 0;
    heap_.clear();
  }

 private:
  Host* const* data() const { return heap_.empty() ? inline_ : heap_.data(); }
  Host** data() { return heap_.empty() ? inline_ : heap_.data(); }
  void CopyInline(const HostPlan& o) {
    if (heap_.empty()) std::copy_n(o.inline_, size_, inline_);
  }
  // Past kInline: every host moves to heap_.
  void Spill(Host* h) {
    if (heap_.empty()) heap_.assign(inline_, inline_ + size_);
    heap_.push_back(h);
    ++size_;
  }

  Host* inline_[kInline];
  std::vector<Host*> heap_;  // every host once the plan outgrows inline_
  size_t size_ = 0;
};

}  // namespace cql
