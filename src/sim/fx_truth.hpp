#pragma once
// The cross-currency truth (GET /sim/truth/fx/BASE-QUOTE, /sim/truth/premium/BASE): the fx
// book and the premium view a perfect client of every simulated venue would compute from the
// venues' published books, by the contract's rules (README "Cross-currency book"): one rate
// per currency pair (venue mids before static rates), the shortest path that avoids BASE
// (ties: the smallest list of intermediate currencies), the path's exact rate rounded half
// even to 12 decimals, prices converted with that rate rounded half even to the declared
// scale. Exact rational arithmetic, never double. Pure: no I/O, no clock; thread-safe.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "book/types.hpp"

namespace mdhub::sim::fx {

__extension__ using Int128 = __int128;  ///< exact products of a few prices and rates

/// One venue instrument as a perfect client holds it: a rate source, and a member of BASE's
/// fx book (with a book) or premium view (BBO only: `has_book` false, sizes kNone).
struct Source {
  std::string venue, symbol, base, quote;
  bool has_book = true;
  int price_scale = 0, qty_scale = 0;
  std::vector<Level> bids, asks;  ///< best first
};

/// A static rate "A-B = r" (1 A = r B) at `scale` decimals; a peg is a rate of exactly 1.
struct StaticRate {
  std::string a, b;
  int64_t mantissa = 0;
  int scale = 0;
  bool peg = false;
};

struct Params {
  int price_scale = 8;
  size_t depth = 50;
  std::vector<StaticRate> rates;    ///< `rates` first, then `pegs`, each in the order given
  std::vector<std::string> prefer;  ///< venue names, most preferred first
};

struct Answer {
  unsigned status = 200;
  std::string body;  ///< JSON: the view, or {"error":{"code","message"}}
};

/// Reads the truth endpoints' query parameters (nullptr: absent): price_scale (0..12,
/// default 8), depth (1..5000, default 50), pegs "A=B,...", rates "A-B:r,...", prefer
/// "venue,...". Without pegs and rates: the pegs `mdhub sim --print-config` writes
/// (USDC=USD). False and a message for a bad value.
bool parse_params(const std::string* price_scale, const std::string* depth, const std::string* pegs,
                  const std::string* rates, const std::string* prefer, Params& out, std::string& error);

/// The fx book of `base` in `quote` (GET /sim/truth/fx/BASE-QUOTE).
Answer book(const std::vector<Source>& sources, std::string_view base, std::string_view quote, const Params& p);
/// The premium view of `base` in `quote` (GET /sim/truth/premium/BASE?quote=Q).
Answer premium(const std::vector<Source>& sources, std::string_view base, std::string_view quote, const Params& p);

/// Exposed for tests: `n / d` rounded half even to `scale` decimals, as a mantissa; false
/// when it does not fit an int64.
bool round_half_even(Int128 n, Int128 d, int scale, int64_t& out);

}  // namespace mdhub::sim::fx
