#pragma once
// Currency conversion for the cross-currency ("fx") book (README "Cross-currency book"):
// rate sources (venue instruments' mids, configured static rates and pegs), one rate per
// currency pair (the edge choice), the conversion path between two currencies (the path
// rule) and its exact rate. Pure: it reads an FxMarket, a plain copy of what the engine
// holds, so every rule is testable without an engine or sockets.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "book/decimal.hpp"
#include "book/types.hpp"
#include "src/fx/exact.hpp"

namespace mdhub::fx {

inline constexpr int kRateScale = 12;  ///< rates are rounded half-even to this many decimals
inline constexpr size_t kMaxHops = 3;

/// [fx] of the configuration, as written.
struct FxConfig {
  int price_scale = 8;                 ///< declared scale of converted prices (0..12)
  int64_t max_age_ms = 60000;          ///< venue rate sources older than this are not used; 0: no limit
  int64_t publish_interval_ms = 100;   ///< websocket fx channels publish at most this often
  /// Entries a side a book:fx channel carries: each publication recomputes and diffs them on
  /// the engine's thread, so a view of every level of every venue would stall the feeds for
  /// milliseconds (bench/fx).
  int64_t channel_depth = 100;
  std::vector<std::string> prefer;     ///< venue order among venues quoting one pair
  /// Currencies a shortest path may pass through ("*": any but BASE). Fiat and stablecoins by
  /// default: a path through another crypto asset (TRY -> ETH -> USD) would price BTC by ETH's
  /// books, which no desk converts with.
  std::vector<std::string> via = {"USDT", "USDC", "USD", "EUR"};
  std::vector<std::string> pegs;       ///< "USDC=USD": a static rate of exactly 1
  std::vector<std::pair<std::string, std::string>> rates;  ///< "EUR-USD" -> "1.08"
  std::vector<std::pair<std::string, std::vector<std::string>>> paths;  ///< "TRY-USD" -> {"USDT"}
};

/// A currency code: 2 to 12 characters of A-Z and 0-9.
bool valid_currency(std::string_view c);

/// A static rate: 1 `from` = `rate` `to`.
struct StaticRate {
  std::string from, to, symbol;  ///< symbol: "EUR-USD" as configured ("USDC-USD" for a peg)
  Rational rate;
  bool peg = false;
};
/// The static rates of `cfg` (rates first, then pegs), or the first error in words.
std::vector<StaticRate> static_rates(const FxConfig& cfg, std::string* error = nullptr);
/// Checks every [fx] value; "" when all are good, else the first problem in words
/// (naming the key).
std::string validate(const FxConfig& cfg);

/// One venue instrument as the fx computations see it.
struct FxInstrument {
  std::string venue, symbol, base, quote;  ///< canonical BASE-QUOTE
  int price_scale = 0, qty_scale = 0;
  bool book = true;     ///< the venue publishes a book (false: quotes only, its L1 is used)
  bool served = false;  ///< book: in sync and feed not stale; L1: feed not stale
  std::string why_not_served;  ///< "is stale", "is resynchronising", "has not arrived yet"
  int64_t bid = kNone, bid_qty = kNone, ask = kNone, ask_qty = kNone;  ///< best levels or L1
  int64_t ts_received_us = 0;  ///< of the last message that carried the book (or the L1)
  uint64_t seq = 0;            ///< its change count (book seq, or L1 count)
  std::vector<Level> bids, asks;  ///< best first (only filled for members of a view)
};

struct FxMarket {
  std::vector<FxInstrument> instruments;
  int64_t now_us = 0;
};

enum class Usable : uint8_t { yes, stale, too_old };

/// One hop of a conversion path.
struct Hop {
  std::string from, to, source, symbol;  ///< source: venue name or "static"
  std::string mid;                       ///< exact text of the mid (or static rate)
  int64_t age_ms = kNone;                ///< kNone for a static rate
  int64_t ts_received_us = 0;            ///< 0 for a static rate
  uint64_t seq = 0;
};

/// How to convert prices in one currency into another.
struct Conversion {
  std::string reason;   ///< "" when usable, else no_fx_path / rate_stale / rate_too_old / overflow
  std::string message;  ///< why, in words, when not usable
  std::vector<Hop> path;
  u128 rate = 0;        ///< rounded half-even at kRateScale
  bool usable() const { return reason.empty(); }
};

/// The currency graph of one market: per unordered currency pair, its sources in the
/// order the edge choice takes them.
class RateGraph {
 public:
  RateGraph(const FxMarket& m, const FxConfig& cfg, const std::vector<StaticRate>& statics);
  /// The conversion of prices in `from` into `to` for a book of `base`.
  Conversion convert(const std::string& from, const std::string& to, const std::string& base) const;
  /// Whether any source (usable or not) names `c`.
  bool knows(const std::string& c) const;

  struct Source {
    const FxInstrument* venue = nullptr;  ///< null: static
    const StaticRate* fixed = nullptr;
    std::string a, b;  ///< 1 a = mid b
    Rational mid;
    Usable usable = Usable::yes;
    int64_t age_us = kNone;
  };
  /// The source chosen for {x, y} among those whose state passes `any` (every state) or
  /// only usable ones; null when there is none.
  const Source* edge(const std::string& x, const std::string& y, bool any) const;

 private:
  std::optional<std::vector<std::string>> find_path(const std::string& from, const std::string& to,
                                                    const std::string& base, bool any) const;
  std::string describe(const Source& s, const std::string& from, const std::string& to) const;

  const FxConfig& cfg_;
  std::map<std::pair<std::string, std::string>, std::vector<Source>> edges_;  ///< key: (min, max)
  std::vector<std::string> currencies_;  ///< sorted
};

}  // namespace mdhub::fx
