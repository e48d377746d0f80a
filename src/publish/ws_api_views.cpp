// Websocket API: the book views that are not a venue's own book, kept in step with the
// changed levels only. `book<N>` holds the N levels a side it last sent and edits them in
// place when a change keeps the window's prices; only a level entering or leaving the window
// costs a walk of the window. The consolidated `book` (every level) renders the merged
// levels at the changed prices, never the whole book.
#include <algorithm>

#include "src/publish/ws_api_impl.hpp"
#include "src/publish/render.hpp"

namespace mdhub {

using wsapi::Stream;

namespace {

/// Bids before asks, each side best first: the order of Stream::top and of update messages.
bool ranks_before(const LevelUpdate& a, const LevelUpdate& b) {
  if (a.side != b.side) return a.side == Side::bid;
  return a.side == Side::bid ? a.price > b.price : a.price < b.price;
}

int64_t merged_qty(const ConsolidatedState& c, Side side, int64_t price) {
  int64_t q = 0;
  c.book.visit(side, price, [&](int64_t total, std::span<const VenueQty>) { q = total; });
  return q;
}

}  // namespace

bool WsApi::Impl::top_edits_in_place(Stream& s, std::span<const LevelUpdate> changes) {
  top_edits.clear();
  const size_t depth = s.spec.depth;
  const auto bid_end = static_cast<size_t>(
      std::partition_point(s.top.begin(), s.top.end(), [](const LevelUpdate& l) { return l.side == Side::bid; }) -
      s.top.begin());
  for (const LevelUpdate& c : changes) {
    const size_t b = c.side == Side::bid ? 0 : bid_end, e = c.side == Side::bid ? bid_end : s.top.size();
    const auto first = s.top.begin() + static_cast<std::ptrdiff_t>(b), last = s.top.begin() + static_cast<std::ptrdiff_t>(e);
    const auto it = std::lower_bound(first, last, c, ranks_before);
    const bool found = it != last && it->price == c.price;
    // A full window's prices end at its worst level: a change beyond it is not in view.
    if (!found && it == last && e - b >= depth) continue;
    // The venue's change is the level's new size; a consolidated level sums every venue's.
    const int64_t now = s.cons ? merged_qty(*s.cons, c.side, c.price) : c.qty;
    if (found && now != 0) {
      top_edits.push_back({static_cast<size_t>(it - s.top.begin()), now, top_edits.size()});
    } else if (found || now != 0) {
      return false;  // a level leaves or enters the window: its edge moves
    }
  }
  return true;
}

bool WsApi::Impl::top_changes(Stream& s, std::span<const LevelUpdate> changes, std::vector<LevelUpdate>& out) {
  out.clear();
  if (s.primed && top_edits_in_place(s, changes)) {
    // Later edits of a level win; out lists each changed level once, in window order. (Not
    // std::stable_sort, which allocates its buffer on every call.)
    std::sort(top_edits.begin(), top_edits.end(), [](const TopEdit& a, const TopEdit& b) {
      return a.index != b.index ? a.index < b.index : a.order < b.order;
    });
    for (size_t i = 0; i < top_edits.size(); ++i) {
      if (i + 1 < top_edits.size() && top_edits[i + 1].index == top_edits[i].index) continue;
      LevelUpdate& l = s.top[top_edits[i].index];
      if (l.qty == top_edits[i].qty) continue;
      l.qty = top_edits[i].qty;
      out.push_back(l);
    }
    return !out.empty();
  }
  // Both lists are bids then asks, each best first, so one merge pass finds the changes.
  top_before.swap(s.top);
  if (s.cons) remember_top_cons(s);
  else remember_top(s);
  const std::vector<LevelUpdate>& before = top_before;
  size_t i = 0, j = 0;
  while (i < before.size() || j < s.top.size()) {
    if (j == s.top.size() || (i < before.size() && ranks_before(before[i], s.top[j]))) {
      out.push_back({before[i].side, before[i].price, 0});
      ++i;
    } else if (i == before.size() || ranks_before(s.top[j], before[i])) {
      out.push_back(s.top[j++]);
    } else {
      if (before[i].qty != s.top[j].qty) out.push_back(s.top[j]);
      ++i;
      ++j;
    }
  }
  return !out.empty();
}

void WsApi::Impl::merged_changes(const ConsolidatedState& cons, std::span<const LevelUpdate> changes,
                                 std::vector<LevelUpdate>& out) {
  out.clear();
  for (const LevelUpdate& c : changes) out.push_back({c.side, c.price, 0});
  std::sort(out.begin(), out.end(), ranks_before);
  out.erase(std::unique(out.begin(), out.end(),
                        [](const LevelUpdate& a, const LevelUpdate& b) { return a.side == b.side && a.price == b.price; }),
            out.end());
  for (LevelUpdate& l : out) l.qty = merged_qty(cons, l.side, l.price);
}

net::SharedText WsApi::Impl::consolidated_update(Stream& s, const ConsolidatedState& cons,
                                                 std::span<const LevelUpdate> merged) {
  net::FrameText f;
  std::string& b = f.text();
  head(b, "book_update", s, ++s.seq, kNone, latest_ts(cons));
  for (Side side : {Side::bid, Side::ask}) {
    render::key(b, side == Side::bid ? "bids" : "asks");
    b += '[';
    bool first = true;
    // Changed levels carry their venue breakdown; removed ones are ["price","0",{}].
    for (const LevelUpdate& m : merged) {
      if (m.side != side) continue;
      if (!first) b += ',';
      first = false;
      const bool listed = m.qty != 0 && cons.book.visit(side, m.price, [&](int64_t q, std::span<const VenueQty> parts) {
        render::consolidated_level(b, cons, engine, m.price, q, parts);
      });
      if (!listed) render::consolidated_level(b, cons, engine, m.price, 0, {});
    }
    b += ']';
  }
  return finish(f);
}

}  // namespace mdhub
