#include "src/engine/audit.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <vector>

namespace mdhub {

std::string_view to_string(AuditResult r) {
  switch (r) {
    case AuditResult::pass: return "pass";
    case AuditResult::mismatch: return "mismatch";
    case AuditResult::fail: return "fail";
    case AuditResult::skipped: return "skipped";
  }
  return "?";
}

namespace {

// Price -> size of the best `depth` levels, and whether the list was cut at `depth`.
struct Top {
  std::map<int64_t, int64_t> levels;
  bool cut = false;
  int64_t last = 0;  // the worst price kept
};

void side_diff(Side side, const Top& a, const Top& b, bool open_edge, std::vector<AuditDiff>& out) {
  const bool bid = side == Side::bid;
  // Beyond the shallower cut one list cannot speak: only prices at least as good count.
  bool bounded = false;
  int64_t bound = 0;
  for (const Top* t : {&a, &b}) {
    if (!t->cut) continue;
    bound = !bounded ? t->last : bid ? std::max(bound, t->last) : std::min(bound, t->last);
    bounded = true;
  }
  // An open edge (top orders) may be only part of its level: the bound itself is left out.
  const auto inside = [&](int64_t p) {
    if (!bounded) return true;
    if (open_edge && p == bound) return false;
    return bid ? p >= bound : p <= bound;
  };
  std::map<int64_t, std::pair<int64_t, int64_t>> both;  // price -> (a's size, b's size)
  for (const auto& [p, q] : a.levels)
    if (inside(p)) both[p].first = q;
  for (const auto& [p, q] : b.levels)
    if (inside(p)) both[p].second = q;
  for (const auto& [p, sizes] : both)
    if (sizes.first != sizes.second) out.push_back({side, p, sizes.first, sizes.second});
}

}  // namespace

std::vector<AuditDiff> audit_diff(const Book& book, std::span<const LevelUpdate> snapshot, size_t depth,
                                  bool top_orders) {
  std::vector<AuditDiff> out;
  for (Side side : {Side::bid, Side::ask}) {
    Top mine;
    book.for_each(side, depth, [&](const Level& l) { mine.levels[l.price] = l.qty; });
    mine.cut = book.size(side) >= depth || (top_orders && !mine.levels.empty());
    if (!mine.levels.empty()) mine.last = side == Side::bid ? mine.levels.begin()->first : mine.levels.rbegin()->first;

    std::map<int64_t, int64_t> all;
    for (const LevelUpdate& u : snapshot)
      if (u.side == side) all[u.price] = u.qty;
    std::erase_if(all, [](const auto& kv) { return kv.second == 0; });
    Top theirs;
    theirs.cut = all.size() >= depth || (top_orders && !all.empty());
    std::vector<std::pair<int64_t, int64_t>> best(all.begin(), all.end());
    if (side == Side::bid) std::reverse(best.begin(), best.end());
    if (best.size() > depth) best.resize(depth);
    for (const auto& [p, q] : best) theirs.levels[p] = q;
    if (!best.empty()) theirs.last = best.back().first;
    side_diff(side, mine, theirs, top_orders, out);
  }
  return out;
}

}  // namespace mdhub
