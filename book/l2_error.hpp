#pragma once
// Typed integrity errors of the book layer, returned (never thrown) by Book, diff() and
// ConsolidatedBook. Any error other than `none` is a reason for the engine to count it and,
// for a venue book, to resync that symbol.
#include <cstdint>

namespace mdhub {

enum class BookError : uint8_t {
  none,
  sequence_gap,  ///< prev_seq does not match the book's seq: a message was missed
  stale,         ///< seq is not newer than the book's: duplicate or old message
  crossed,       ///< after the change the best bid is >= the best ask
  negative_qty,  ///< a level with qty < 0
  bad_level,     ///< a level with price <= 0 or an invalid side (or venue index)
};

/// Stable snake_case name ("sequence_gap", ...), usable as a metric label.
const char* to_string(BookError e);

}  // namespace mdhub
