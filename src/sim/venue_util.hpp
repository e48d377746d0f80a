#pragma once
// Helpers shared by the simulated venues: a registry of websocket subscribers whose market
// data goes out through the faults, control replies, optional integer query parameters and
// top-of-book extraction. Single-threaded (the simulator's io_context).
#include <algorithm>
#include <charconv>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "book/types.hpp"
#include "src/net/server.hpp"
#include "src/sim/faults.hpp"

namespace mdhub::sim {

/// An optional integer query parameter: true if absent (`out` untouched) or a valid integer.
inline bool int_param(const net::HttpRequest& req, std::string_view key, int64_t& out) {
  const std::string* s = req.param(key);
  if (!s) return true;
  auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), out);
  return ec == std::errc{} && p == s->data() + s->size();
}

/// The best `n` levels of one side of a Book.
template <class M>
std::vector<Level> top_levels(const M& side, size_t n) {
  std::vector<Level> out;
  for (auto it = side.begin(); it != side.end() && out.size() < n; ++it) out.push_back({it->first, it->second});
  return out;
}

/// The best level of one side, {0, 0} when empty.
template <class M>
Level best_level(const M& side) {
  return side.empty() ? Level{0, 0} : Level{side.begin()->first, side.begin()->second};
}

/// A control reply (ack, error, pong): never faulted; a session that cannot take it is dropped.
inline void reply(const std::shared_ptr<net::WsSession>& s, std::string text) {
  if (!s->send(std::make_shared<const std::string>(std::move(text)))) s->abort();
}

/// The open websocket sessions of one venue, each carrying a `State` (its subscriptions)
/// in WsSession::user.
template <class State>
class Subscribers {
 public:
  explicit Subscribers(Faults& faults) : faults_(faults) {}

  State& open(const std::shared_ptr<net::WsSession>& s) {
    auto st = std::make_shared<State>();
    s->user = st;
    sessions_[s->id()] = s;
    return *st;
  }
  void close(const std::shared_ptr<net::WsSession>& s) {
    sessions_.erase(s->id());
    faults_.forget(s->id());
  }
  void clear() { sessions_.clear(); }
  static State& of(const std::shared_ptr<net::WsSession>& s) { return *static_cast<State*>(s->user.get()); }

  template <class Pred>
  bool any(Pred wants) const {
    return std::any_of(sessions_.begin(), sessions_.end(), [&](const auto& kv) { return wants(of(kv.second)); });
  }

  /// Market data to one session, through the faults.
  void send(const std::shared_ptr<net::WsSession>& s, std::string text) {
    faults_.send(s, std::make_shared<const std::string>(std::move(text)));
  }

  /// Market data to every session whose state `wants` it: one shared buffer for all.
  template <class Pred>
  void broadcast(const std::string& text, Pred wants) {
    std::vector<std::shared_ptr<net::WsSession>> to;
    for (const auto& [id, s] : sessions_)
      if (wants(of(s))) to.push_back(s);
    if (to.empty()) return;
    auto msg = std::make_shared<const std::string>(text);
    for (const auto& s : to) faults_.send(s, msg);
  }

 private:
  Faults& faults_;
  std::unordered_map<uint64_t, std::shared_ptr<net::WsSession>> sessions_;
};

}  // namespace mdhub::sim
