#pragma once
// A small expected<T, E>: a value or a typed error, never an exception on the hot path.
#include <cassert>
#include <utility>
#include <variant>

namespace mdhub {

template <class E>
struct Unexpected {
  E error;
};
template <class E>
Unexpected(E) -> Unexpected<E>;

template <class T, class E>
class [[nodiscard]] Result {
 public:
  Result(T v) : v_(std::in_place_index<0>, std::move(v)) {}  // NOLINT: implicit by design
  Result(Unexpected<E> e) : v_(std::in_place_index<1>, e.error) {}  // NOLINT
  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  const T& value() const& { assert(has_value()); return std::get<0>(v_); }
  T& value() & { assert(has_value()); return std::get<0>(v_); }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }
  E error() const { assert(!has_value()); return std::get<1>(v_); }
  T value_or(T dflt) const { return has_value() ? std::get<0>(v_) : dflt; }

 private:
  std::variant<T, E> v_;
};

}  // namespace mdhub
