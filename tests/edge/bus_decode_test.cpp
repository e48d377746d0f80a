// The bus decoder: websocket API payloads back into normalized events, exactly, and the
// per-book seq follower that starts books from snapshots and finds gaps.
#include <gtest/gtest.h>

#include <string>

#include "src/edge/bus_decode.hpp"
#include "src/engine/engine.hpp"
#include "src/publish/render.hpp"

namespace mdhub::edge {
namespace {

Instrument btc_usd(int ps = 8, int qs = 8) {
  Instrument i = listed("btse", "BTC-USD", "BTC", "USD");
  i.price_scale = ps;
  i.qty_scale = qs;
  return i;
}

constexpr RecvTime kT{1'700'000'000'000'000'000, 5'000};

int64_t m(std::string_view text, int scale = 8) { return parse_decimal(text, scale).value(); }

TEST(BusSubject, ParsesEveryKind) {
  BusSubject s;
  ASSERT_TRUE(parse_subject("md.book.btse.BTC-USD", "md", s));
  EXPECT_EQ(s.kind, BusKind::book);
  EXPECT_EQ(s.venue, "btse");
  EXPECT_EQ(s.symbol, "BTC-USD");
  ASSERT_TRUE(parse_subject("md.snapshot.narkasa.BTC-TRY", "md", s));
  EXPECT_EQ(s.kind, BusKind::snapshot);
  EXPECT_EQ(s.venue, "narkasa");
  ASSERT_TRUE(parse_subject("x.y.candles.5m.btse.ETH-USDT", "x.y", s));
  EXPECT_EQ(s.kind, BusKind::candles);
  EXPECT_EQ(s.interval, CandleInterval::m5);
  EXPECT_EQ(s.symbol, "ETH-USDT");
  ASSERT_TRUE(parse_subject("md.trades.btse.BTC-USD", "md", s));
  EXPECT_EQ(s.kind, BusKind::trades);
}

TEST(BusSubject, RefusesOtherShapes) {
  BusSubject s;
  EXPECT_FALSE(parse_subject("mdx.book.btse.BTC-USD", "md", s));
  EXPECT_FALSE(parse_subject("md.book.btse", "md", s));
  EXPECT_FALSE(parse_subject("md.book.btse.BTC-USD.x", "md", s));
  EXPECT_FALSE(parse_subject("md.book..BTC-USD", "md", s));
  EXPECT_FALSE(parse_subject("md.orders.btse.BTC-USD", "md", s));
  EXPECT_FALSE(parse_subject("md.candles.7m.btse.BTC-USD", "md", s));
  EXPECT_FALSE(parse_subject("md.candles.btse.BTC-USD", "md", s));
  EXPECT_EQ(snapshot_subject("md", "btse", "BTC-USD"), "md.snapshot.btse.BTC-USD");
}

TEST(BusSubject, NamesAnEdgeMakesInstrumentsOf) {
  EXPECT_TRUE(valid_venue("btse"));
  EXPECT_TRUE(valid_venue("venue_2"));
  EXPECT_FALSE(valid_venue(""));
  EXPECT_FALSE(valid_venue("BTSE"));
  EXPECT_FALSE(valid_venue("bt-se"));
  EXPECT_FALSE(valid_venue(std::string(33, 'a')));
  EXPECT_TRUE(valid_symbol("BTC-USDT"));
  EXPECT_TRUE(valid_symbol("1INCH-USD_T"));
  EXPECT_FALSE(valid_symbol("BTCUSDT"));
  EXPECT_FALSE(valid_symbol("btc-usdt"));
  EXPECT_FALSE(valid_symbol("-USDT"));
  EXPECT_FALSE(valid_symbol("BTC-"));
  EXPECT_FALSE(valid_symbol(""));
}

TEST(BusDecode, BookSnapshotExact) {
  Decoder d;
  ParseOut out;
  const std::string p =
      R"({"type":"book_snapshot","channel":"book:btse:BTC-USD","venue":"btse","symbol":"BTC-USD","seq":41,)"
      R"("ts_exchange":1700000000123456,"ts_received":1700000000200000,"venue_seq":18023,)"
      R"("bids":[["59252.5","0.06865"],["59252","1"]],"asks":[["59253.25","0.00000001"]]})";
  ASSERT_EQ(d.decode(p, btc_usd(), 3, kT, out), ParseStatus::ok) << out.error;
  ASSERT_EQ(out.events.size(), 1u);
  const Event& e = out.events[0];
  EXPECT_EQ(e.kind, EventKind::book);
  EXPECT_EQ(e.instrument, 3u);
  EXPECT_EQ(e.ts_exchange_us, 1700000000123456);
  EXPECT_EQ(e.recv.mono_ns, kT.mono_ns);
  const auto& b = std::get<BookMsg>(e.body);
  EXPECT_EQ(b.type, BookMsg::Type::snapshot);
  EXPECT_EQ(b.seq, 41u);
  EXPECT_EQ(b.level_count, 3u);
  ASSERT_EQ(out.levels.size(), 3u);
  EXPECT_EQ(out.levels[0].side, Side::bid);
  EXPECT_EQ(out.levels[0].price, 5925250000000);
  EXPECT_EQ(out.levels[0].qty, 6865000);
  EXPECT_EQ(out.levels[1].price, 5925200000000);
  EXPECT_EQ(out.levels[1].qty, 100000000);
  EXPECT_EQ(out.levels[2].side, Side::ask);
  EXPECT_EQ(out.levels[2].price, 5925325000000);
  EXPECT_EQ(out.levels[2].qty, 1);
  EXPECT_EQ(d.ts_received_us(), 1700000000200000);
  out.clear();
  ASSERT_EQ(d.decode(R"({"type":"trade","symbol":"BTC-USD","price":"1","qty":"1"})", btc_usd(), 0, kT, out),
            ParseStatus::ok);
  EXPECT_EQ(d.ts_received_us(), kNone);
}

TEST(BusDecode, BookUpdateIsADeltaOnThePreviousSeq) {
  Decoder d;
  ParseOut out;
  // asks first: levels still come out bids then asks.
  const std::string p =
      R"({"type":"book_update","channel":"book:btse:BTC-USD","venue":"btse","symbol":"BTC-USD","seq":42,)"
      R"("ts_exchange":null,"ts_received":1,"venue_seq":null,"asks":[["59253.25","2.5"]],"bids":[["59252.5","0"]]})";
  ASSERT_EQ(d.decode(p, btc_usd(), 0, kT, out), ParseStatus::ok) << out.error;
  const auto& b = std::get<BookMsg>(out.events.at(0).body);
  EXPECT_EQ(b.type, BookMsg::Type::delta);
  EXPECT_EQ(b.seq, 42u);
  EXPECT_EQ(b.prev_seq, 41u);
  EXPECT_EQ(out.events[0].ts_exchange_us, kNone);
  ASSERT_EQ(out.levels.size(), 2u);
  EXPECT_EQ(out.levels[0].side, Side::bid);
  EXPECT_EQ(out.levels[0].qty, 0);
  EXPECT_EQ(out.levels[1].side, Side::ask);
  EXPECT_EQ(out.levels[1].qty, m("2.5"));
  uint64_t seq = 0;
  bool snap = true;
  ASSERT_TRUE(d.seq_of(p, seq, &snap));
  EXPECT_EQ(seq, 42u);
  EXPECT_FALSE(snap);
  ASSERT_TRUE(d.seq_of(R"({"type":"book_snapshot","seq":7,"bids":[],"asks":[]})", seq, &snap));
  EXPECT_EQ(seq, 7u);
  EXPECT_TRUE(snap);
  EXPECT_FALSE(d.seq_of(R"({"seq":7})", seq, &snap));  // no type
  EXPECT_FALSE(d.seq_of(R"({"type":"book_update","seq":-1})", seq, &snap));
  EXPECT_FALSE(d.seq_of("{", seq));
}

TEST(BusDecode, TradeTickerBboCandle) {
  Decoder d;
  ParseOut out;
  const Instrument i = btc_usd();
  ASSERT_EQ(d.decode(R"({"type":"trade","channel":"trades:btse:BTC-USD","venue":"btse","symbol":"BTC-USD","seq":7,)"
                     R"("ts_exchange":1700000000000001,"ts_received":2,"price":"59250.1","qty":"0.5","side":"sell","trade_id":"123456789"})",
                     i, 0, kT, out),
            ParseStatus::ok)
      << out.error;
  const auto& t = std::get<TradeMsg>(out.events.at(0).body);
  EXPECT_EQ(t.price, m("59250.1"));
  EXPECT_EQ(t.qty, m("0.5"));
  EXPECT_EQ(t.side, -1);
  EXPECT_EQ(t.trade_id, 123456789);

  out.clear();
  ASSERT_EQ(d.decode(R"({"type":"ticker","channel":"ticker:btse:BTC-USD","venue":"btse","symbol":"BTC-USD","seq":3,)"
                     R"("ts_exchange":null,"ts_received":2,"bid":"1.5","ask":"1.75","last":"1.6","open":null,"high":"2",)"
                     R"("low":"1","volume_base":"10.00000001","volume_quote":"16.5","change_pct":"-2.12345678"})",
                     i, 0, kT, out),
            ParseStatus::ok)
      << out.error;
  const auto& k = std::get<TickerMsg>(out.events.at(0).body);
  EXPECT_EQ(k.bid, m("1.5"));
  EXPECT_EQ(k.ask, m("1.75"));
  EXPECT_EQ(k.open, kNone);
  EXPECT_EQ(k.volume_base, 1000000001);
  EXPECT_EQ(k.change_pct, -212345678);

  out.clear();
  ASSERT_EQ(d.decode(R"({"type":"bbo","channel":"bbo:coinmotion:BTC-EUR","venue":"coinmotion","symbol":"BTC-USD","seq":9,)"
                     R"("ts_exchange":null,"ts_received":2,"bid":"50000","bid_qty":null,"ask":"50100.5","ask_qty":null})",
                     i, 0, kT, out),
            ParseStatus::ok)
      << out.error;
  const auto& q = std::get<BboMsg>(out.events.at(0).body);
  EXPECT_EQ(q.bid, m("50000"));
  EXPECT_EQ(q.bid_qty, kNone);
  EXPECT_EQ(q.ask, m("50100.5"));

  out.clear();
  ASSERT_EQ(d.decode(R"({"type":"candle","channel":"candles.1m:btse:BTC-USD","venue":"btse","symbol":"BTC-USD","seq":4,)"
                     R"("ts_exchange":null,"ts_received":2,"interval":"1m","open_time":1700000040000000,"close_time":1700000100000000,)"
                     R"("open":"1","high":"3","low":"0.5","close":"2","volume":"7.25","closed":true,"source":"venue"})",
                     i, 0, kT, out),
            ParseStatus::ok)
      << out.error;
  const auto& c = std::get<CandleMsg>(out.events.at(0).body);
  EXPECT_EQ(c.interval, CandleInterval::m1);
  EXPECT_EQ(c.open_time_us, 1700000040000000);
  EXPECT_EQ(c.close_time_us, 1700000100000000);
  EXPECT_EQ(c.low, m("0.5"));
  EXPECT_EQ(c.volume, m("7.25"));
  EXPECT_TRUE(c.closed);

  // The edge builds candles from trades itself.
  out.clear();
  EXPECT_EQ(d.decode(R"({"type":"candle","symbol":"BTC-USD","seq":1,"interval":"1m","open_time":1,"close_time":2,)"
                     R"("open":"1","high":"1","low":"1","close":"1","volume":"1","closed":false,"source":"trades"})",
                     i, 0, kT, out),
            ParseStatus::ignored);
  EXPECT_TRUE(out.events.empty());
}

void expect_error(std::string_view payload, std::string_view error) {
  Decoder d;
  ParseOut out;
  out.levels.push_back({Side::bid, 1, 1});  // what came before is left alone
  EXPECT_EQ(d.decode(payload, btc_usd(), 0, kT, out), ParseStatus::error) << payload;
  EXPECT_EQ(out.error, error) << payload;
  EXPECT_TRUE(out.events.empty());
  EXPECT_EQ(out.levels.size(), 1u);
}

TEST(BusDecode, MalformedPayloadsAreClearErrorsAndAppendNothing) {
  expect_error("", "body is not a JSON object");
  expect_error("[1]", "body is not a JSON object");
  expect_error(R"({"type":"book_snapshot","symbol":"BTC-USD","seq":1,"bids":[["1","1"]],"asks":[["2",)",
               "body is not a JSON object");
  expect_error(R"({"type":"book_update","symbol":"BTC-USD","bids":[],"asks":[]})", "missing seq");
  expect_error(R"({"type":"book_update","symbol":"BTC-USD","seq":2,"bids":[]})", "missing bids or asks");
  expect_error(R"({"type":"book_update","symbol":"BTC-USD","seq":2,"bids":[["1.000000001","1"]],"asks":[]})",
               "bad bids price (more fraction digits than the instrument scale)");
  expect_error(R"({"type":"book_update","symbol":"BTC-USD","seq":2,"bids":[["1","-1"]],"asks":[]})",
               "bad bids (negative qty)");
  expect_error(R"({"type":"book_update","symbol":"BTC-USD","seq":2,"bids":[["1","1",{"btse":"1"}]],"asks":[]})",
               "bad bids (a level is not [price, qty])");
  expect_error(R"({"type":"book_snapshot","symbol":"BTC-USD","seq":2,"bids":[["1","0"]],"asks":[]})",
               "zero qty in a book snapshot");
  expect_error(R"({"type":"book_update","symbol":"ETH-USD","seq":2,"bids":[],"asks":[]})",
               "message of ETH-USD on the subject of BTC-USD");
  expect_error(R"({"type":"orders","symbol":"BTC-USD"})", "unknown type 'orders'");
  expect_error(R"({"symbol":"BTC-USD","seq":1})", "missing type");
  expect_error(R"({"type":"trade","symbol":"BTC-USD","price":"1"})", "missing price or qty");
  expect_error(R"({"type":"trade","symbol":"BTC-USD","price":"1","qty":"1","side":"up"})", "bad side 'up'");
  expect_error(R"({"type":"trade","symbol":"BTC-USD","price":"1","qty":"1","trade_id":"12x"})",
               "bad trade_id (not a string of digits)");
  expect_error(R"({"type":"ticker","symbol":"BTC-USD","seq":"x"})", "bad seq (not an unsigned integer)");
  expect_error(R"({"type":"candle","symbol":"BTC-USD","interval":"7m","open_time":1,"source":"venue"})",
               "bad interval '7m'");
  expect_error(R"({"type":"trade","symbol":"BTC-USD","price":"1","qty":"1"} x)", "body is not a JSON object");
}

TEST(BusDecode, BookScalesFollowTheFinestDecimal) {
  int ps = 0, qs = 0;
  std::string err;
  ASSERT_TRUE(book_scales(R"({"type":"book_snapshot","bids":[["1.5","0.0000000001"]],"asks":[["1.123456789012","3"]]})",
                          ps, qs, err))
      << err;
  EXPECT_EQ(ps, 12);
  EXPECT_EQ(qs, 10);
  ASSERT_TRUE(book_scales(R"({"bids":[],"asks":[["2","3"]]})", ps, qs, err));
  EXPECT_EQ(ps, kDefaultPriceScale);
  EXPECT_EQ(qs, kDefaultQtyScale);
  EXPECT_FALSE(book_scales(R"({"type":"trade"})", ps, qs, err));
  EXPECT_EQ(err, "not a book message (no bids or asks)");
}

// What the websocket API renders, decoded into a second engine, is the same book.
TEST(BusDecode, RenderedBookRoundTripsThroughAnotherEngine) {
  Instrument inst = btc_usd(2, 6);
  InstrumentTable table;
  table.add(inst);
  Engine ingest;
  ingest.add_feed("btse");
  ingest.on_instruments(0, table);
  ParseOut in;
  std::vector<uint32_t> resync;
  in.levels = {{Side::bid, 5925250, 68650}, {Side::bid, 5925000, 1000000}, {Side::ask, 5925325, 1}};
  json::push_book(in, BookMsg::Type::snapshot, 0, 0, 1700000000000000, kT, 100);
  ingest.on_events(0, in, resync);
  const InstrumentState& s = *ingest.instruments().at(0);
  ASSERT_TRUE(s.in_sync);
  std::string snap = "{";
  render::message_head(snap, "book_snapshot", "book:btse:BTC-USD", "btse", "BTC-USD");
  render::book_payload(snap, s, s.book_seq, SIZE_MAX);
  snap += '}';

  in.clear();
  in.levels = {{Side::bid, 5925250, 0}, {Side::ask, 5925300, 2500000}};
  json::push_book(in, BookMsg::Type::delta, 0, 0, kNone, kT);
  ingest.on_events(0, in, resync);
  std::string upd = "{";
  render::message_head(upd, "book_update", "book:btse:BTC-USD", "btse", "BTC-USD");
  render::book_update_payload(upd, s, s.book_seq, std::span<const LevelUpdate>(in.levels));
  upd += '}';

  int ps = 0, qs = 0;
  std::string err;
  ASSERT_TRUE(book_scales(snap, ps, qs, err)) << err;
  Instrument edge_inst = btc_usd(ps, qs);
  InstrumentTable edge_table;
  edge_table.add(edge_inst);
  Engine edge;
  edge.add_feed("btse");
  edge.on_instruments(0, edge_table);
  Decoder d;
  for (const std::string* p : {&snap, &upd}) {
    ParseOut out;
    ASSERT_EQ(d.decode(*p, edge_inst, 0, kT, out), ParseStatus::ok) << out.error;
    edge.on_events(0, out, resync);
  }
  EXPECT_TRUE(resync.empty());
  const InstrumentState& e = *edge.instruments().at(0);
  ASSERT_TRUE(e.in_sync);
  std::string a, b;
  for (Side side : {Side::bid, Side::ask}) {
    render::levels(a, s, side, SIZE_MAX);
    render::levels(b, e, side, SIZE_MAX);
  }
  EXPECT_EQ(a, R"([["59250","1"]][["59253","2.5"],["59253.25","0.000001"]])");
  EXPECT_EQ(b, a);
  EXPECT_EQ(e.book.seq(), s.book_seq);  // the edge's book follows the bus' seq

  // An update that skips a seq is a gap: the engine drops the book and asks for a resync.
  std::string gap = upd;
  const std::string from = "\"seq\":" + std::to_string(s.book_seq) + ",";
  gap.replace(gap.find(from), from.size(), "\"seq\":" + std::to_string(s.book_seq + 2) + ",");
  ParseOut out;
  ASSERT_EQ(d.decode(gap, edge_inst, 0, kT, out), ParseStatus::ok) << out.error;
  edge.on_events(0, out, resync);
  EXPECT_FALSE(e.in_sync);
  EXPECT_EQ(e.gaps, 1u);
  EXPECT_EQ(resync, std::vector<uint32_t>{0});
}

TEST(BookFollower, StartsFromASnapshotBridgedByPendingUpdates) {
  BookFollower f;
  EXPECT_EQ(f.on_update(11, "u11"), BookFollower::Verdict::pending);
  EXPECT_EQ(f.on_update(12, "u12"), BookFollower::Verdict::pending);
  EXPECT_EQ(f.on_update(13, "u13"), BookFollower::Verdict::pending);
  ASSERT_TRUE(f.on_snapshot(11));  // a snapshot read after 11 was already received
  EXPECT_TRUE(f.synced());
  const auto bridge = f.take_bridge();
  ASSERT_EQ(bridge.size(), 2u);
  EXPECT_EQ(bridge[0], "u12");
  EXPECT_EQ(bridge[1], "u13");
  EXPECT_EQ(f.seq(), 13u);
  EXPECT_EQ(f.on_update(13, "u13"), BookFollower::Verdict::skip);
  EXPECT_EQ(f.on_update(14, "u14"), BookFollower::Verdict::apply);
  EXPECT_FALSE(f.on_snapshot(14));  // nothing new in it
  EXPECT_EQ(f.seq(), 14u);
}

TEST(BookFollower, ASnapshotThatCannotBeBridgedWaitsForTheNext) {
  BookFollower f;
  EXPECT_EQ(f.on_update(20, "u20"), BookFollower::Verdict::pending);
  EXPECT_EQ(f.on_update(21, "u21"), BookFollower::Verdict::pending);
  EXPECT_FALSE(f.on_snapshot(10));  // 11..19 never arrived
  EXPECT_FALSE(f.synced());
  ASSERT_TRUE(f.on_snapshot(20));
  const auto bridge = f.take_bridge();
  ASSERT_EQ(bridge.size(), 1u);
  EXPECT_EQ(bridge[0], "u21");
  EXPECT_EQ(f.pending(), 0u);
  // A snapshot newer than any update received is taken as it is.
  BookFollower g;
  ASSERT_TRUE(g.on_snapshot(5));
  EXPECT_TRUE(g.take_bridge().empty());
  EXPECT_EQ(g.on_update(6, "u6"), BookFollower::Verdict::apply);
}

TEST(BookFollower, AGapWaitsForASnapshotAndKeepsTheUpdate) {
  BookFollower f;
  ASSERT_TRUE(f.on_snapshot(5));
  EXPECT_EQ(f.on_update(6, "u6"), BookFollower::Verdict::apply);
  EXPECT_EQ(f.on_update(8, "u8"), BookFollower::Verdict::gap);
  EXPECT_FALSE(f.synced());
  EXPECT_EQ(f.on_update(9, "u9"), BookFollower::Verdict::pending);
  ASSERT_TRUE(f.on_snapshot(7));
  const auto bridge = f.take_bridge();
  ASSERT_EQ(bridge.size(), 2u);
  EXPECT_EQ(bridge[0], "u8");
  EXPECT_EQ(f.seq(), 9u);
  // lose(): the engine refused the book; the next snapshot restarts it.
  f.lose();
  EXPECT_FALSE(f.synced());
  EXPECT_EQ(f.on_update(10, "u10"), BookFollower::Verdict::pending);
  EXPECT_TRUE(f.on_snapshot(10));
  EXPECT_TRUE(f.take_bridge().empty());
}

TEST(BookFollower, PendingUpdatesAreBoundedAndCounted) {
  BookFollower f(3);
  for (uint64_t s = 1; s <= 5; ++s) f.on_update(s, "u");
  EXPECT_EQ(f.pending(), 3u);
  EXPECT_EQ(f.overflowed(), 2u);
  EXPECT_FALSE(f.on_snapshot(1));  // 2 was dropped: 3..5 cannot follow 1
  EXPECT_TRUE(f.on_snapshot(2));
  EXPECT_EQ(f.take_bridge().size(), 3u);
}

}  // namespace
}  // namespace mdhub::edge
