// Stream loss: only a stream that carries books makes the engine drop the feed's sequenced
// books; a book-free stream (BTSE's trades socket) dropping leaves them in sync.
#include "feeds/btse/btse.hpp"
#include "feeds/narkasa/narkasa.hpp"
#include "tests/engine/fixture.hpp"

namespace mdhub::test {
namespace {

using Strings = std::vector<std::string>;
using Ids = std::vector<uint32_t>;

class StreamsTest : public EngineTest {
 protected:
  void SetUp() override {
    btse_stream_books_ = {true, false};  // as the BTSE feed answers: oss, then trades
    send(kBtse, at(kBtse, 10 * kSec)
                    .snapshot(kBtc, 100, {bid("100.0", "2"), ask("100.1", "1")})
                    .snapshot(kEth, 200, {bid("2000.00", "1"), ask("2000.50", "1")}));
    rec_.clear();
  }
};
using engine_streams = StreamsTest;

TEST_F(engine_streams, BookFreeStreamDownLosesNothing) {
  engine_.on_stream_down(kBtse, 1);
  const InstrumentState& btc = st("btse", "BTC-USDT");
  EXPECT_TRUE(btc.in_sync);
  EXPECT_TRUE(st("btse", "ETH-USDT").in_sync);
  EXPECT_TRUE(rec_.lost.empty());
  EXPECT_TRUE(rec_.consolidated.empty());
  EXPECT_EQ(cons_side("BTC-USDT", Side::bid), Strings{"100 2 btse=2"});
  // The book stream's deltas keep applying: no resync was needed.
  EXPECT_EQ(send(kBtse, at(kBtse, 11 * kSec).delta(kBtc, 101, 100, {bid("100.0", "3")})), Ids{});
  EXPECT_EQ(side_of(btc, Side::bid), Strings{"100 3"});
  EXPECT_EQ(btc.resyncs, 0u);

  // The book stream going down loses them.
  engine_.on_stream_down(kBtse, 0);
  EXPECT_EQ(rec_.lost, (Strings{"btse/BTC-USDT", "btse/ETH-USDT"}));
  EXPECT_FALSE(btc.in_sync);
  EXPECT_TRUE(cons_side("BTC-USDT", Side::bid).empty());
}

TEST_F(engine_streams, StreamIndexWithoutAnAnswerLosesTheBooks) {
  // No stream has a negative index; when in doubt the books are suspect.
  engine_.on_stream_down(kBtse, -1);
  EXPECT_EQ(rec_.lost, (Strings{"btse/BTC-USDT", "btse/ETH-USDT"}));
}

Instrument btc() { return make_instrument("BTC-USDT", "BTC-USDT", 1, 6); }

TEST(engine_venue_streams, BtseBooksAreOnTheOrderBookSocketOnly) {
  VenueConfig cfg;
  cfg.id = "btse";
  cfg.ws_url = "wss://ws.example/ws/spot";
  InstrumentTable table;
  table.add(btc());
  auto feed = btse::make_feed(cfg);
  feed->start(table);
  const auto streams = feed->streams();
  ASSERT_EQ(streams.size(), 2u);
  EXPECT_EQ(streams[0].name, "oss");
  EXPECT_EQ(streams[1].name, "trades");
  EXPECT_TRUE(feed->stream_has_books(0));
  EXPECT_FALSE(feed->stream_has_books(1));

  // Trades only: the one stream is the trades socket.
  cfg.channels = {"trades"};
  feed = btse::make_feed(cfg);
  feed->start(table);
  ASSERT_EQ(feed->streams().size(), 1u);
  EXPECT_EQ(feed->streams()[0].name, "trades");
  EXPECT_FALSE(feed->stream_has_books(0));

  // L1 only: the order-book socket carries BBOs, no book.
  cfg.channels = {"bbo", "trades"};
  feed = btse::make_feed(cfg);
  feed->start(table);
  ASSERT_EQ(feed->streams().size(), 2u);
  EXPECT_FALSE(feed->stream_has_books(0));
  EXPECT_FALSE(feed->stream_has_books(1));
}

TEST(engine_venue_streams, CapabilitiesFollowTheConfiguredCandleInterval) {
  VenueConfig cfg;
  cfg.id = "btse";
  auto caps = btse::make_feed(cfg)->capabilities();
  EXPECT_TRUE(caps.book && caps.bbo && caps.trades && caps.ticker);
  EXPECT_EQ(caps.venue_candles, VenueCapabilities::candle_bit(CandleInterval::m1));
  cfg.options["candle_interval"] = "5m";
  EXPECT_EQ(btse::make_feed(cfg)->capabilities().venue_candles, VenueCapabilities::candle_bit(CandleInterval::m5));
  cfg.id = "narkasa";
  cfg.options["candle_interval"] = "h1";
  caps = narkasa::make_feed(cfg)->capabilities();
  EXPECT_TRUE(caps.book && caps.bbo && caps.trades && caps.ticker);
  EXPECT_EQ(caps.describe_venue_candles(), "1h");
}

TEST(engine_venue_streams, NarkasaKeepsTheSafeDefault) {
  VenueConfig cfg;
  cfg.id = "narkasa";
  cfg.ws_url = "wss://ws.example/";
  InstrumentTable table;
  table.add(make_instrument("BTC-USDT", "BTCUSDT", 2, 8));
  auto feed = narkasa::make_feed(cfg);
  feed->start(table);
  ASSERT_EQ(feed->streams().size(), 1u);
  EXPECT_TRUE(feed->stream_has_books(0));
}

}  // namespace
}  // namespace mdhub::test
