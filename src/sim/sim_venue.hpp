#pragma once
// The simulator's venue framework: each simulated venue lives in its venue's folder
// (feeds/<venue>/sim/), defines a VenueDef (its instruments, real URL paths, channels, feed
// options and a factory) and is listed once in src/sim/venues.cpp. The simulator hands every venue a Context (market, faults,
// routes) and forwards the market steps of its instruments. Everything runs on the
// simulator's io_context; nothing here is thread-safe.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "book/decimal.hpp"
#include "book/types.hpp"
#include "src/net/server.hpp"
#include "src/sim/faults.hpp"
#include "src/sim/market.hpp"

namespace boost::asio {
class io_context;
}

namespace mdhub::sim {

/// The book a perfect client of a venue's public feed holds now (GET /sim/truth).
struct TruthBook {
  std::string symbol;  ///< canonical
  bool has_seq = false;
  uint64_t seq = 0;
  int64_t ts_exchange_us = kNone;  ///< kNone: the venue publishes no timestamp
  int64_t ts_received_us = kNone;  ///< when the simulator published this state
  int price_scale = 0, qty_scale = 0;
  std::vector<Level> bids, asks;   ///< best first; qty kNone = size not published
};

/// Services the simulator gives a venue.
class Context {
 public:
  virtual ~Context() = default;
  virtual boost::asio::io_context& io() = 0;
  virtual Market& market() = 0;
  virtual Faults& faults() = 0;
  virtual bool paused() const = 0;
  /// Wall clock, µs since the Unix epoch.
  virtual int64_t now_us() const = 0;
  /// A REST route; its answers go through the REST faults. Not called after stop.
  virtual void route(std::string path, net::HttpHandler handler) = 0;
  /// A websocket endpoint. Not called after stop.
  virtual void websocket(std::string path, net::WsHandler handler) = 0;
  /// Expires when the simulator goes away: venue timers check it before touching the venue.
  virtual std::weak_ptr<void> alive() const = 0;
  /// The value of variant `key` of venue `venue` (`--variant venue.key=value`), or its
  /// default (VariantDef::values[0]). `key` must be one the venue declares.
  virtual const std::string& variant(std::string_view venue, std::string_view key) const = 0;
};

/// One simulated venue's protocol.
class SimVenue {
 public:
  virtual ~SimVenue() = default;
  /// A market step of this venue's instrument number `local` (order of VenueDef::instruments).
  virtual void on_step(size_t local, const Step& step) = 0;
  /// Publishes everything pending (throttled pushes), so published state equals the books.
  virtual void flush() = 0;
  /// The published book of `symbol` (canonical or native); false if unknown.
  virtual bool truth(std::string_view symbol, TruthBook& out) const = 0;
  /// For venues that keep a bounded truth history (btse; GET /sim/truth/...?seq=S): the
  /// venue sequence numbers whose book can be rebuilt for `symbol`. False (the default)
  /// for an unknown symbol or a venue without history.
  virtual bool history_range(std::string_view /*symbol*/, uint64_t& /*first*/, uint64_t& /*last*/) const {
    return false;
  }
  /// The book a perfect client held right after venue sequence number `seq`, filled as
  /// truth() does; false for an unknown symbol or a `seq` outside history_range.
  virtual bool truth_at(std::string_view /*symbol*/, uint64_t /*seq*/, TruthBook& /*out*/) const { return false; }
  /// Cancels the venue's own timers.
  virtual void stop() = 0;
};

/// One point where a venue's documents allow several readings: the simulator speaks the
/// one chosen with `mdhub sim --variant venue.key=value`.
struct VariantDef {
  std::string key;
  std::vector<std::string> values;  ///< values[0] is the default: the best-supported reading
  std::string help;
};

struct VenueDef {
  std::string id;
  std::string rest_path;  ///< path of the real REST base URL ("/v3/api"; "" if at the root)
  std::string ws_path;    ///< path of the real websocket URL ("" = REST only, "/" = root)
  std::vector<std::pair<std::string, std::string>> urls;  ///< further websocket URLs: name, path
  std::vector<std::string> channels;  ///< channels the simulator serves (mdhub names)
  /// mdhub feed options (`[venues.<id>.options]`) `mdhub sim --print-config` writes beyond
  /// their defaults.
  std::vector<std::pair<std::string, std::string>> feed_options;
  std::vector<InstrumentSpec> instruments;
  /// `ids[i]` is the market id of instruments[i].
  std::function<std::unique_ptr<SimVenue>(Context&, std::vector<uint32_t> ids)> make;
  std::vector<VariantDef> variants;
  /// Why an instrument is not served under the chosen variants (`variant(key)` gives this
  /// venue's value of a variant): a short reason `--print-config` writes beside the symbols,
  /// or "" when it is served. Unset: every instrument is served whatever the variants.
  std::function<std::string(const InstrumentSpec&, const std::function<const std::string&(std::string_view key)>& variant)>
      unserved;
};

/// A simulated instrument of `venue`: BASE-QUOTE, named `native` on the wire, with its price
/// and size decimals, its price tick (mantissa) and its book kept between `min_levels` and
/// `max_levels` a side.
inline InstrumentSpec instrument(std::string venue, std::string base, std::string quote, std::string native,
                                 int price_scale, int qty_scale, size_t min_levels, size_t max_levels,
                                 int64_t tick = 1) {
  InstrumentSpec s;
  s.venue = std::move(venue);
  s.symbol = base + "-" + quote;
  s.native = std::move(native);
  s.base = std::move(base);
  s.quote = std::move(quote);
  s.price_scale = price_scale;
  s.tick = tick;
  s.qty_scale = qty_scale;
  s.min_levels = min_levels;
  s.max_levels = max_levels;
  return s;
}

/// VenueDef::make for a SimVenue constructed from (Context&, ids).
template <class Venue>
auto factory() {
  return [](Context& ctx, std::vector<uint32_t> ids) -> std::unique_ptr<SimVenue> {
    return std::make_unique<Venue>(ctx, std::move(ids));
  };
}

/// Every simulated venue, in a fixed order (venues.cpp).
const std::vector<const VenueDef*>& venue_defs();

/// The venues named in `ids` (all for an empty list), in the order given;
/// throws std::invalid_argument for an unknown id.
std::vector<const VenueDef*> select_venues(const std::vector<std::string>& ids);

/// The declared variant `key` of `def`; nullptr if it has none.
const VariantDef* find_variant(const VenueDef& def, std::string_view key);

/// Shared by the venues: upper-cased ASCII.
std::string upper(std::string_view s);

}  // namespace mdhub::sim
