#pragma once
// Private to src/net: a first-in first-out queue over one contiguous ring
// (boost::circular_buffer) that doubles when full. Unlike std::deque, which allocates and
// frees a block every few elements as they pass through, a queue in steady state reuses its
// ring and allocates nothing; once it is empty again after a backlog, the ring goes back to
// its first size, so a burst does not keep its memory. Growing moves the elements: nothing may
// keep a pointer into one (the gathered write's buffers do, so its queue stays a deque).
#include <boost/circular_buffer.hpp>

#include <algorithm>
#include <cstddef>
#include <utility>

namespace mdhub::net::detail {

template <class T>
class Fifo {
 public:
  static constexpr size_t kFirst = 16;

  bool empty() const { return ring_.empty(); }
  size_t size() const { return ring_.size(); }
  T& front() { return ring_.front(); }
  auto begin() { return ring_.begin(); }
  auto end() { return ring_.end(); }
  auto begin() const { return ring_.begin(); }
  auto end() const { return ring_.end(); }

  void push_back(T&& v) {
    if (ring_.full()) ring_.set_capacity(std::max(kFirst, ring_.capacity() * 2));
    ring_.push_back(std::move(v));
  }
  void pop_front() {
    ring_.pop_front();
    if (ring_.empty() && ring_.capacity() > kShrinkAbove) ring_.set_capacity(kFirst);
  }
  void clear() {
    ring_.clear();
    if (ring_.capacity() > kShrinkAbove) ring_.set_capacity(kFirst);
  }

 private:
  static constexpr size_t kShrinkAbove = 256;
  boost::circular_buffer<T> ring_;
};

}  // namespace mdhub::net::detail
