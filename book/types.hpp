#pragma once
// Plain value types shared by the book, the parsers and the engine.
#include <cstdint>

namespace mdhub {

enum class Side : uint8_t { bid = 0, ask = 1 };

/// One price level (or one change to it: qty 0 deletes the level). Fixed-point mantissas
/// at the instrument's price and quantity scales.
struct Level {
  int64_t price;
  int64_t qty;
  friend bool operator==(const Level&, const Level&) = default;
};

/// A change to one side of a book: `qty` is the new absolute size, 0 removes the level.
struct LevelUpdate {
  Side side;
  int64_t price;
  int64_t qty;
  friend bool operator==(const LevelUpdate&, const LevelUpdate&) = default;
};

}  // namespace mdhub
