// InlineFunction<R(Args...)>: a move-only std::function that keeps a
// callable of up to kInline bytes in place. std::function (libstdc++) keeps
// only trivially copyable callables of 16 bytes in place: a request's
// response handler, which holds shared_ptrs, cost a heap block per attempt.
// Larger callables still go to the heap.
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace cql {

template <typename Sig, size_t kInline = 48>
class InlineFunction;

template <typename R, typename... Args, size_t kInline>
class InlineFunction<R(Args...), kInline> {
 public:
  InlineFunction() = default;
  InlineFunction(std::nullptr_t) {}  // NOLINT: as std::function
  template <typename F, typename D = std::decay_t<F>,
            typename = std::enable_if_t<!std::is_same_v<D, InlineFunction> && std::is_invocable_r_v<R, D&, Args...>>>
  InlineFunction(F&& f) {  // NOLINT: implicit, as std::function
    if constexpr (kFits<D>) {
      ::new (static_cast<void*>(buf_)) D(std::forward<F>(f));
      ops_ = &kInPlace<D>;
    } else {
      ::new (static_cast<void*>(buf_)) D*(new D(std::forward<F>(f)));
      ops_ = &kOnHeap<D>;
    }
  }
  InlineFunction(InlineFunction&& o) noexcept { Take(o); }
  InlineFunction& operator=(InlineFunction&& o) noexcept {
    if (this != &o) {
      Reset();
      Take(o);
    }
    return *this;
  }
  InlineFunction& operator=(std::nullptr_t) noexcept {
    Reset();
    return *this;
  }
  InlineFunction(const InlineFunction&) = delete;
  InlineFunction& operator=(const InlineFunction&) = delete;
  ~InlineFunction() { Reset(); }

  explicit operator bool() const { return ops_ != nullptr; }
  R operator()(Args... args) { return ops_->call(buf_, std::forward<Args>(args)...); }

 private:
  struct Ops {
    R (*call)(void* self, Args&&... args);
    void (*move)(void* from, void* to) noexcept;  // to is raw storage; from is left destroyed
    void (*destroy)(void* self) noexcept;
  };
  template <typename D>
  static constexpr bool kFits = sizeof(D) <= kInline && alignof(D) <= alignof(std::max_align_t) &&
                                std::is_nothrow_move_constructible_v<D>;
  template <typename D>
  static constexpr Ops kInPlace = {
      [](void* self, Args&&... args) -> R { return (*static_cast<D*>(self))(std::forward<Args>(args)...); },
      [](void* from, void* to) noexcept {
        ::new (to) D(std::move(*static_cast<D*>(from)));
        static_cast<D*>(from)->~D();
      },
      [](void* self) noexcept { static_cast<D*>(self)->~D(); },
  };
  template <typename D>
  static constexpr Ops kOnHeap = {
      [](void* self, Args&&... args) -> R { return (**static_cast<D**>(self))(std::forward<Args>(args)...); },
      [](void* from, void* to) noexcept { ::new (to) D*(*static_cast<D**>(from)); },
      [](void* self) noexcept { delete *static_cast<D**>(self); },
  };

  void Take(InlineFunction& o) noexcept {
    if (!o.ops_) return;
    o.ops_->move(o.buf_, buf_);
    ops_ = o.ops_;
    o.ops_ = nullptr;
  }
  void Reset() noexcept {
    if (ops_) ops_->destroy(buf_);
    ops_ = nullptr;
  }

  alignas(std::max_align_t) unsigned char buf_[kInline];
  const Ops* ops_ = nullptr;
};

}  // namespace cql
