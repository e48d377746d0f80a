#pragma once
// Websocket channel names: <kind>:<venue>:<symbol> (DESIGN.md "Websocket API").
#include <cstdint>
#include <string>
#include <string_view>

#include "feeds/common/events.hpp"
#include "feeds/common/venue.hpp"

namespace mdhub {

/// `status` is status:<venue>: feed state changes, no symbol (and no stream of its own).
enum class ChannelKind : uint8_t { book, book_top, bbo, trades, ticker, candles, status };
/// candles.<interval>[.venue|.trades]: which series a candle channel carries.
enum class CandleSource : uint8_t { preferred, venue, trades };

struct ChannelSpec {
  ChannelKind kind = ChannelKind::book;
  size_t depth = 0;  ///< book_top: N of book<N>
  CandleInterval interval = CandleInterval::m1;
  CandleSource candle_source = CandleSource::preferred;
  std::string venue;   ///< a venue id, "all" or "*"
  std::string symbol;  ///< canonical symbol or "*"

  /// "book10", "candles.1m", ...
  std::string kind_name() const;
  std::string name() const {
    return kind == ChannelKind::status ? "status:" + venue : kind_name() + ":" + venue + ":" + symbol;
  }
  /// Same channel with a concrete venue and symbol.
  std::string concrete(std::string_view v, std::string_view s) const {
    return kind_name() + ":" + std::string(v) + ":" + std::string(s);
  }
  bool wildcard() const { return kind != ChannelKind::status && (venue == "*" || symbol == "*"); }
};

inline constexpr size_t kMaxTopDepth = 1000;

/// Parses a channel name's syntax (not whether the venue/symbol exist); sets `error`.
/// `status:<venue>` (venue or `*`) is the one channel without a symbol.
bool parse_channel(std::string_view name, ChannelSpec& out, std::string& error);

/// Whether a venue with `caps` can ever publish on channels of `spec`'s kind.
bool provides(const VenueCapabilities& caps, const ChannelSpec& spec);
/// Why not: "venue 'coinmotion' provides bbo and ticker, not book".
std::string unsupported_message(std::string_view venue, const VenueCapabilities& caps, std::string_view what);

/// Said wherever venue 'all' is asked for anything but a book or BBO (websocket and HTTP).
inline constexpr std::string_view kAllVenueKinds = "venue 'all' (consolidated) exists for book, book<N> and bbo only";

}  // namespace mdhub
