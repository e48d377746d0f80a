#pragma once
// Consolidated L2 book of one canonical symbol across several venues: every price level
// with its total quantity and the per-venue breakdown.
//
// Each venue's levels are fed as they change (update / apply / reset / clear_venue); the
// merged levels are maintained incrementally (one merged-level adjustment per change, a
// linear merge per venue snapshot), never rebuilt per update. All prices and quantities
// must be at the scales the book was built for: venues with other scales convert first
// (LevelScaler). The book may be crossed across venues (one venue's bid above another's
// ask); it is shown as is, and crossed() says so.
//
// Venue books are mirrored, not validated for sequence: the engine keeps a Book per venue
// for that and feeds the consolidated book only changes its venue book accepted.
//
// Thread safety: none; one owner thread. Copyable and movable.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <vector>

#include "book/decimal.hpp"
#include "book/l2_basic.hpp"
#include "book/l2_error.hpp"
#include "book/l2_side_vector.hpp"
#include "book/result.hpp"
#include "book/types.hpp"

namespace mdhub {

inline constexpr size_t kMaxConsolidatedVenues = 16;
/// Largest quantity a venue level may carry, so that totals over every venue fit an int64.
inline constexpr int64_t kMaxConsolidatedQty =
    std::numeric_limits<int64_t>::max() / static_cast<int64_t>(kMaxConsolidatedVenues);

/// One venue's share of a consolidated level.
struct VenueQty {
  uint8_t venue;
  int64_t qty;
  friend bool operator==(const VenueQty&, const VenueQty&) = default;
};

class ConsolidatedBook {
 public:
  /// A book over `venues` venues (indices 0 .. venues-1, at most kMaxConsolidatedVenues).
  explicit ConsolidatedBook(size_t venues);

  /// Sets one level of one venue (qty is the venue's new absolute size, 0 deletes).
  /// bad_level: venue index out of range, price <= 0, or qty > kMaxConsolidatedQty;
  /// negative_qty: qty < 0. On error nothing changes.
  BookError update(size_t venue, const LevelUpdate& u);
  /// update() for each level, after validating all of them (all or nothing).
  BookError apply(size_t venue, std::span<const LevelUpdate> levels);
  /// Replaces a venue's levels (Book::reset()'s rules: qty 0 ignored, last-wins
  /// duplicates). On error the venue's levels are removed.
  BookError reset(size_t venue, std::span<const LevelUpdate> levels);
  /// Removes a venue's levels (venue down or resyncing).
  void clear_venue(size_t venue);
  void clear();

  /// Best merged level (total quantity) of a side.
  std::optional<Level> best(Side s) const;
  /// True when the best bid >= the best ask (across venues).
  bool crossed() const;
  /// Number of distinct merged prices on a side.
  size_t size(Side s) const { return merged_[detail::side_index(s)].size(); }
  size_t venues() const { return venues_; }
  /// Levels of one venue on one side.
  size_t venue_size(size_t venue, Side s) const;

  /// Calls f(int64_t price, int64_t total_qty, std::span<const VenueQty> breakdown) for up
  /// to `max_levels` merged levels of side `s`, best first; the breakdown lists the venues
  /// quoting the price in ascending venue order and is valid during the call only.
  template <class F>
  void for_each(Side s, size_t max_levels, F&& f) const {
    const std::vector<Merged>& m = merged_[detail::side_index(s)];
    std::array<size_t, kMaxConsolidatedVenues> cursor{};  // venue levels consumed, best first
    std::array<VenueQty, kMaxConsolidatedVenues> parts{};
    const size_t n = std::min(max_levels, m.size());
    for (size_t i = 0; i < n; ++i) {
      const Merged& lvl = m[m.size() - 1 - i];
      size_t k = 0;
      // Each venue's levels are a subset of the merged ones, so walking both best-first in
      // lock-step finds each venue's quantity without a lookup.
      for (uint32_t bits = lvl.mask; bits != 0; bits &= bits - 1) {
        const auto v = static_cast<size_t>(__builtin_ctz(bits));
        const std::span<const detail::Slot> vs = books_[v][detail::side_index(s)].slots();
        parts[k++] = VenueQty{static_cast<uint8_t>(v), vs[vs.size() - 1 - cursor[v]].qty};
        ++cursor[v];
      }
      f(detail::to_price(s, lvl.key), lvl.total, std::span<const VenueQty>(parts.data(), k));
    }
  }

  /// Calls f(total_qty, breakdown) for the merged level at `price` and returns true, or
  /// returns false when no venue quotes it: one level's view in O(log levels + venues).
  template <class F>
  bool visit(Side s, int64_t price, F&& f) const {
    const size_t side = detail::side_index(s);
    const std::vector<Merged>& m = merged_[side];
    const int64_t key = detail::to_key(s, price);
    const size_t i = find(m, key);
    if (i >= m.size() || m[i].key != key) return false;
    std::array<VenueQty, kMaxConsolidatedVenues> parts{};
    size_t k = 0;
    for (uint32_t bits = m[i].mask; bits != 0; bits &= bits - 1) {
      const auto v = static_cast<size_t>(__builtin_ctz(bits));
      parts[k++] = VenueQty{static_cast<uint8_t>(v), books_[v][side].get(key)};
    }
    f(m[i].total, std::span<const VenueQty>(parts.data(), k));
    return true;
  }

 private:
  struct Merged {
    int64_t key;
    int64_t total;
    uint32_t mask;  // venues quoting this price
  };

  size_t find(const std::vector<Merged>& m, int64_t key) const;
  void rebuild_side(size_t venue, size_t side, std::span<const detail::Slot> next);

  size_t venues_;
  std::vector<Merged> merged_[2];                              // ascending keys, best last
  std::array<std::array<detail::VecSide, 2>, kMaxConsolidatedVenues> books_{};
  std::vector<Merged> tmp_;
  detail::Normalized scratch_;
};

/// Converts a venue's levels to the consolidated book's scales: exact only (a price or
/// quantity that does not fit the target scale is an error, never silently rounded), so
/// choose the consolidated scales as the finest of the venues'.
class LevelScaler {
 public:
  /// Fails with DecimalError::overflow when a scale is outside 0..kMaxScale.
  static Result<LevelScaler, DecimalError> make(int price_from, int qty_from, int price_to,
                                                int qty_to);
  Result<LevelUpdate, DecimalError> operator()(const LevelUpdate& u) const;

 private:
  int price_from_ = 0, qty_from_ = 0, price_to_ = 0, qty_to_ = 0;
};

}  // namespace mdhub
