#include "src/sim/fx_truth.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "book/decimal.hpp"
#include "feeds/common/json_write.hpp"

namespace mdhub::sim::fx {
namespace {

using i128 = Int128;
constexpr int kRateScale = 12;
constexpr size_t kMaxHops = 3;

i128 p10(int n) {
  i128 p = 1;
  while (n-- > 0) p *= 10;
  return p;
}

i128 gcd(i128 a, i128 b) {
  if (a < 0) a = -a;
  if (b < 0) b = -b;
  while (b != 0) {
    const i128 t = a % b;
    a = b;
    b = t;
  }
  return a == 0 ? 1 : a;
}

// An exact positive rational, kept reduced so that a few hops stay far from overflow.
struct Rat {
  i128 n = 1, d = 1;
};

// x *= n / d; false on overflow or a zero denominator.
bool times(Rat& x, i128 n, i128 d) {
  if (d == 0) return false;
  const i128 g1 = gcd(x.n, d), g2 = gcd(n, x.d);
  i128 nn = 0, dd = 0;
  if (__builtin_mul_overflow(x.n / g1, n / g2, &nn) || __builtin_mul_overflow(x.d / g2, d / g1, &dd)) return false;
  if (dd < 0) {
    nn = -nn;
    dd = -dd;
  }
  x = {nn, dd};
  return true;
}

// m / 10^s at scale `to` (>= s), as a mantissa.
i128 at_scale(int64_t m, int s, int to) { return static_cast<i128>(m) * p10(to - s); }

// a / 10^sa <=> b / 10^sb
int compare(int64_t a, int sa, int64_t b, int sb) {
  const int s = std::max(sa, sb);
  const i128 x = at_scale(a, sa, s), y = at_scale(b, sb, s);
  return x < y ? -1 : (x > y ? 1 : 0);
}

bool valid_code(std::string_view c) {
  if (c.size() < 2 || c.size() > 12) return false;
  return std::all_of(c.begin(), c.end(), [](char ch) { return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'); });
}

std::string dec(int64_t m, int scale, int digits = -1) { return JsonWriter::decimal(m, scale, digits); }

Answer fail(unsigned status, std::string_view code, std::string_view message) {
  return {status, jsonw::error(code, message)};
}

// One currency pair's chosen rate: 1 a = mid b.
struct Edge {
  std::string a, b;
  Rat mid;
  std::string mid_text;
  std::string source, symbol;  // venue or "static"; the instrument or the configured pair
};

struct Hop {
  std::string from, to;
  Edge edge;  // a copy: views outlive the graph they were found in
};

// The graph of usable rates, one edge per unordered currency pair.
class Graph {
 public:
  Graph(const std::vector<Source>& sources, const Params& p) {
    using Rank = std::tuple<int, size_t, std::string, int, size_t>;
    std::map<std::pair<std::string, std::string>, std::pair<Rank, Edge>> best;
    auto offer = [&](Rank rank, Edge e) {
      std::pair<std::string, std::string> key = e.a < e.b ? std::pair{e.a, e.b} : std::pair{e.b, e.a};
      auto it = best.find(key);
      if (it == best.end()) best.emplace(std::move(key), std::pair{std::move(rank), std::move(e)});
      else if (rank < it->second.first) it->second = {std::move(rank), std::move(e)};
    };
    for (const Source& s : sources) {
      if (s.bids.empty() || s.asks.empty() || s.base == s.quote) continue;
      const i128 sum = static_cast<i128>(s.bids.front().price) + s.asks.front().price;
      if (sum <= 0 || sum * 5 > static_cast<i128>(INT64_MAX)) continue;
      Edge e{s.base, s.quote, {sum, 2 * p10(s.price_scale)}, dec(static_cast<int64_t>(sum * 5), s.price_scale + 1),
             s.venue, s.symbol};
      const Rat r = e.mid;
      e.mid = {r.n / gcd(r.n, r.d), r.d / gcd(r.n, r.d)};
      const auto pos = std::find(p.prefer.begin(), p.prefer.end(), s.venue);
      offer({0, static_cast<size_t>(pos - p.prefer.begin()), s.venue, s.base < s.quote ? 0 : 1, 0}, std::move(e));
    }
    for (size_t i = 0; i < p.rates.size(); ++i) {
      const StaticRate& r = p.rates[i];
      if (r.mantissa <= 0 || r.a == r.b) continue;
      Edge e{r.a, r.b, {r.mantissa, p10(r.scale)}, dec(r.mantissa, r.scale), "static", r.a + "-" + r.b};
      const i128 g = gcd(e.mid.n, e.mid.d);
      e.mid = {e.mid.n / g, e.mid.d / g};
      offer({1, 0, std::string(), 0, i}, std::move(e));
    }
    for (auto& [key, v] : best) {
      currencies_.insert(key.first);
      currencies_.insert(key.second);
      edges_.emplace(key, std::move(v.second));
    }
  }

  const Edge* edge(const std::string& x, const std::string& y) const {
    auto key = std::minmax(x, y);
    auto it = edges_.find({key.first, key.second});
    return it == edges_.end() ? nullptr : &it->second;
  }

  // Fewest hops (at most three), never through `base`; among equals, the smallest list of
  // intermediate currencies (the loops visit them in byte order, so the first found).
  std::optional<std::vector<Hop>> path(const std::string& base, const std::string& from, const std::string& to) const {
    auto ok = [&](const std::string& c) { return c != base && c != from && c != to; };
    if (const Edge* e = edge(from, to)) return std::vector<Hop>{{from, to, *e}};
    for (const std::string& i : currencies_) {
      if (!ok(i)) continue;
      const Edge *e1 = edge(from, i), *e2 = edge(i, to);
      if (e1 && e2) return std::vector<Hop>{{from, i, *e1}, {i, to, *e2}};
    }
    static_assert(kMaxHops == 3);
    for (const std::string& i : currencies_) {
      if (!ok(i)) continue;
      const Edge* e1 = edge(from, i);
      if (!e1) continue;
      for (const std::string& j : currencies_) {
        if (!ok(j) || j == i) continue;
        const Edge *e2 = edge(i, j), *e3 = edge(j, to);
        if (e2 && e3) return std::vector<Hop>{{from, i, *e1}, {i, j, *e2}, {j, to, *e3}};
      }
    }
    return std::nullopt;
  }

 private:
  std::set<std::string> currencies_;
  std::map<std::pair<std::string, std::string>, Edge> edges_;
};

// How one member's prices reach the asked quote.
struct Conversion {
  enum class State { native, converted, no_path, overflow } state = State::native;
  int64_t rate = 0;  // at kRateScale; converted only
  std::vector<Hop> hops;
};

Conversion conversion(const Graph& g, const std::string& base, const std::string& from, const std::string& to) {
  Conversion c;
  if (from == to) return c;
  auto hops = g.path(base, from, to);
  if (!hops) {
    c.state = Conversion::State::no_path;
    return c;
  }
  c.hops = std::move(*hops);
  Rat r;
  bool ok = true;
  for (const Hop& h : c.hops) {
    const Rat& m = h.edge.mid;
    ok = ok && (h.from == h.edge.a ? times(r, m.n, m.d) : times(r, m.d, m.n));
  }
  c.state = ok && round_half_even(r.n, r.d, kRateScale, c.rate) ? Conversion::State::converted
                                                                 : Conversion::State::overflow;
  return c;
}

// A price as shown: mantissa and scale.
struct Shown {
  int64_t m = 0;
  int scale = 0;
};

bool show(const Conversion& c, int64_t native, int native_scale, int price_scale, Shown& out) {
  if (c.state == Conversion::State::native) {
    out = {native, native_scale};
    return true;
  }
  out.scale = price_scale;
  return round_half_even(static_cast<i128>(native) * c.rate, p10(native_scale + kRateScale), price_scale, out.m);
}

std::string rate_text(const Conversion& c) {
  return c.state == Conversion::State::native ? "1" : dec(c.rate, kRateScale);
}

void write_path(JsonWriter& w, const Conversion& c) {
  w.key("path").arr();
  for (const Hop& h : c.hops) {
    w.obj().key("from").str(h.from).key("to").str(h.to).key("source").str(h.edge.source);
    w.key("symbol").str(h.edge.symbol).key("mid").str(h.edge.mid_text).key("age_ms").null().end();
  }
  w.end();
}

struct Member {
  const Source* src;
  Conversion conv;
};

struct Excluded {
  const Source* src;
  std::string reason, message;
};

struct Resolved {
  std::vector<Member> members;  // by venue, then symbol
  std::vector<Excluded> excluded;
  std::optional<Answer> error;
};

bool by_name(const Source* a, const Source* b) { return std::tie(a->venue, a->symbol) < std::tie(b->venue, b->symbol); }

// The members of BASE's view (books only for the fx book) and how each converts, or the
// view's error.
Resolved resolve(const std::vector<Source>& sources, std::string_view base_in, std::string_view quote_in,
                 const Params& p, bool books_only) {
  Resolved out;
  if (!valid_code(base_in) || !valid_code(quote_in)) {
    out.error = fail(400, "bad_param", "base and quote must be 2 to 12 characters of A-Z and 0-9");
    return out;
  }
  if (base_in == quote_in) {  // BTC in BTC is no price
    out.error = fail(400, "bad_param", "quote must differ from base");
    return out;
  }
  const std::string base(base_in), quote(quote_in);
  std::vector<const Source*> listed;
  bool known = false;
  for (const Source& s : sources) {
    if (s.base != base) continue;
    known = true;
    if (!books_only || s.has_book) listed.push_back(&s);
  }
  if (!known) {
    out.error = fail(404, "unknown_symbol", "no venue lists " + base + " in any quote currency");
    return out;
  }
  std::sort(listed.begin(), listed.end(), by_name);
  const Graph g(sources, p);
  std::string nopath;
  for (const Source* s : listed) {
    Conversion c = conversion(g, base, s->quote, quote);
    switch (c.state) {
      case Conversion::State::no_path:
        out.excluded.push_back({s, "no_fx_path", "no conversion path leads from " + s->quote + " to " + quote});
        nopath += (nopath.empty() ? "" : "; ") + s->venue + " " + s->symbol + " is quoted in " + s->quote;
        break;
      case Conversion::State::overflow:
        out.excluded.push_back({s, "overflow", "converting " + s->quote + " into " + quote + " overflows"});
        break;
      default: out.members.push_back({s, std::move(c)});
    }
  }
  if (out.members.empty()) {
    const bool all_no_path = std::all_of(out.excluded.begin(), out.excluded.end(),
                                         [](const Excluded& e) { return e.reason == "no_fx_path"; });
    if (listed.empty() || all_no_path) {
      out.error = fail(404, "no_fx_path",
                       listed.empty() ? "no venue has a " + base + " book"
                                      : "no conversion path into " + quote + ": " + nopath);
    } else {
      std::string msg = "no " + base + " book can be converted into " + quote + " now:";
      for (const Excluded& e : out.excluded) msg += " " + e.src->venue + " " + e.src->symbol + " (" + e.reason + ")";
      out.error = fail(503, "book_unavailable", msg);
    }
  }
  return out;
}

void write_excluded(JsonWriter& w, const std::vector<Excluded>& excluded) {
  w.key("excluded").arr();
  for (const Excluded& e : excluded)
    w.obj().key("venue").str(e.src->venue).key("symbol").str(e.src->symbol).key("reason").str(e.reason).key("message").str(e.message).end();
  w.end();
}

struct Entry {
  Shown price;
  int64_t qty;
  const Member* member;
  int64_t native;
};

}  // namespace

bool round_half_even(i128 n, i128 d, int scale, int64_t& out) {
  if (d == 0 || scale < 0) return false;
  if (d < 0) {
    n = -n;
    d = -d;
  }
  i128 num = 0;
  if (__builtin_mul_overflow(n, p10(scale), &num)) return false;
  const bool neg = num < 0;
  if (neg) num = -num;
  i128 q = num / d;
  const i128 r = num % d;
  if (2 * r > d || (2 * r == d && q % 2 != 0)) ++q;
  if (neg) q = -q;
  if (q > INT64_MAX || q < -INT64_MAX) return false;
  out = static_cast<int64_t>(q);
  return true;
}

Answer book(const std::vector<Source>& sources, std::string_view base, std::string_view quote, const Params& p) {
  Resolved r = resolve(sources, base, quote, p, true);
  if (r.error) return *r.error;
  // A level whose converted price overflows takes its whole venue out.
  struct Converted {
    Member m;
    std::vector<Shown> bids, asks;
  };
  std::vector<Converted> kept;
  for (Member& m : r.members) {
    Converted c{std::move(m), {}, {}};
    bool ok = true;
    for (const auto& [levels, shown] : {std::pair{&c.m.src->bids, &c.bids}, std::pair{&c.m.src->asks, &c.asks}})
      for (const Level& l : *levels) {
        Shown s;
        ok = ok && show(c.m.conv, l.price, c.m.src->price_scale, p.price_scale, s);
        shown->push_back(s);
      }
    if (ok) kept.push_back(std::move(c));
    else r.excluded.push_back({c.m.src, "overflow", "a converted price of " + c.m.src->symbol + " overflows"});
  }
  if (kept.empty()) {
    std::string msg = "no " + std::string(base) + " book can be converted into " + std::string(quote) + " now:";
    for (const Excluded& e : r.excluded) msg += " " + e.src->venue + " " + e.src->symbol + " (" + e.reason + ")";
    return fail(503, "book_unavailable", msg);
  }
  std::vector<Entry> bids, asks;
  for (const Converted& c : kept) {
    for (size_t i = 0; i < c.bids.size(); ++i) bids.push_back({c.bids[i], c.m.src->bids[i].qty, &c.m, c.m.src->bids[i].price});
    for (size_t i = 0; i < c.asks.size(); ++i) asks.push_back({c.asks[i], c.m.src->asks[i].qty, &c.m, c.m.src->asks[i].price});
  }
  std::sort(r.excluded.begin(), r.excluded.end(), [](const Excluded& a, const Excluded& b) { return by_name(a.src, b.src); });
  auto order = [](bool bid) {
    return [bid](const Entry& a, const Entry& b) {
      const int c = compare(a.price.m, a.price.scale, b.price.m, b.price.scale);
      if (c != 0) return bid ? c > 0 : c < 0;
      if (a.member->src->venue != b.member->src->venue) return a.member->src->venue < b.member->src->venue;
      const int n = compare(a.native, a.member->src->price_scale, b.native, b.member->src->price_scale);
      if (n != 0) return bid ? n > 0 : n < 0;
      return a.member->src->symbol < b.member->src->symbol;
    };
  };
  std::stable_sort(bids.begin(), bids.end(), order(true));
  std::stable_sort(asks.begin(), asks.end(), order(false));

  JsonWriter w;
  w.obj().key("venue").str("fx").key("symbol").str(std::string(base) + "-" + std::string(quote));
  w.key("price_scale").num(p.price_scale).key("rate_scale").num(kRateScale);
  for (const auto* side : {&bids, &asks}) {
    w.key(side == &bids ? "bids" : "asks").arr();
    for (size_t i = 0; i < side->size() && i < p.depth; ++i) {
      const Entry& e = (*side)[i];
      const Source& s = *e.member->src;
      const bool native = e.member->conv.state == Conversion::State::native;
      w.arr().str(dec(e.price.m, e.price.scale, native ? -1 : p.price_scale)).str(dec(e.qty, s.qty_scale));
      w.obj().key("venue").str(s.venue).key("symbol").str(s.symbol).key("price").str(dec(e.native, s.price_scale));
      w.key("rate").str(rate_text(e.member->conv)).end().end();
    }
    w.end();
  }
  w.key("venues").arr();
  for (const Converted& c : kept) {
    const Member& m = c.m;
    w.obj().key("venue").str(m.src->venue).key("symbol").str(m.src->symbol);
    w.key("converted").boolean(m.conv.state != Conversion::State::native).key("rate").str(rate_text(m.conv));
    write_path(w, m.conv);
    w.end();
  }
  w.end();
  write_excluded(w, r.excluded);
  return {200, w.end().take()};
}

Answer premium(const std::vector<Source>& sources, std::string_view base, std::string_view quote, const Params& p) {
  Resolved r = resolve(sources, base, quote, p, false);
  if (r.error) return *r.error;
  struct Row {
    const Member* m;
    std::optional<Shown> bid, ask;
    std::optional<int64_t> bid_bp, ask_bp;  // at scale 2
  };
  std::vector<Row> rows;
  for (const Member& m : r.members) {
    Row row{&m, {}, {}, {}, {}};
    Shown s;
    bool ok = true;
    if (!m.src->bids.empty()) {
      ok = show(m.conv, m.src->bids.front().price, m.src->price_scale, p.price_scale, s);
      row.bid = s;
    }
    if (ok && !m.src->asks.empty()) {
      ok = show(m.conv, m.src->asks.front().price, m.src->price_scale, p.price_scale, s);
      row.ask = s;
    }
    if (!ok) r.excluded.push_back({m.src, "overflow", "a converted price of " + m.src->symbol + " overflows"});
    else rows.push_back(row);
  }
  std::sort(r.excluded.begin(), r.excluded.end(), [](const Excluded& a, const Excluded& b) { return by_name(a.src, b.src); });
  // Rows are by venue then symbol: the first of equal prices is the best.
  const Row *best_bid = nullptr, *best_ask = nullptr;
  for (const Row& row : rows) {
    if (row.bid && (!best_bid || compare(row.bid->m, row.bid->scale, best_bid->bid->m, best_bid->bid->scale) > 0))
      best_bid = &row;
    if (row.ask && (!best_ask || compare(row.ask->m, row.ask->scale, best_ask->ask->m, best_ask->ask->scale) < 0))
      best_ask = &row;
  }
  // (x - y) / ref x 10000, from the shown prices, rounded half even to 2 decimals.
  auto bp = [](const Shown& x, const Shown& y, const Shown& ref) -> std::optional<int64_t> {
    const int s = std::max({x.scale, y.scale, ref.scale});
    const i128 diff = at_scale(x.m, x.scale, s) - at_scale(y.m, y.scale, s);
    int64_t out = 0;
    if (!round_half_even(diff * 10000, at_scale(ref.m, ref.scale, s), 2, out)) return std::nullopt;
    return out;
  };
  for (Row& row : rows) {
    if (row.bid) row.bid_bp = bp(*best_bid->bid, *row.bid, *best_bid->bid);
    if (row.ask) row.ask_bp = bp(*row.ask, *best_ask->ask, *best_ask->ask);
  }
  auto price = [&](const Row& row, const Shown& s) {
    return dec(s.m, s.scale, row.m->conv.state == Conversion::State::native ? -1 : p.price_scale);
  };
  // Rendered now: the sort below moves the rows the pointers name.
  struct Best {
    bool set = false;
    std::string venue, symbol, price;
  } bb, ba;
  if (best_bid) bb = {true, best_bid->m->src->venue, best_bid->m->src->symbol, price(*best_bid, *best_bid->bid)};
  if (best_ask) ba = {true, best_ask->m->src->venue, best_ask->m->src->symbol, price(*best_ask, *best_ask->ask)};
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    if (a.ask_bp.has_value() != b.ask_bp.has_value()) return a.ask_bp.has_value();
    if (a.ask_bp && *a.ask_bp != *b.ask_bp) return *a.ask_bp < *b.ask_bp;
    return std::tie(a.m->src->venue, a.m->src->symbol) < std::tie(b.m->src->venue, b.m->src->symbol);
  });

