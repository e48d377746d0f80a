#pragma once
// The two cross-currency views (README "Cross-currency book"): the fx book (every venue
// level of BASE converted into QUOTE, not merged) and the premium view (each venue's best
// bid and ask in QUOTE, and how far each is from the best venue), computed from an FxMarket
// and rendered as the HTTP answers' fields. Pure.
#include <optional>
#include <string>
#include <vector>

#include "src/fx/rates.hpp"

namespace mdhub::fx {

/// A decimal at its own scale: converted prices at the declared scale, native ones at theirs.
struct Px {
  int64_t m = kNone;
  int scale = 0;
  bool fixed = false;  ///< written with exactly `scale` decimals (converted prices)
};

struct FxError {
  unsigned status = 0;
  std::string code, message;
};

/// A venue conversion left out of a view.
struct Exclusion {
  std::string venue, symbol, reason, message;
};

/// A venue instrument in a view with its conversion.
struct Member {
  const FxInstrument* inst = nullptr;
  Conversion conv;
  bool converted() const { return !conv.path.empty(); }
  /// What every book entry of this member writes around its native price (set by fx_book):
  /// `,{"venue":..,"symbol":..,"price":"` and `","rate":"..."}]`.
  std::string entry_head, entry_tail;
};

struct BookEntry {
  Px price{};     ///< converted (or native when not converted)
  int64_t qty = 0;
  int64_t native = 0;  ///< the venue's price, at its scale
  size_t member = 0;   ///< index into ViewBase::members
};

/// What the views share: the members served with a conversion, and those left out.
struct ViewBase {
  std::string base, quote;
  uint64_t seq = 0;             ///< sum of the change counts of every instrument read: never goes back
  int64_t ts_received_us = 0;   ///< latest among them
  int price_scale = 8;
  std::vector<Member> members;  ///< by venue then symbol
  std::vector<Exclusion> excluded;
};

struct FxBook : ViewBase {
  std::vector<BookEntry> bids, asks;  ///< best first, at most depth each
};

struct PremiumRow {
  size_t member = 0;  ///< index into ViewBase::members
  Px bid, ask;                          ///< m == kNone: the side is missing
  std::optional<u128> bid_bp, ask_bp;   ///< at 2 decimals
  int64_t rate_age_ms = kNone;
};

struct Premium : ViewBase {
  std::optional<PremiumRow> best_bid, best_ask;  ///< copies of the best rows' sides
  std::vector<PremiumRow> rows;  ///< by ask_bp (missing last), venue, symbol
};

/// Counts of venue conversions left out, per reason (for the metrics).
struct ExclusionCounter {
  virtual ~ExclusionCounter() = default;
  virtual void excluded(const std::string& reason) = 0;
};

/// The fx book of base in quote, each side cut to `depth`; nullopt with `err` set for the
/// HTTP errors (unknown_symbol 404, no_fx_path 404, book_unavailable 503).
/// `allow_empty`: a book with no member served is returned (empty) instead of the 503.
std::optional<FxBook> fx_book(const FxMarket& m, const FxConfig& cfg, const std::vector<StaticRate>& statics,
                              const std::string& base, const std::string& quote, size_t depth, FxError& err,
                              ExclusionCounter* counter = nullptr, bool allow_empty = false);
/// The premium view; `allow_empty` as for fx_book (no rows, both bests null).
std::optional<Premium> premium(const FxMarket& m, const FxConfig& cfg, const std::vector<StaticRate>& statics,
                               const std::string& base, const std::string& quote, FxError& err,
                               ExclusionCounter* counter = nullptr, bool allow_empty = false);

/// Converted price: round_half_even(p x rate, scale); nullopt on overflow or a negative p.
std::optional<int64_t> convert_price(int64_t p, int p_scale, u128 rate, int scale);
/// (best - x) / best x 10000 at 2 decimals (half-even), for x on the worse side of best.
std::optional<u128> basis_points(const Px& best, const Px& x);

std::string text(const Px& p);
/// The fields of the HTTP answers, without braces ("venue":"fx",... / "base":...).
void render_book_fields(std::string& out, const FxBook& b);
void render_premium_fields(std::string& out, const Premium& p, bool ages = true);
/// The `venues` and `excluded` arrays alone (websocket updates carry them when they change).
/// `ages` false leaves every age out (`null`): what changed, ages aside.
void render_members(std::string& out, const ViewBase& v, bool ages = true);
void render_excluded(std::string& out, const ViewBase& v);
/// One book entry: ["price","qty",{"venue","symbol","price","rate"}] (qty as given).
void render_entry(std::string& out, const ViewBase& v, const BookEntry& e, int64_t qty);

}  // namespace mdhub::fx
