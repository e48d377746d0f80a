#pragma once
// The peer comparison's stream as a text file, so that mdhub's book and the JavaScript
// books read the very same input. Decimal text, one level a line, as a venue sends it:
//
//   mdhub-peers-stream 1 seed=42 updates=N levels_per_side=1000 price_scale=2 qty_scale=6
//   snapshot <count>      then <count> lines "b|a PRICE QTY" (initial book, seq 1)
//   updates <count>       then one line per update (one level per message, seq 2, 3, ...)
//   final <count>         then the generator's model of the final book, bids then asks,
//                         each best first: the reference every book is checked against
//
// QTY 0 deletes the level.
#include <cstdint>
#include <string>
#include <vector>

#include "book/types.hpp"

namespace mdhub::bench {

inline constexpr int kPeersPriceScale = 2;
inline constexpr int kPeersQtyScale = 6;

struct PeersStream {
  std::vector<LevelUpdate> snapshot;
  std::vector<LevelUpdate> updates;
  std::vector<LevelUpdate> final_book;  ///< bids best first, then asks best first
};

/// Generates the seeded stream (bench/book/delta_stream.hpp, one level per message) and
/// writes it to `path`. Returns an error text, empty on success.
std::string write_peers_stream(const std::string& path, uint64_t seed, size_t updates, int levels_per_side);

/// Reads a file written by write_peers_stream, prices and quantities parsed from the decimal
/// text. Returns an error text (naming the line), empty on success.
std::string read_peers_stream(const std::string& path, PeersStream& out);

/// One "b|a PRICE QTY" line.
std::string format_level(const LevelUpdate& u);

}  // namespace mdhub::bench