  JsonWriter w;
  w.obj().key("base").str(base).key("quote").str(quote);
  w.key("price_scale").num(p.price_scale).key("rate_scale").num(kRateScale);
  w.key("best_bid");
  for (const Best* b : {&bb, &ba}) {
    if (b == &ba) w.key("best_ask");
    if (b->set) w.obj().key("venue").str(b->venue).key("symbol").str(b->symbol).key("price").str(b->price).end();
    else w.null();
  }
  w.key("venues").arr();
  for (const Row& row : rows) {
    w.obj().key("venue").str(row.m->src->venue).key("symbol").str(row.m->src->symbol);
    for (const auto& [k, s] : {std::pair{"bid", &row.bid}, std::pair{"ask", &row.ask}}) {
      w.key(k);
      if (*s) w.str(price(row, **s));
      else w.null();
    }
    for (const auto& [k, v] : {std::pair{"bid_bp", &row.bid_bp}, std::pair{"ask_bp", &row.ask_bp}}) {
      w.key(k);
      if (*v) w.str(dec(**v, 2, 2));
      else w.null();
    }
    w.key("converted").boolean(row.m->conv.state != Conversion::State::native).key("rate").str(rate_text(row.m->conv));
    w.key("rate_age_ms").null();
    write_path(w, row.m->conv);
    w.end();
  }
  w.end();
  write_excluded(w, r.excluded);
  return {200, w.end().take()};
}

namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  if (s.empty()) return out;
  for (size_t at = 0;;) {
    const size_t next = s.find(sep, at);
    out.push_back(s.substr(at, next == std::string_view::npos ? std::string_view::npos : next - at));
    if (next == std::string_view::npos) break;
    at = next + 1;
  }
  return out;
}

