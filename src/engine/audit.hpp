#pragma once
// Book audit: the top of a streamed book against a REST snapshot of the same instrument,
// taken now and then (venue option audit_interval_ms) to catch a book that drifted from the
// venue's without any error the stream itself could show. Pure: no clock, no I/O.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "book/l2_book.hpp"
#include "feeds/common/venue.hpp"

namespace mdhub {

enum class AuditResult : uint8_t {
  pass,      ///< the top levels agree
  mismatch,  ///< they disagree, for the first time: possibly updates in flight
  fail,      ///< they disagree again at the next audit: the book is resynchronised
  skipped,   ///< nothing to compare: the book is not in sync, or the snapshot has no book
};
inline constexpr size_t kAuditResults = 4;
/// The metric label: "pass", "mismatch", "fail", "skipped".
std::string_view to_string(AuditResult r);

/// One price where the book and the snapshot disagree (absent counts as size 0).
struct AuditDiff {
  Side side;
  int64_t price;
  int64_t mine;    ///< the book's size
  int64_t theirs;  ///< the snapshot's size
  friend bool operator==(const AuditDiff&, const AuditDiff&) = default;
};

/// Compares the best `depth` levels a side of `book` with `snapshot` (levels in any order,
/// a later duplicate price wins, qty 0 ignored): the prices within the compared range whose
/// size differs, bids then asks, in price order. A list with `depth` levels or more may go on
/// past its cut, so the range of a side ends at the better of the cut lists' last compared
/// prices: a level just past one list's cut is not a difference. Its size is the drift.
/// With `top_orders` both lists show the top orders of a side (BookMsg::top_orders): every
/// non-empty list may go on past its last level, which itself may be partial, so the range
/// ends strictly before the better of the two last prices.
std::vector<AuditDiff> audit_diff(const Book& book, std::span<const LevelUpdate> snapshot,
                                  size_t depth = kAuditLevels, bool top_orders = false);

}  // namespace mdhub
