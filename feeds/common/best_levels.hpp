#pragma once
// The best bid and ask among parsed levels, for venues whose top of book arrives as a short
// book (a snapshot's levels, or "first buy and sell orders") rather than as a quote.
#include <span>

#include "feeds/common/events.hpp"

namespace mdhub {

/// Highest bid and lowest ask of `levels` with their quantities; a side without a level
/// stays kNone. The levels may be in any order.
inline BboMsg best_of(std::span<const LevelUpdate> levels) {
  BboMsg b;
  for (const LevelUpdate& l : levels) {
    if (l.side == Side::bid && (b.bid == kNone || l.price > b.bid)) {
      b.bid = l.price;
      b.bid_qty = l.qty;
    } else if (l.side == Side::ask && (b.ask == kNone || l.price < b.ask)) {
      b.ask = l.price;
      b.ask_qty = l.qty;
    }
  }
  return b;
}

}  // namespace mdhub