bool int_in(const std::string* text, int64_t lo, int64_t hi, int64_t& out) {
  if (!text) return true;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc{} || ptr != text->data() + text->size() || v < lo || v > hi) return false;
  out = v;
  return true;
}

}  // namespace

bool parse_params(const std::string* price_scale, const std::string* depth, const std::string* pegs,
                  const std::string* rates, const std::string* prefer, Params& out, std::string& error) {
  Params p;
  int64_t ps = p.price_scale, d = static_cast<int64_t>(p.depth);
  if (!int_in(price_scale, 0, 12, ps)) {
    error = "price_scale must be an integer from 0 to 12";
    return false;
  }
  if (!int_in(depth, 1, 5000, d)) {
    error = "depth must be an integer from 1 to 5000";
    return false;
  }
  p.price_scale = static_cast<int>(ps);
  p.depth = static_cast<size_t>(d);
  static const std::string kNoText, kPrintedPegs = "USDC=USD";  // what --print-config writes
  for (std::string_view item : split(rates ? *rates : kNoText, ',')) {
    const size_t dash = item.find('-'), colon = item.find(':');
    StaticRate r;
    bool ok = dash != std::string_view::npos && colon != std::string_view::npos && dash < colon;
    if (ok) {
      r.a = item.substr(0, dash);
      r.b = item.substr(dash + 1, colon - dash - 1);
      const std::string_view num = item.substr(colon + 1);
      const size_t dot = num.find('.');
      r.scale = dot == std::string_view::npos ? 0 : static_cast<int>(num.size() - dot - 1);
      auto m = r.scale <= 18 ? parse_decimal(num, r.scale) : parse_decimal("x", 0);
      ok = valid_code(r.a) && valid_code(r.b) && r.a != r.b && m.has_value() && m.value() > 0;
      if (ok) r.mantissa = m.value();
    }
    if (!ok) {
      error = "rates: '" + std::string(item) + "' is not A-B:rate (a positive decimal)";
      return false;
    }
    p.rates.push_back(std::move(r));
  }
  for (std::string_view item : split(pegs ? *pegs : kPrintedPegs, ',')) {
    const size_t eq = item.find('=');
    StaticRate r{std::string(item.substr(0, eq)), eq == std::string_view::npos ? "" : std::string(item.substr(eq + 1)),
                 1, 0, true};
    if (eq == std::string_view::npos || !valid_code(r.a) || !valid_code(r.b) || r.a == r.b) {
      error = "pegs: '" + std::string(item) + "' is not A=B";
      return false;
    }
    p.rates.push_back(std::move(r));
  }
  for (std::string_view v : split(prefer ? *prefer : kNoText, ',')) p.prefer.emplace_back(v);
  out = std::move(p);
  return true;
}

}  // namespace mdhub::sim::fx
