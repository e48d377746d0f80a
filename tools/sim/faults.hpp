#pragma once
// Fault injection for the simulator's venue traffic (never for /sim/*). A SPEC is a comma
// list of `kind:rate`, rate in [0,1] = probability per outgoing websocket data frame
// (disconnect, drop, dup, reorder, gap, malformed, oversize) or per REST request (slow,
// http429, http5xx; malformed also truncates REST bodies). Decisions come from their own
// seeded RNG so the market's sequence does not depend on the faults. Runs on the
// simulator's io_context; not thread-safe.
#include <array>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>

#include "src/net/server.hpp"

namespace boost::asio {
class io_context;
}

namespace mdhub::sim {

enum class FaultKind : uint8_t {
  disconnect, drop, dup, reorder, gap, malformed, oversize, slow, http429, http5xx,
};
inline constexpr size_t kFaultKinds = 10;
std::string_view to_string(FaultKind k);

struct FaultSpec {
  std::array<double, kFaultKinds> rate{};  ///< 0 = off
  bool any() const;
  std::string to_string() const;
};

/// Parses a SPEC; an empty (or all-blank) spec is valid and clears. On error returns false
/// and names the bad item in `error`.
bool parse_fault_spec(std::string_view spec, FaultSpec& out, std::string& error);

class Faults {
 public:
  Faults(boost::asio::io_context& io, uint64_t seed);
  ~Faults();
  Faults(const Faults&) = delete;
  Faults& operator=(const Faults&) = delete;

  /// Replaces the active faults (frames held for reordering go out if reorder is now off).
  void set(const FaultSpec& spec);
  const FaultSpec& spec() const { return spec_; }

  /// Sends one market data frame to `s` through the active faults. A session whose queue
  /// is full is aborted (a real venue drops slow consumers). `gap` withholds the frame: on
  /// a sequenced stream the client sees the sequence number skip, elsewhere it is a drop.
  void send(const std::shared_ptr<net::WsSession>& s, const net::SharedText& msg);
  /// Delivers a venue REST answer through the active faults.
  void respond(const net::Respond& respond, net::HttpResponse resp);
  /// Sends every frame held back by `reorder` (pause: publish whatever is pending).
  void flush();
  /// Forgets a closed session's held frame.
  void forget(uint64_t session_id);
  /// Cancels delayed (slow) answers; they are dropped.
  void stop();

  /// Injected faults by kind, for /sim/status.
  const std::array<uint64_t, kFaultKinds>& counts() const { return counts_; }

 private:
  bool hit(FaultKind k);
  void deliver(const std::shared_ptr<net::WsSession>& s, const net::SharedText& msg);

  struct Held {
    std::weak_ptr<net::WsSession> session;
    net::SharedText msg;
  };
  struct Slow;

  boost::asio::io_context& io_;
  FaultSpec spec_;
  std::mt19937_64 rng_;
  std::array<uint64_t, kFaultKinds> counts_{};
  std::unordered_map<uint64_t, Held> held_;  // at most one frame per session
  std::shared_ptr<Slow> slow_;
};

}  // namespace mdhub::sim
