#include "src/fx/views.hpp"

#include <algorithm>
#include <string_view>

#include "book/decimal.hpp"
#include "feeds/common/json_write.hpp"

namespace mdhub::fx {
namespace {

using jsonw::key;
using jsonw::str;

int cmp(const Px& a, const Px& b) { return compare(a.m, a.scale, b.m, b.scale); }

void exclude(ViewBase& v, const FxInstrument& i, std::string reason, std::string message, ExclusionCounter* counter) {
  if (counter) counter->excluded(reason);
  v.excluded.push_back({i.venue, i.symbol, std::move(reason), std::move(message)});
}

/// Members of `base` (only venues with books when `books`), converted into `quote`; sets
/// `err` when the view cannot be served at all.
bool gather(const FxMarket& m, const FxConfig& cfg, const std::vector<StaticRate>& statics, const std::string& base,
            const std::string& quote, bool books, ViewBase& v, FxError& err, ExclusionCounter* counter) {
  if (!valid_currency(base) || !valid_currency(quote)) {
    err = {400, "bad_param", "BASE and QUOTE must each be 2 to 12 characters of A-Z and 0-9"};
    return false;
  }
  if (base == quote) {
    err = {400, "bad_param", "QUOTE must differ from BASE"};
    return false;
  }
  v.base = base;
  v.quote = quote;
  v.price_scale = cfg.price_scale;
  std::vector<const FxInstrument*> listed;
  bool any = false;
  for (const FxInstrument& i : m.instruments) {
    if (i.base != base) continue;
    any = true;
    if (!books || i.book) listed.push_back(&i);
  }
  if (!any) {
    err = {404, "unknown_symbol", "no venue lists " + base + " in any quote"};
    return false;
  }
  if (listed.empty()) {
    err = {404, "unknown_symbol", "no venue publishes a book of " + base + " (quotes only)"};
    return false;
  }
  std::sort(listed.begin(), listed.end(), [](const FxInstrument* a, const FxInstrument* b) {
    return std::tie(a->venue, a->symbol) < std::tie(b->venue, b->symbol);
  });
  const RateGraph g(m, cfg, statics);
  bool path_exists = false;
  std::string no_path;
  for (const FxInstrument* i : listed) {
    Conversion c = g.convert(i->quote, quote, base);
    if (c.reason != "no_fx_path") path_exists = true;
    else no_path += (no_path.empty() ? "" : "; ") + i->venue + " " + i->symbol + " is quoted in " + i->quote +
                    " and no rate leads from " + i->quote + " to " + quote;
    if (!c.usable()) {
      exclude(v, *i, c.reason, c.message, counter);
    } else if (!i->served) {
      exclude(v, *i, "book_unavailable",
              "the " + i->venue + " " + i->symbol + (i->book ? " book " : " quotes ") + i->why_not_served, counter);
    } else {
      v.members.push_back({i, std::move(c), {}, {}});
    }
  }
  if (!path_exists) {
    err = {404, "no_fx_path", "no conversion of " + base + " into " + quote + ": " + no_path};
    return false;
  }
  return true;
}

/// `seq` of a view: the change counts of every instrument it reads (members or not, rate
/// sources used or not), so it never goes back when a venue leaves the view or a path changes;
/// `ts_received`: the latest among its members and the venue rate sources they use.
void stamp(ViewBase& v, const FxMarket& m) {
  for (const FxInstrument& i : m.instruments) v.seq += i.seq;
  for (const Member& mb : v.members) {
    v.ts_received_us = std::max(v.ts_received_us, mb.inst->ts_received_us);
    for (const Hop& h : mb.conv.path)
      if (h.source != "static") v.ts_received_us = std::max(v.ts_received_us, h.ts_received_us);
  }
}

std::string unavailable(const ViewBase& v) {
  std::string msg = "nothing can be served now for " + v.base + " in " + v.quote;
  for (size_t k = 0; k < v.excluded.size(); ++k) {
    const Exclusion& e = v.excluded[k];
    msg += (k ? "; " : ": ") + e.venue + " " + e.symbol + ": " + e.message;
  }
  return msg;
}

/// p in the view's quote: exact when native, else converted at the declared scale.
std::optional<Px> in_quote(const Member& mb, int64_t p, int scale) {
  if (!mb.converted()) return Px{p, mb.inst->price_scale, false};
  const auto c = convert_price(p, mb.inst->price_scale, mb.conv.rate, scale);
  if (!c) return std::nullopt;
  return Px{*c, scale, true};
}

void overflowed(ViewBase& v, const Member& mb, ExclusionCounter* counter) {
  exclude(v, *mb.inst, "overflow",
          "converting " + mb.inst->venue + " " + mb.inst->symbol + " prices into " + v.quote + " overflows", counter);
}

void sort_excluded(ViewBase& v) {
  std::sort(v.excluded.begin(), v.excluded.end(), [](const Exclusion& a, const Exclusion& b) {
    return std::tie(a.venue, a.symbol) < std::tie(b.venue, b.symbol);
  });
}

/// Appends the text of `p`: shortest, or with exactly its scale's decimals when fixed.
void append_px(std::string& out, const Px& p) {
  char buf[32];
  const size_t n = format_decimal(p.m, p.scale, buf);
  out.append(buf, n);
  if (!p.fixed || p.scale <= 0) return;
  const size_t dot = std::string_view(buf, n).find('.');
  const size_t have = dot == std::string_view::npos ? 0 : n - dot - 1;
  if (dot == std::string_view::npos) out += '.';
  out.append(static_cast<size_t>(p.scale) - have, '0');
}

/// Best first; ties by venue name, then the venue's own price (better first), then symbol;
/// only the best `depth` are kept in order. The keys are computed once per entry (prices at
/// one scale, venue ranks), so the comparisons are integer ones.
void sort_entries(const ViewBase& v, std::vector<BookEntry>& entries, bool bids, size_t depth) {
  const auto at18 = [](int64_t m, int s) {
    return static_cast<i128>(m) * static_cast<i128>(pow10_128(18 - std::clamp(s, 0, 18)));
  };
  // Members come sorted by (venue, symbol): a member's index orders symbols within a venue.
  std::vector<uint32_t> venue_rank(v.members.size());
  for (size_t k = 1; k < v.members.size(); ++k)
    venue_rank[k] = venue_rank[k - 1] + (v.members[k].inst->venue != v.members[k - 1].inst->venue);
  struct Keyed {
    i128 price, native;  // negated for bids: best first is smallest first
    uint32_t venue;
    size_t member;
    BookEntry entry;
  };
  std::vector<Keyed> keyed;
  keyed.reserve(entries.size());
  for (const BookEntry& e : entries) {
    const i128 p = at18(e.price.m, e.price.scale), n = at18(e.native, v.members[e.member].inst->price_scale);
    keyed.push_back({bids ? -p : p, bids ? -n : n, venue_rank[e.member], e.member, e});
  }
  const auto less = [](const Keyed& x, const Keyed& y) {
    if (x.price != y.price) return x.price < y.price;
    if (x.venue != y.venue) return x.venue < y.venue;
    if (x.native != y.native) return x.native < y.native;
    return x.member < y.member;
  };
  const size_t keep = std::min(depth, keyed.size());
  std::partial_sort(keyed.begin(), keyed.begin() + static_cast<std::ptrdiff_t>(keep), keyed.end(), less);
  entries.clear();
  for (size_t k = 0; k < keep; ++k) entries.push_back(keyed[k].entry);
}

void entry_parts(const Member& mb, std::string& head, std::string& tail) {
  head = ",{";
  key(head, "venue", true); str(head, mb.inst->venue);
  key(head, "symbol"); str(head, mb.inst->symbol);
  key(head, "price");
  head += '"';
  tail = "\"";
  key(tail, "rate"); str(tail, format(mb.conv.rate, kRateScale, false));
  tail += "}]";
}


}  // namespace

std::optional<int64_t> convert_price(int64_t p, int p_scale, u128 rate, int scale) {
  if (p < 0 || p_scale < 0 || p_scale > kMaxScale) return std::nullopt;
  u128 prod = 0;
  if (__builtin_mul_overflow(static_cast<u128>(p), rate, &prod)) return std::nullopt;
  // p x rate is at scale p_scale + kRateScale >= scale (scale <= 12).
  const u128 q = div_half_even(prod, pow10_128(p_scale + kRateScale - scale));
  if (q > static_cast<u128>(INT64_MAX)) return std::nullopt;
  return static_cast<int64_t>(q);
}

std::optional<u128> basis_points(const Px& best, const Px& x) {
  const int s = std::max(best.scale, x.scale);
  const u128 b = static_cast<u128>(best.m) * pow10_128(s - best.scale);
  const u128 v = static_cast<u128>(x.m) * pow10_128(s - x.scale);
  if (b == 0 || best.m < 0 || x.m < 0) return std::nullopt;
  const u128 diff = b > v ? b - v : v - b;
  u128 n = 0;
  if (__builtin_mul_overflow(diff, static_cast<u128>(1'000'000), &n)) return std::nullopt;  // x 10000, 2 decimals
  return div_half_even(n, b);
}

std::optional<FxBook> fx_book(const FxMarket& m, const FxConfig& cfg, const std::vector<StaticRate>& statics,
                              const std::string& base, const std::string& quote, size_t depth, FxError& err,
                              ExclusionCounter* counter, bool allow_empty) {
  ViewBase v;
  if (!gather(m, cfg, statics, base, quote, true, v, err, counter)) return std::nullopt;
  FxBook b;
  static_cast<ViewBase&>(b) = std::move(v);
  std::vector<Member> members = std::move(b.members);
  b.members.clear();
  for (Member& mb : members) {
    std::vector<BookEntry> bids, asks;
    bool ok = true;
    for (auto [levels, out] : {std::pair{&mb.inst->bids, &bids}, std::pair{&mb.inst->asks, &asks}}) {
      for (size_t k = 0; k < levels->size() && k < depth && ok; ++k) {
        const Level& l = (*levels)[k];
        const auto px = in_quote(mb, l.price, cfg.price_scale);
        if (!px) ok = false;
        else out->push_back({*px, l.qty, l.price, b.members.size()});
      }
    }
    if (!ok) {
      overflowed(b, mb, counter);
      continue;
    }
    b.bids.insert(b.bids.end(), bids.begin(), bids.end());
    b.asks.insert(b.asks.end(), asks.begin(), asks.end());
    b.members.push_back(std::move(mb));
  }
  for (Member& mb : b.members) entry_parts(mb, mb.entry_head, mb.entry_tail);
  sort_excluded(b);
  if (b.members.empty() && !allow_empty) {
    err = {503, "book_unavailable", unavailable(b)};
    return std::nullopt;
  }
  sort_entries(b, b.bids, true, depth);
  sort_entries(b, b.asks, false, depth);
  stamp(b, m);
  return b;
}

std::optional<Premium> premium(const FxMarket& m, const FxConfig& cfg, const std::vector<StaticRate>& statics,
                               const std::string& base, const std::string& quote, FxError& err,
                               ExclusionCounter* counter, bool allow_empty) {
  ViewBase v;
  if (!gather(m, cfg, statics, base, quote, false, v, err, counter)) return std::nullopt;
  Premium p;
  static_cast<ViewBase&>(p) = std::move(v);
  std::vector<Member> members = std::move(p.members);
  p.members.clear();
  for (Member& mb : members) {
    PremiumRow r;
    r.member = p.members.size();
    bool ok = true;
    for (auto [native, out] : {std::pair{mb.inst->bid, &r.bid}, std::pair{mb.inst->ask, &r.ask}}) {
      if (native == kNone) continue;
      const auto px = in_quote(mb, native, cfg.price_scale);
      if (!px) ok = false;
      else *out = *px;
    }
    if (!ok) {
      overflowed(p, mb, counter);
      continue;
    }
    for (const Hop& h : mb.conv.path)
      if (h.age_ms != kNone) r.rate_age_ms = std::max(r.rate_age_ms, h.age_ms);
    p.rows.push_back(r);
    p.members.push_back(std::move(mb));
  }
  sort_excluded(p);
  if (p.members.empty() && !allow_empty) {
    err = {503, "book_unavailable", unavailable(p)};
    return std::nullopt;
  }
  // Rows are in venue, symbol order here: the first best wins a tie.
  for (const PremiumRow& r : p.rows) {
    if (r.bid.m != kNone && (!p.best_bid || cmp(r.bid, p.best_bid->bid) > 0)) p.best_bid = r;
    if (r.ask.m != kNone && (!p.best_ask || cmp(r.ask, p.best_ask->ask) < 0)) p.best_ask = r;
  }
  for (PremiumRow& r : p.rows) {
    if (r.bid.m != kNone) r.bid_bp = basis_points(p.best_bid->bid, r.bid);
    if (r.ask.m != kNone) r.ask_bp = basis_points(p.best_ask->ask, r.ask);
  }
  std::stable_sort(p.rows.begin(), p.rows.end(), [](const PremiumRow& x, const PremiumRow& y) {
    if (x.ask_bp.has_value() != y.ask_bp.has_value()) return x.ask_bp.has_value();
    return x.ask_bp && *x.ask_bp != *y.ask_bp && *x.ask_bp < *y.ask_bp;
  });
  stamp(p, m);
  return p;
}


std::string text(const Px& p) {
  std::string out;
  if (p.m != kNone) append_px(out, p);
  return out;
}

namespace {

void px_or_null(std::string& out, const Px& p) {
  if (p.m == kNone) out += "null";
  else str(out, text(p));
}

void bp_or_null(std::string& out, const std::optional<u128>& bp) {
  if (!bp) out += "null";
  else str(out, format(*bp, 2, true));
}

void path_json(std::string& out, const Member& mb) {
  key(out, "converted");
  out += mb.converted() ? "true" : "false";
  key(out, "rate");
  str(out, format(mb.conv.rate, kRateScale, false));
}

void hops_json(std::string& out, const Member& mb, bool ages) {
  key(out, "path");
  out += '[';
  for (size_t k = 0; k < mb.conv.path.size(); ++k) {
    const Hop& h = mb.conv.path[k];
    if (k) out += ',';
    out += '{';
    key(out, "from", true); str(out, h.from);
    key(out, "to"); str(out, h.to);
    key(out, "source"); str(out, h.source);
    key(out, "symbol"); str(out, h.symbol);
    key(out, "mid"); str(out, h.mid);
    key(out, "age_ms"); jsonw::num(out, ages ? h.age_ms : kNone);
    out += '}';
  }
  out += ']';
}

void head(std::string& out, const ViewBase& v) {
  key(out, "seq"); jsonw::num(out, static_cast<int64_t>(v.seq));
  key(out, "ts_received"); jsonw::num(out, v.ts_received_us);
  key(out, "price_scale"); jsonw::num(out, v.price_scale);
  key(out, "rate_scale"); jsonw::num(out, kRateScale);
}

void best_json(std::string& out, const ViewBase& v, const std::optional<PremiumRow>& r, bool bid) {
  if (!r) {
    out += "null";
    return;
  }
  const FxInstrument& i = *v.members[r->member].inst;
  out += '{';
  key(out, "venue", true); str(out, i.venue);
  key(out, "symbol"); str(out, i.symbol);
  key(out, "price"); str(out, text(bid ? r->bid : r->ask));
  out += '}';
}

}  // namespace

void render_entry(std::string& out, const ViewBase& v, const BookEntry& e, int64_t qty) {
  // Every level of every venue is written on each view: decimals straight into `out`, the
  // member's own fields once per member (entry_parts), not once per level.
  const Member& mb = v.members[e.member];
  std::string head, tail;
  if (mb.entry_head.empty()) entry_parts(mb, head, tail);
  out += "[\"";
  append_px(out, e.price);
  out += "\",\"";
  char buf[32];
  out.append(buf, format_decimal(qty, mb.inst->qty_scale, buf));
  out += '"';
  out += mb.entry_head.empty() ? head : mb.entry_head;
  out.append(buf, format_decimal(e.native, mb.inst->price_scale, buf));
  out += mb.entry_tail.empty() ? tail : mb.entry_tail;
}

void render_members(std::string& out, const ViewBase& v, bool ages) {
  out += '[';
  for (size_t k = 0; k < v.members.size(); ++k) {
    const Member& mb = v.members[k];
    if (k) out += ',';
    out += '{';
    key(out, "venue", true); str(out, mb.inst->venue);
    key(out, "symbol"); str(out, mb.inst->symbol);
    path_json(out, mb);
    hops_json(out, mb, ages);
    out += '}';
  }
  out += ']';
}

void render_excluded(std::string& out, const ViewBase& v) {
  out += '[';
  for (size_t k = 0; k < v.excluded.size(); ++k) {
    const Exclusion& e = v.excluded[k];
    if (k) out += ',';
    out += '{';
    key(out, "venue", true); str(out, e.venue);
    key(out, "symbol"); str(out, e.symbol);
    key(out, "reason"); str(out, e.reason);
    key(out, "message"); str(out, e.message);
    out += '}';
  }
  out += ']';
}

void render_book_fields(std::string& out, const FxBook& b) {
  key(out, "venue", true); str(out, "fx");
  key(out, "symbol"); str(out, b.base + "-" + b.quote);
  head(out, b);
  for (auto [name, side] : {std::pair{"bids", &b.bids}, std::pair{"asks", &b.asks}}) {
    key(out, name);
    out += '[';
    for (size_t k = 0; k < side->size(); ++k) {
      if (k) out += ',';
      render_entry(out, b, (*side)[k], (*side)[k].qty);
    }
    out += ']';
  }
  key(out, "venues");
  render_members(out, b);
  key(out, "excluded");
  render_excluded(out, b);
}

void render_premium_fields(std::string& out, const Premium& p, bool ages) {
  key(out, "base", true); str(out, p.base);
  key(out, "quote"); str(out, p.quote);
  head(out, p);
  key(out, "best_bid"); best_json(out, p, p.best_bid, true);
  key(out, "best_ask"); best_json(out, p, p.best_ask, false);
  key(out, "venues");
  out += '[';
  for (size_t k = 0; k < p.rows.size(); ++k) {
    const PremiumRow& r = p.rows[k];
    const Member& mb = p.members[r.member];
    if (k) out += ',';
    out += '{';
    key(out, "venue", true); str(out, mb.inst->venue);
    key(out, "symbol"); str(out, mb.inst->symbol);
    key(out, "bid"); px_or_null(out, r.bid);
    key(out, "ask"); px_or_null(out, r.ask);
    key(out, "bid_bp"); bp_or_null(out, r.bid_bp);
    key(out, "ask_bp"); bp_or_null(out, r.ask_bp);
    path_json(out, mb);
    key(out, "rate_age_ms"); jsonw::num(out, ages ? r.rate_age_ms : kNone);
    hops_json(out, mb, ages);
    out += '}';
  }
  out += ']';
  key(out, "excluded");
  render_excluded(out, p);
}

}  // namespace mdhub::fx
