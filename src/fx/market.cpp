#include "src/fx/market.hpp"

namespace mdhub::fx {

FxMarket market_of(const Engine& e, const std::string& base, size_t depth, int64_t now_us) {
  FxMarket m;
  m.now_us = now_us;
  m.instruments.reserve(e.instruments().size());
  for (const auto& p : e.instruments()) {
    const InstrumentState& s = *p;
    FxInstrument i;
    i.venue = s.info.venue;
    i.symbol = s.info.symbol;
    i.base = s.info.base;
    i.quote = s.info.quote;
    i.price_scale = s.info.price_scale;
    i.qty_scale = s.info.qty_scale;
    i.book = e.feed_capabilities(s.feed).book;
    const bool stale = e.feed_stale(s.feed);
    if (i.book) {
      i.served = e.book_served(s);
      i.why_not_served = stale ? "is stale" : !s.has_book ? "has not arrived yet" : "is resynchronising";
      i.ts_received_us = s.book_ts_received_us;
      i.seq = s.book_seq;
      if (i.served) {
        if (auto b = s.book.best(Side::bid)) i.bid = b->price, i.bid_qty = b->qty;
        if (auto a = s.book.best(Side::ask)) i.ask = a->price, i.ask_qty = a->qty;
        if (i.base == base) {
          s.book.top(Side::bid, depth, i.bids);
          s.book.top(Side::ask, depth, i.asks);
        }
      }
    } else {
      i.served = s.has_venue_bbo && !stale;
      i.why_not_served = stale ? "are stale" : "have not arrived yet";
      i.ts_received_us = s.bbo_ts_received_us;
      i.seq = s.bbo_seq;
      if (i.served) {
        i.bid = s.venue_bbo.bid;
        i.bid_qty = s.venue_bbo.bid_qty;
        i.ask = s.venue_bbo.ask;
        i.ask_qty = s.venue_bbo.ask_qty;
      }
    }
    m.instruments.push_back(std::move(i));
  }
  return m;
}

}  // namespace mdhub::fx
