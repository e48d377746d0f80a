#pragma once
// L2 order book of one instrument on one venue: price levels per side, a venue sequence,
// and the integrity rules the engine resyncs on.
//
// Two interchangeable implementations behind one class (picked per instrument through
// BookOptions; one dispatch per call, none per level):
//   - BookImpl::vector: a sorted flat vector per side, best level at the back. Cheapest for
//     the usual stream of changes near the touch; no tuning needed.
//   - BookImpl::ladder: a dense tick-indexed window per side that re-centres on the touch,
//     with a sorted vector for the levels beyond it; O(1) lookups anywhere in the window.
//     Give it the instrument's tick when known; with tick 0 (or a wrong one) it infers the
//     tick as the gcd of price distances.
// Both produce identical states for identical input (tests compare them step by step).
//
// Rules (identical for both implementations):
//   - Prices must be > 0 (else bad_level), quantities >= 0 (else negative_qty).
//   - reset(): replaces everything. Levels with qty 0 are ignored first, then duplicates of
//     a price on one side are last-wins. On bad_level / negative_qty the book is cleared
//     (seq 0). A crossed snapshot is kept (with its seq) and reported as crossed.
//   - apply(): each level sets the absolute qty at its price, 0 deletes; deleting a level
//     that is not in the book is not an error (depth-limited venues send such deletes).
//     Sequence checks run when the book's seq is non-zero: seq != 0 and seq <= seq() ->
//     stale; else prev_seq != 0 and prev_seq != seq() -> sequence_gap. On stale,
//     sequence_gap, bad_level or negative_qty the book is unchanged. Otherwise all levels
//     are applied, seq() becomes seq (when non-zero), and a crossed result is kept and
//     reported as crossed (the engine resyncs; the state shows what the venue sent).
//
// Thread safety: none; a Book belongs to one thread. Copyable and movable.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "book/l2_basic.hpp"
#include "book/l2_error.hpp"
#include "book/l2_side_ladder.hpp"
#include "book/l2_side_vector.hpp"
#include "book/types.hpp"

namespace mdhub {

enum class BookImpl : uint8_t { vector, ladder };

struct BookOptions {
  BookImpl impl = BookImpl::vector;
  /// Ladder only: the price tick as a mantissa at the instrument's price scale; 0 = infer.
  int64_t tick = 0;
  /// Ladder only: slots per side in the dense window (8 bytes each), the memory bound.
  uint32_t max_ladder_slots = detail::LadderSide::kDefaultMaxSlots;
};

/// Order-dependent 64-bit fold over levels; Book::hash() feeds it bids then asks, each
/// best-first, then the seq, so equal states hash equal however they were built.
class LevelHasher {
 public:
  void add(Side s, const Level& l) {
    h_ = mix(h_ ^ (static_cast<uint64_t>(l.price) * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(s)));
    h_ = mix(h_ ^ static_cast<uint64_t>(l.qty));
  }
  void add_seq(uint64_t seq) { h_ = mix(h_ ^ seq ^ 0x5851F42D4C957F2Dull); }
  uint64_t value() const { return h_; }

 private:
  static uint64_t mix(uint64_t x) {  // murmur3 fmix64
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDull;
    x ^= x >> 33;
    x *= 0xC4CEB9FE1A85EC53ull;
    x ^= x >> 33;
    return x;
  }
  uint64_t h_ = 0x243F6A8885A308D3ull;
};

class Book {
  // Defined first: the inline members below deduce their return types through it.
  template <class F>
  decltype(auto) visit(F&& f) const {
    if (const auto* v = std::get_if<0>(&impl_)) return f(*v);
    return f(*std::get_if<1>(&impl_));
  }

 public:
  Book() : Book(BookOptions{}) {}
  explicit Book(const BookOptions& options);

  /// Replaces the whole book with a snapshot (see the rules above).
  BookError reset(std::span<const LevelUpdate> levels, uint64_t seq = 0);
  /// Applies one message of level changes (see the rules above).
  BookError apply(std::span<const LevelUpdate> levels, uint64_t seq = 0, uint64_t prev_seq = 0);

  std::optional<Level> best(Side s) const {
    return visit([&](const auto& b) -> std::optional<Level> {
      if (!b.has_best(s)) return std::nullopt;
      return b.best_level(s);
    });
  }
  size_t size(Side s) const {
    return visit([&](const auto& b) { return b.size(s); });
  }
  /// Calls f(const Level&) for up to `max_levels` levels of side `s`, best first.
  template <class F>
  void for_each(Side s, size_t max_levels, F&& f) const {
    visit([&](const auto& b) { b.for_each(s, max_levels, f); });
  }
  /// The best `n` levels of side `s` into `out` (cleared first).
  void top(Side s, size_t n, std::vector<Level>& out) const;
  /// Every level of side `s`, best first.
  std::vector<Level> levels(Side s) const;

  uint64_t seq() const {
    return visit([](const auto& b) { return b.seq(); });
  }
  bool crossed() const {
    return visit([](const auto& b) { return b.crossed(); });
  }
  /// Empties both sides and sets seq to 0.
  void clear();
  /// Hash of the full state (levels and seq); equal for equal states.
  uint64_t hash() const;
  BookImpl impl() const { return impl_.index() == 0 ? BookImpl::vector : BookImpl::ladder; }

  /// Equal seq and levels, whatever the implementations.
  friend bool operator==(const Book& a, const Book& b);

 private:
  std::variant<detail::BasicBook<detail::VecSide>, detail::BasicBook<detail::LadderSide>> impl_;
  detail::Normalized scratch_;
};

/// The minimal level changes that turn `before` into `snapshot` (a full book, with reset()'s
/// rules: qty 0 ignored, last-wins duplicates): changed and new levels with their qty,
/// removed levels with qty 0, bids then asks, each best first. Applying `out` to `before`
/// yields exactly the snapshot's levels. `out` is cleared first. On bad_level / negative_qty
/// in the snapshot, `out` is left empty and the error returned. Thread-safe for distinct
/// arguments (scratch space is per thread).
BookError diff(const Book& before, std::span<const LevelUpdate> snapshot,
               std::vector<LevelUpdate>& out);

}  // namespace mdhub
