#include "src/fx/rates.hpp"

#include <algorithm>
#include <set>

#include "book/decimal.hpp"

namespace mdhub::fx {
namespace {

/// "A-B" (or "A=B" with sep '=') into two valid, different currencies.
bool split_pair(std::string_view s, char sep, std::string& a, std::string& b) {
  const auto at = s.find(sep);
  if (at == std::string_view::npos) return false;
  a = s.substr(0, at);
  b = s.substr(at + 1);
  return valid_currency(a) && valid_currency(b) && a != b;
}

/// A positive decimal text into an exact rational (at the finest scale that holds it).
std::optional<Rational> parse_rate(std::string_view text) {
  for (int scale = kMaxScale; scale >= 0; --scale) {
    auto r = parse_decimal(text, scale);
    if (r) {
      if (*r <= 0) return std::nullopt;
      return from_decimal(*r, scale);
    }
    if (r.error() != DecimalError::overflow) return std::nullopt;
  }
  return std::nullopt;
}

std::string pair_text(const std::string& a, const std::string& b) { return a + "->" + b; }

}  // namespace

bool valid_currency(std::string_view c) {
  return c.size() >= 2 && c.size() <= 12 &&
         std::all_of(c.begin(), c.end(), [](char ch) { return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'); });
}

std::vector<StaticRate> static_rates(const FxConfig& cfg, std::string* error) {
  std::vector<StaticRate> out;
  auto fail = [&](std::string msg) {
    if (error && error->empty()) *error = std::move(msg);
  };
  for (const auto& [pair, text] : cfg.rates) {
    StaticRate s;
    if (!split_pair(pair, '-', s.from, s.to)) {
      fail("[fx.rates] key '" + pair + "' must be two different currencies as BASE-QUOTE (2-12 of A-Z, 0-9)");
      continue;
    }
    const auto r = parse_rate(text);
    if (!r) {
      fail("[fx.rates] '" + pair + "' = '" + text + "' must be a positive decimal string");
      continue;
    }
    s.symbol = pair;
    s.rate = *r;
    out.push_back(std::move(s));
  }
  for (const auto& peg : cfg.pegs) {
    StaticRate s;
    if (!split_pair(peg, '=', s.from, s.to)) {
      fail("[fx] pegs entry '" + peg + "' must be two different currencies as A=B (2-12 of A-Z, 0-9)");
      continue;
    }
    s.symbol = s.from + "-" + s.to;
    s.rate = Rational{1, 1};
    s.peg = true;
    out.push_back(std::move(s));
  }
  return out;
}

std::string validate(const FxConfig& cfg) {
  if (cfg.price_scale < 0 || cfg.price_scale > 12) return "[fx] price_scale must be from 0 to 12";
  if (cfg.max_age_ms < 0 || cfg.max_age_ms > 86'400'000)
    return "[fx] max_age_ms must be from 0 (no limit) to 86400000";
  if (cfg.publish_interval_ms < 10 || cfg.publish_interval_ms > 10000)
    return "[fx] publish_interval_ms must be from 10 to 10000";
  if (cfg.channel_depth < 1 || cfg.channel_depth > 5000) return "[fx] channel_depth must be from 1 to 5000";
  std::set<std::string> seen;
  for (const auto& v : cfg.prefer) {
    if (v.empty()) return "[fx] prefer must list venue names, not empty strings";
    if (!seen.insert(v).second) return "[fx] prefer lists '" + v + "' twice";
  }
  seen.clear();
  for (const auto& c : cfg.via) {
    if (c != "*" && !valid_currency(c)) return "[fx] via: '" + c + "' is not a currency (2-12 of A-Z, 0-9) nor \"*\"";
    if (!seen.insert(c).second) return "[fx] via lists '" + c + "' twice";
  }
  std::string error;
  static_rates(cfg, &error);
  if (!error.empty()) return error;
  for (const auto& [pair, via] : cfg.paths) {
    std::string a, b;
    if (!split_pair(pair, '-', a, b))
      return "[fx.paths] key '" + pair + "' must be two different currencies as FROM-TO (2-12 of A-Z, 0-9)";
    if (via.empty() || via.size() > kMaxHops - 1)
      return "[fx.paths] '" + pair + "' must list 1 or 2 intermediate currencies";
    std::set<std::string> nodes{a, b};
    for (const auto& c : via) {
      if (!valid_currency(c)) return "[fx.paths] '" + pair + "': '" + c + "' is not a currency (2-12 of A-Z, 0-9)";
      if (!nodes.insert(c).second) return "[fx.paths] '" + pair + "' passes through '" + c + "' twice";
    }
  }
  return "";
}

RateGraph::RateGraph(const FxMarket& m, const FxConfig& cfg, const std::vector<StaticRate>& statics) : cfg_(cfg) {
  std::set<std::string> currencies;
  auto add = [&](Source s) {
    currencies.insert(s.a);
    currencies.insert(s.b);
    auto key = std::minmax(s.a, s.b);
    edges_[{key.first, key.second}].push_back(std::move(s));
  };
  for (const FxInstrument& i : m.instruments) {
    if (i.base == i.quote || i.base.empty() || i.quote.empty()) continue;
    Source s;
    s.venue = &i;
    s.a = i.base;
    s.b = i.quote;
    const bool two_sided = i.bid != kNone && i.ask != kNone;
    if (two_sided && (i.bid < 0 || i.ask < 0)) continue;  // no price of a currency is negative
    if (!i.served || !two_sided) {
      s.usable = Usable::stale;
    } else {
      const auto mid = make_rational(static_cast<u128>(i.bid) + static_cast<u128>(i.ask),
                                     2 * pow10_128(std::clamp(i.price_scale, 0, kMaxScale)));
      if (!mid || mid->num == 0) continue;
      s.mid = *mid;
      s.age_us = std::max<int64_t>(0, m.now_us - i.ts_received_us);
      if (cfg.max_age_ms > 0 && s.age_us > cfg.max_age_ms * 1000) s.usable = Usable::too_old;
    }
    add(std::move(s));
  }
  for (const StaticRate& r : statics) {
    Source s;
    s.fixed = &r;
    s.a = r.from;
    s.b = r.to;
    s.mid = r.rate;
    add(std::move(s));
  }
  // The edge choice: venues before static rates; venues in [fx] prefer order, then by name;
  // one venue's two instruments: the one whose base sorts first; static rates before pegs.
  auto prefer_rank = [&](const std::string& v) {
    return static_cast<size_t>(std::find(cfg.prefer.begin(), cfg.prefer.end(), v) - cfg.prefer.begin());
  };
  for (auto& [key, sources] : edges_) {
    std::stable_sort(sources.begin(), sources.end(), [&](const Source& x, const Source& y) {
      if ((x.venue != nullptr) != (y.venue != nullptr)) return x.venue != nullptr;
      if (!x.venue) return !x.fixed->peg && y.fixed->peg;
      const size_t px = prefer_rank(x.venue->venue), py = prefer_rank(y.venue->venue);
      if (px != py) return px < py;
      if (x.venue->venue != y.venue->venue) return x.venue->venue < y.venue->venue;
      return (x.a < x.b) && !(y.a < y.b);
    });
  }
  currencies_.assign(currencies.begin(), currencies.end());
}

bool RateGraph::knows(const std::string& c) const {
  return std::binary_search(currencies_.begin(), currencies_.end(), c);
}

const RateGraph::Source* RateGraph::edge(const std::string& x, const std::string& y, bool any) const {
  const auto key = std::minmax(x, y);
  const auto it = edges_.find({key.first, key.second});
  if (it == edges_.end()) return nullptr;
  for (const Source& s : it->second)
    if (s.usable == Usable::yes) return &s;
  return any && !it->second.empty() ? &it->second.front() : nullptr;
}

std::optional<std::vector<std::string>> RateGraph::find_path(const std::string& from, const std::string& to,
                                                             const std::string& base, bool any) const {
  auto walkable = [&](const std::vector<std::string>& nodes) {
    for (size_t i = 0; i + 1 < nodes.size(); ++i)
      if (!edge(nodes[i], nodes[i + 1], any)) return false;
    return true;
  };
  // A configured path, named either way round (a reversed key is walked backwards).
  for (const auto& [pair, via] : cfg_.paths) {
    const bool forward = pair == from + "-" + to, backward = pair == to + "-" + from;
    if (!forward && !backward) continue;
    std::vector<std::string> nodes{from};
    if (forward) nodes.insert(nodes.end(), via.begin(), via.end());
    else nodes.insert(nodes.end(), via.rbegin(), via.rend());
    nodes.push_back(to);
    if (walkable(nodes)) return nodes;
  }
  // Shortest, then the smallest list of intermediates; never through BASE, only through the
  // [fx] via currencies. currencies_ is sorted, so the first found at each length is the smallest.
  if (edge(from, to, any)) return std::vector<std::string>{from, to};
  const bool any_via = std::find(cfg_.via.begin(), cfg_.via.end(), "*") != cfg_.via.end();
  auto allowed = [&](const std::string& c) {
    return c != from && c != to && c != base &&
           (any_via || std::find(cfg_.via.begin(), cfg_.via.end(), c) != cfg_.via.end());
  };
  for (const std::string& c : currencies_)
    if (allowed(c) && walkable({from, c, to})) return std::vector<std::string>{from, c, to};
  for (const std::string& c1 : currencies_) {
    if (!allowed(c1) || !edge(from, c1, any)) continue;
    for (const std::string& c2 : currencies_)
      if (allowed(c2) && c2 != c1 && walkable({c1, c2, to})) return std::vector<std::string>{from, c1, c2, to};
  }
  return std::nullopt;
}

std::string RateGraph::describe(const Source& s, const std::string& from, const std::string& to) const {
  const FxInstrument& i = *s.venue;
  std::string m = "the rate " + pair_text(from, to) + " comes from " + i.venue + " " + i.symbol + ", whose ";
  if (s.usable == Usable::too_old)
    return m + "last message is " + std::to_string(s.age_us / 1000) + " ms old (max_age_ms " +
           std::to_string(cfg_.max_age_ms) + ")";
  return m + (i.book ? "book " : "quotes ") + (i.why_not_served.empty() ? "are one-sided" : i.why_not_served);
}

Conversion RateGraph::convert(const std::string& from, const std::string& to, const std::string& base) const {
  Conversion c;
  if (from == to) {
    c.rate = pow10_128(kRateScale);
    return c;
  }
  const auto nodes = find_path(from, to, base, false);
  if (!nodes) {
    if (const auto would = find_path(from, to, base, true)) {
      for (size_t i = 0; i + 1 < would->size(); ++i) {
        if (edge((*would)[i], (*would)[i + 1], false)) continue;
        const Source& s = *edge((*would)[i], (*would)[i + 1], true);
        c.reason = s.usable == Usable::too_old ? "rate_too_old" : "rate_stale";
        c.message = describe(s, (*would)[i], (*would)[i + 1]);
        return c;
      }
    }
    c.reason = "no_fx_path";
    c.message = "no rate leads from " + from + " to " + to;
    return c;
  }
  Rational product{1, 1};
  for (size_t i = 0; i + 1 < nodes->size(); ++i) {
    const std::string &x = (*nodes)[i], &y = (*nodes)[i + 1];
    const Source& s = *edge(x, y, false);
    // 1 a = mid b: a -> b multiplies by the mid, b -> a divides by it.
    const auto next = x == s.a ? mul(product, s.mid) : div(product, s.mid);
    if (!next) {
      c.reason = "overflow";
      c.message = "converting " + from + " into " + to + " overflows exact arithmetic";
      return c;
    }
    product = *next;
    Hop h;
    h.from = x;
    h.to = y;
    h.mid = exact_text(s.mid).value_or("?");
    if (s.venue) {
      h.source = s.venue->venue;
      h.symbol = s.venue->symbol;
      h.age_ms = s.age_us / 1000;
      h.ts_received_us = s.venue->ts_received_us;
      h.seq = s.venue->seq;
    } else {
      h.source = "static";
      h.symbol = s.fixed->symbol;
    }
    c.path.push_back(std::move(h));
  }
  const auto r = round_half_even(product, kRateScale);
  if (!r) {
    c.reason = "overflow";
    c.message = "the rate " + pair_text(from, to) + " overflows exact arithmetic";
    c.path.clear();
    return c;
  }
  c.rate = *r;
  return c;
}

}  // namespace mdhub::fx
