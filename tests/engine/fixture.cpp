#include "tests/engine/fixture.hpp"

namespace mdhub::test {

std::string key_of(const InstrumentState& s) { return s.info.venue + "/" + s.info.symbol; }

std::vector<std::string> render_changes(std::span<const LevelUpdate> changes, int price_scale,
                                        int qty_scale) {
  std::vector<std::string> out;
  for (const LevelUpdate& u : changes) {
    out.push_back(std::string(u.side == Side::bid ? "bid " : "ask ") +
                  format_decimal(u.price, price_scale) + " " + format_decimal(u.qty, qty_scale));
  }
  return out;
}

std::vector<std::string> side_of(const InstrumentState& s, Side side) {
  std::vector<std::string> out;
  s.book.for_each(side, SIZE_MAX, [&](const Level& l) {
    out.push_back(format_decimal(l.price, s.info.price_scale) + " " +
                  format_decimal(l.qty, s.info.qty_scale));
  });
  return out;
}

std::vector<std::string> side_of(const Engine& e, const ConsolidatedState& c, Side side) {
  std::vector<std::string> out;
  c.book.for_each(side, SIZE_MAX, [&](int64_t price, int64_t total, std::span<const VenueQty> parts) {
    std::string row = format_decimal(price, c.price_scale) + " " + format_decimal(total, c.qty_scale);
    for (const VenueQty& v : parts) {
      row += " " + e.instruments()[c.members.at(v.venue)]->info.venue + "=" +
             format_decimal(v.qty, c.qty_scale);
    }
    out.push_back(row);
  });
  return out;
}

void Recorder::on_book(const InstrumentState& s, bool snapshot, std::span<const LevelUpdate> changes) {
  books.push_back({key_of(s), snapshot, render_changes(changes, s.info.price_scale, s.info.qty_scale),
                   s.book_seq});
}

void Recorder::on_consolidated(const ConsolidatedState& c, std::span<const LevelUpdate> changes) {
  consolidated.push_back(
      {c.symbol, render_changes(changes, c.price_scale, c.qty_scale), c.seq});
}

void Recorder::clear() {
  begins.clear();
  ends.clear();
  added.clear();
  lost.clear();
  tickers.clear();
  bbos.clear();
  raws.clear();
  books.clear();
  consolidated.clear();
  trades.clear();
  candles.clear();
  states.clear();
  stales.clear();
}

std::vector<CandleRecord> Recorder::candles_of(CandleInterval i) const {
  std::vector<CandleRecord> out;
  for (const auto& [k, c] : candles) {
    if (c.candle.interval == i) out.push_back(c);
  }
  return out;
}

Instrument make_instrument(std::string symbol, std::string native, int price_scale, int qty_scale) {
  Instrument i;
  const auto dash = symbol.find('-');
  i.base = symbol.substr(0, dash);
  i.quote = symbol.substr(dash + 1);
  i.symbol = std::move(symbol);
  i.native = std::move(native);
  i.price_scale = price_scale;
  i.qty_scale = qty_scale;
  return i;
}

EngineTest::EngineTest() : tables_(3) {
  tables_[kBtse].add(make_instrument("BTC-USDT", "BTC-USDT", 1, 6));
  tables_[kBtse].add(make_instrument("ETH-USDT", "ETH-USDT", 2, 4));
  tables_[kNarkasa].add(make_instrument("BTC-USDT", "BTCUSDT", 2, 8));
  tables_[kNarkasa].add(make_instrument("BTC-TRY", "BTCTRY", 0, 8));
  tables_[kCoinmotion].add(make_instrument("BTC-EUR", "btcEur", 2, 8));
  engine_.add_observer(&rec_);
  engine_.add_feed("btse", [this](size_t stream) {
    return stream >= btse_stream_books_.size() || btse_stream_books_[stream];
  });
  engine_.add_feed("narkasa");
  engine_.add_feed("coinmotion");
  for (size_t f = 0; f < tables_.size(); ++f) engine_.on_instruments(f, tables_[f]);
  watch_new_consolidated();
}

void EngineTest::watch_new_consolidated() {
  for (; watched_ < engine_.consolidated().size(); ++watched_) engine_.watch_consolidated(watched_);
}

size_t EngineTest::add_feed(std::string venue, std::vector<Instrument> instruments) {
  const size_t feed = tables_.size();
  InstrumentTable& t = tables_.emplace_back();
  for (auto& i : instruments) t.add(std::move(i));
  engine_.add_feed(std::move(venue));
  engine_.on_instruments(feed, t);
  watch_new_consolidated();
  return feed;
}

const InstrumentState& EngineTest::st(std::string_view venue, std::string_view symbol) const {
  const InstrumentState* s = engine_.find(venue, symbol);
  EXPECT_NE(s, nullptr) << venue << "/" << symbol;
  return *s;
}

const ConsolidatedState& EngineTest::cons(std::string_view symbol) const {
  const ConsolidatedState* c = engine_.find_consolidated(symbol);
  EXPECT_NE(c, nullptr) << symbol;
  return *c;
}

}  // namespace mdhub::test
