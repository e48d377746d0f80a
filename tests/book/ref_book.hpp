#pragma once
// A deliberately simple std::map model of Book's documented rules, for tests to compare the
// real implementations against.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "book/l2_book.hpp"

namespace mdhub::test {

struct RefBook {
  std::map<int64_t, int64_t, std::greater<>> bids;
  std::map<int64_t, int64_t> asks;
  uint64_t seq = 0;

  static BookError check(std::span<const LevelUpdate> levels) {
    for (const auto& u : levels) {
      if (u.price <= 0) return BookError::bad_level;
      if (u.qty < 0) return BookError::negative_qty;
    }
    return BookError::none;
  }
  void set(const LevelUpdate& u) {
    if (u.side == Side::bid) {
      if (u.qty == 0) bids.erase(u.price); else bids[u.price] = u.qty;
    } else {
      if (u.qty == 0) asks.erase(u.price); else asks[u.price] = u.qty;
    }
  }
  bool crossed() const {
    return !bids.empty() && !asks.empty() && bids.begin()->first >= asks.begin()->first;
  }
  void clear() {
    bids.clear();
    asks.clear();
    seq = 0;
  }
  BookError reset(std::span<const LevelUpdate> levels, uint64_t s) {
    clear();
    if (BookError e = check(levels); e != BookError::none) return e;
    for (const auto& u : levels) {
      if (u.qty != 0) set(u);
    }
    seq = s;
    return crossed() ? BookError::crossed : BookError::none;
  }
  BookError apply(std::span<const LevelUpdate> levels, uint64_t s, uint64_t prev) {
    if (seq != 0 && s != 0 && s <= seq) return BookError::stale;
    if (seq != 0 && prev != 0 && prev != seq) return BookError::sequence_gap;
    if (BookError e = check(levels); e != BookError::none) return e;
    for (const auto& u : levels) set(u);
    if (s != 0) seq = s;
    return crossed() ? BookError::crossed : BookError::none;
  }
  std::vector<Level> levels(Side s) const {
    std::vector<Level> out;
    if (s == Side::bid) {
      for (auto [p, q] : bids) out.push_back(Level{p, q});
    } else {
      for (auto [p, q] : asks) out.push_back(Level{p, q});
    }
    return out;
  }
  uint64_t hash() const {
    LevelHasher h;
    for (auto [p, q] : bids) h.add(Side::bid, Level{p, q});
    for (auto [p, q] : asks) h.add(Side::ask, Level{p, q});
    h.add_seq(seq);
    return h.value();
  }
};

/// True when `b` holds exactly the reference's state; walks both without allocating.
inline ::testing::AssertionResult same_state(const Book& b, const RefBook& r) {
  if (b.seq() != r.seq) return ::testing::AssertionFailure() << "seq " << b.seq() << " vs " << r.seq;
  if (b.size(Side::bid) != r.bids.size() || b.size(Side::ask) != r.asks.size())
    return ::testing::AssertionFailure() << "sizes " << b.size(Side::bid) << "/" << b.size(Side::ask)
                                         << " vs " << r.bids.size() << "/" << r.asks.size();
  bool ok = true;
  std::string why;
  auto walk = [&](Side s, const auto& m) {
    auto it = m.begin();
    b.for_each(s, m.size(), [&](const Level& l) {
      if (!ok) return;
      if (it == m.end() || it->first != l.price || it->second != l.qty) {
        ok = false;
        why = std::string(s == Side::bid ? "bid" : "ask") + " level " + std::to_string(l.price) +
              ":" + std::to_string(l.qty) + " vs " +
              (it == m.end() ? std::string("end") : std::to_string(it->first) + ":" + std::to_string(it->second));
        return;
      }
      ++it;
    });
  };
  walk(Side::bid, r.bids);
  walk(Side::ask, r.asks);
  if (!ok) return ::testing::AssertionFailure() << why;
  const auto bb = b.best(Side::bid);
  const auto ba = b.best(Side::ask);
  if (bb.has_value() != !r.bids.empty() || ba.has_value() != !r.asks.empty())
    return ::testing::AssertionFailure() << "best presence";
  if (bb && (bb->price != r.bids.begin()->first || bb->qty != r.bids.begin()->second))
    return ::testing::AssertionFailure() << "best bid";
  if (ba && (ba->price != r.asks.begin()->first || ba->qty != r.asks.begin()->second))
    return ::testing::AssertionFailure() << "best ask";
  if (b.crossed() != r.crossed()) return ::testing::AssertionFailure() << "crossed flag";
  return ::testing::AssertionSuccess();
}

}  // namespace mdhub::test
