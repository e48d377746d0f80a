#pragma once
// The instruments of one venue: canonical BASE-QUOTE name <-> native name, and the
// fixed-point scales their prices and quantities are parsed at.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mdhub {

inline constexpr int kDefaultPriceScale = 8;
inline constexpr int kDefaultQtyScale = 8;

struct Instrument {
  std::string venue;
  std::string symbol;  ///< canonical: BASE-QUOTE, upper case
  std::string native;  ///< as the venue writes it
  std::string base, quote;
  int price_scale = kDefaultPriceScale;
  int qty_scale = kDefaultQtyScale;
  int64_t tick = 0;  ///< price increment as a mantissa at price_scale; 0 = not published
};

/// Not thread-safe for writes; built once per feed, then read-only while parsing.
class InstrumentTable {
 public:
  /// Adds (or returns the existing id of) an instrument; ids are dense from 0.
  uint32_t add(Instrument inst);
  const Instrument& operator[](uint32_t id) const { return items_[id]; }
  size_t size() const { return items_.size(); }
  std::optional<uint32_t> by_native(std::string_view native) const;
  std::optional<uint32_t> by_symbol(std::string_view symbol) const;
  const std::vector<Instrument>& all() const { return items_; }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<Instrument> items_;
  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> native_, symbol_;
};

/// "btc", "try" -> "BTC-TRY".
std::string canonical_symbol(std::string_view base, std::string_view quote);

/// A venue's listed market named the canonical way (symbol from base and quote).
Instrument listed(std::string_view venue, std::string_view native, std::string_view base, std::string_view quote);

/// True, with the error worded, when `instrument` is not an id of `table` (a poll planned for
/// an instrument the table does not hold).
bool bad_instrument(const InstrumentTable& table, uint32_t instrument, std::string& err);

/// The one rule for naming an instrument on every interface (config, HTTP, websocket): its
/// canonical or its native name, in any case. `symbol_key` is the name folded to that rule
/// (upper case), for maps; `names_instrument` compares directly.
std::string symbol_key(std::string_view name);
bool names_instrument(const Instrument& inst, std::string_view name);

}  // namespace mdhub
