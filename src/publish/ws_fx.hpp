#pragma once
// Private to the websocket API: the cross-currency channels book:fx:B-Q, bbo:fx:B-Q and
// premium:fx:B-Q (README "Cross-currency channels"). Each exists only while subscribed; a
// timer recomputes the subscribed ones at most every [fx] publish_interval_ms and publishes
// what changed, so pairs nobody subscribes to cost nothing.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "src/net/server.hpp"

namespace mdhub::wsapi {

struct Client;

enum class FxKind : uint8_t { book, bbo, premium };

/// Splits "<kind>:fx:<BASE>-<QUOTE>"; false when the venue part is not "fx". Sets `error`
/// (a bad_channel message) when it is, but the rest is not a valid fx channel.
bool parse_fx_channel(std::string_view name, FxKind& kind, std::string& base, std::string& quote, std::string& error);

struct FxSub {
  Client* client = nullptr;
  bool snapshot_owed = true;  ///< joined after the channel's last message, or conflated
};

struct FxChannel {
  std::string name, base, quote;
  FxKind kind = FxKind::book;
  std::vector<FxSub> subs;
  uint64_t seq = 0;        ///< +1 per message published
  bool has_state = false;  ///< a first state was published
  /// book: per (side, venue, symbol, native price), the entry last published and the same
  /// entry with qty "0" (its delete).
  std::map<std::tuple<int, std::string, std::string, int64_t>, std::pair<std::string, std::string>> entries;
  std::string members, excluded;  ///< book: the `venues` / `excluded` last published (ages left out)
  std::string signature;          ///< bbo, premium: the last state published (seq and ages left out)
  net::SharedText last;           ///< bbo, premium: the last message
};

}  // namespace mdhub::wsapi
