#pragma once
// Fault injection for the simulator's venue traffic (never for /sim/*). A SPEC is a comma
// list of `kind:rate[@venue[/SYMBOL]]`, rate in [0,1] = probability per outgoing websocket
// data frame (disconnect, drop, dup, reorder, gap, malformed, oversize) or per REST request
// (slow, http429, http5xx; malformed also truncates REST bodies). `drift` is per pushed book
// message, and only where a venue implements it (drift(): btse deltas, narkasa and coinbtr
// pushes): one level of the push carries a wrong size, in valid JSON with consistent sequence
// numbers, so only an audit against the venue's REST book can see it.
//
// Scope: an unscoped item applies to every venue; `@venue` to that venue's frames (by the
// websocket's path prefix /venue/) and requests; `@venue/SYMBOL` (canonical, or the venue's
// native name) only to frames that carry that one symbol's data (the venue's native name
// appears in the frame as a JSON string, and no other of its symbols does) and to requests
// naming it (a query value or path segment). Frames about no single symbol (pings, acks of
// several topics, multi-symbol frames) see only unscoped and venue items. For each kind the
// most specific matching item wins, so `gap:0.1,gap:0@btse/BTC-USD` spares BTC-USD.
// A scoped disconnect or oversize still hits the whole connection that carried the frame.
//
// Decisions come from their own seeded RNG so the market's sequence does not depend on the
// faults. Runs on the simulator's io_context; not thread-safe.
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/net/server.hpp"

namespace boost::asio {
class io_context;
}

namespace mdhub::sim {

enum class FaultKind : uint8_t {
  disconnect, drop, dup, reorder, gap, malformed, oversize, slow, http429, http5xx, drift,
};
inline constexpr size_t kFaultKinds = 11;
std::string_view to_string(FaultKind k);

/// One scoped SPEC item.
struct FaultItem {
  FaultKind kind = FaultKind::drop;
  double rate = 0;     ///< 0 is kept: it overrides a wider item
  std::string venue;   ///< venue id
  std::string symbol;  ///< canonical (when validated against the venues); empty = whole venue
};

struct FaultSpec {
  std::array<double, kFaultKinds> rate{};  ///< unscoped items; 0 = off
  std::vector<FaultItem> scoped;           ///< in SPEC order; a repeated kind+scope replaces
  bool any() const;  ///< some item can fire
  /// Canonical SPEC: unscoped items by kind (rate 0 omitted), then the scoped ones.
  std::string to_string() const;
};

/// A venue as scopes name it: its id and its instruments (canonical, native).
struct FaultVenue {
  std::string id;
  std::vector<std::pair<std::string, std::string>> symbols;
  /// How the venue's http429 says "retry in 1 s": delay (seconds), epoch_s, epoch_ms or
  /// date (HTTP-date) - the venue's retry_after variant.
  std::string retry_after = "delay";
};

/// Parses a SPEC (grammar only: any venue and symbol names are accepted as written); an
/// empty (or all-blank) spec is valid and clears. On error returns false, leaves `out`
/// untouched and names the bad item in `error`.
bool parse_fault_spec(std::string_view spec, FaultSpec& out, std::string& error);
/// Same, and every scope must name one of `venues` and, with a symbol, one of that venue's
/// instruments (canonical or native, any case); symbols are written canonical in `out`.
bool parse_fault_spec(std::string_view spec, std::span<const FaultVenue> venues, FaultSpec& out, std::string& error);

class Faults {
 public:
  /// What a frame or request is about, as indices into the venues given to set_venues().
  struct Target {
    int venue = -1;   ///< -1: no known venue (only unscoped items apply)
    int symbol = -1;  ///< -1: not about one symbol
  };

  Faults(boost::asio::io_context& io, uint64_t seed);
  ~Faults();
  Faults(const Faults&) = delete;
  Faults& operator=(const Faults&) = delete;

  /// The venues scoped items are matched against. Call before set(); items naming a venue
  /// or symbol not listed here never match.
  void set_venues(std::vector<FaultVenue> venues);
  /// Replaces the active faults. Frames held for reordering go out first: a new SPEC starts
  /// with nothing pending.
  void set(const FaultSpec& spec);
  const FaultSpec& spec() const { return spec_; }

  /// Sends one market data frame to `s` through the active faults. A session whose queue
  /// is full is aborted (a real venue drops slow consumers). `gap` withholds the frame: on
  /// a sequenced stream the client sees the sequence number skip, elsewhere it is a drop.
  /// `reorder` holds the frame until the session's next frame about the same symbol (or,
  /// when no symbol-scoped item covers the venue, its next frame) and sends it after that.
  void send(const std::shared_ptr<net::WsSession>& s, const net::SharedText& msg);
  /// The venue and symbol a REST request is about (its path prefix /venue/, and the one
  /// instrument a query value or path segment names, if exactly one does).
  Target target(const net::HttpRequest& req) const;
  /// The venue and symbol of a websocket frame sent to a session on `path`.
  Target target(std::string_view path, std::string_view frame) const;
  /// Delivers a venue REST answer through the active faults that cover `t`.
  void respond(const Target& t, const net::Respond& respond, net::HttpResponse resp);
  /// Same, for an answer about no known venue: unscoped items only.
  void respond(const net::Respond& respond, net::HttpResponse resp) { this->respond(Target{}, respond, std::move(resp)); }
  /// Whether the book push the venue `venue` is about to send about `symbol` (canonical or
  /// native) is to drift: the venue then alters one level of it, in its own format, leaving
  /// its truth and its sequence numbers as they are. Counted as an injected `drift`.
  bool drift(std::string_view venue, std::string_view symbol);
  /// Sends every frame held back by `reorder` (pause: publish whatever is pending).
  void flush();
  /// Forgets a closed session's held frames.
  void forget(uint64_t session_id);
  /// Cancels delayed (slow) answers; they are dropped.
  void stop();

  /// Injected faults by kind, for /sim/status.
  const std::array<uint64_t, kFaultKinds>& counts() const { return counts_; }

 private:
  using Rates = std::array<double, kFaultKinds>;
  struct VenueRates {
    std::vector<Rates> by_symbol;  // effective rates: [0] = not about one symbol, [1 + i] = symbol i
    bool per_symbol = false;       // some item names one of its symbols: frames need classifying
  };

  const Rates& rates(const Target& t) const;
  int venue_of_path(std::string_view path) const;
  bool hit(FaultKind k, const Rates& r);
  void deliver(const std::shared_ptr<net::WsSession>& s, const net::SharedText& msg);

  struct Held {
    std::weak_ptr<net::WsSession> session;
    net::SharedText msg;
  };
  struct Slow;

  boost::asio::io_context& io_;
  FaultSpec spec_;
  std::vector<FaultVenue> venues_;
  std::vector<std::vector<std::string>> quoted_;  // per venue: "\"NATIVE\"" per symbol
  Rates global_{};
  std::vector<VenueRates> table_;
  std::mt19937_64 rng_;
  std::array<uint64_t, kFaultKinds> counts_{};
  // At most one frame per session and symbol (-1: not about one symbol).
  std::map<std::pair<uint64_t, int>, Held> held_;
  std::shared_ptr<Slow> slow_;
};

}  // namespace mdhub::sim
