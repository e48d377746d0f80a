#pragma once
// FxMarkets written by hand: instruments with a best bid and ask (and book levels) as
// decimal text at their scales, served and fresh unless a test says otherwise.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "book/decimal.hpp"
#include "src/fx/views.hpp"

namespace mdhub::fx::test {

inline constexpr int64_t kNow = 1'764'900'000'000'000;

inline int64_t dec(std::string_view text, int scale) {
  auto r = parse_decimal(text, scale);
  EXPECT_TRUE(r.has_value()) << text;
  return r.value_or(0);
}

/// An instrument quoted bid/ask (one level each side, qty 1) at price scale `ps`.
inline FxInstrument quote(std::string venue, std::string symbol, std::string_view bid, std::string_view ask,
                          int ps, int64_t age_ms = 10) {
  FxInstrument i;
  i.venue = std::move(venue);
  i.base = symbol.substr(0, symbol.find('-'));
  i.quote = symbol.substr(symbol.find('-') + 1);
  i.symbol = std::move(symbol);
  i.price_scale = ps;
  i.qty_scale = 4;
  i.served = true;
  i.bid = dec(bid, ps);
  i.ask = dec(ask, ps);
  i.bid_qty = i.ask_qty = 10000;
  i.bids = {{i.bid, 10000}};
  i.asks = {{i.ask, 10000}};
  i.ts_received_us = kNow - age_ms * 1000;
  i.seq = 1;
  return i;
}

/// Replaces the instrument's book sides: "price qty" levels, best first.
inline void levels(FxInstrument& i, std::vector<std::pair<std::string_view, std::string_view>> bids,
                   std::vector<std::pair<std::string_view, std::string_view>> asks) {
  i.bids.clear();
  i.asks.clear();
  for (auto [p, q] : bids) i.bids.push_back({dec(p, i.price_scale), dec(q, i.qty_scale)});
  for (auto [p, q] : asks) i.asks.push_back({dec(p, i.price_scale), dec(q, i.qty_scale)});
  i.bid = i.bids.empty() ? kNone : i.bids.front().price;
  i.ask = i.asks.empty() ? kNone : i.asks.front().price;
}

inline FxMarket market(std::vector<FxInstrument> v) {
  FxMarket m;
  m.instruments = std::move(v);
  m.now_us = kNow;
  return m;
}

/// The path of a conversion as "FROM>TO@source/symbol" hops joined by spaces.
inline std::string hops(const Conversion& c) {
  std::string s;
  for (const Hop& h : c.path) s += (s.empty() ? "" : " ") + h.from + ">" + h.to + "@" + h.source + "/" + h.symbol;
  return s;
}

inline std::string rate_text(const Conversion& c) { return format(c.rate, kRateScale, false); }

}  // namespace mdhub::fx::test
