// The NATS sink's network-thread side, without a server: a full hand-off drops and counts
// (never blocks), and a name that cannot be a subject token is refused and counted.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "src/bus/nats_sink.hpp"
#include "src/publish/render.hpp"

namespace mdhub::bus {
namespace {

InstrumentState instrument(std::string symbol) {
  InstrumentState s;
  s.info.venue = "btse";
  s.info.symbol = std::move(symbol);
  s.info.price_scale = 2;
  s.info.qty_scale = 4;
  return s;
}

TradeRecord trade() {
  TradeRecord t;
  t.price = 6000012;
  t.qty = 15;
  t.side = 1;
  t.trade_id = 77;
  t.ts_exchange_us = 1700000000000000;
  t.ts_received_us = 1700000000000123;
  t.seq = 9;
  return t;
}

TEST(NatsSink, AFullHandOffDropsAndCounts) {
  boost::asio::io_context io;
  Engine engine;
  SinkSettings s;
  s.queue_bytes = 64 << 10;
  NatsSink sink(io, engine, s);  // not started: nothing drains the hand-off
  const InstrumentState inst = instrument("BTC-USD");
  const TradeRecord t = trade();
  // The entry each trade takes: its subject and the websocket API's trade message.
  std::string msg = "{";
  render::message_head(msg, "trade", "trades:btse:BTC-USD", "btse", "BTC-USD");
  render::trade_payload(msg, inst, t);
  msg += '}';
  EXPECT_EQ(msg, R"({"type":"trade","channel":"trades:btse:BTC-USD","venue":"btse","symbol":"BTC-USD","seq":9,)"
                 R"("ts_exchange":1700000000000000,"ts_received":1700000000000123,"price":"60000.12","qty":"0.0015",)"
                 R"("side":"buy","trade_id":"77"})");
  const uint64_t entry = 8 + std::string("md.trades.btse.BTC-USD").size() + msg.size();

  constexpr uint64_t kCalls = 2000;
  for (uint64_t i = 0; i < kCalls; ++i) sink.on_trade(inst, t);
  const SinkStats st = sink.stats();
  EXPECT_EQ(st.queue_capacity, 65536u);
  const uint64_t held = st.queue_capacity / entry;
  EXPECT_EQ(st.queue_bytes, held * entry);
  EXPECT_EQ(st.dropped_queue_full, kCalls - held);
  EXPECT_EQ(st.published, 0u);
  EXPECT_FALSE(st.connected);
}

TEST(NatsSink, NamesThatAreNotSubjectTokensAreCountedNotPublished) {
  boost::asio::io_context io;
  Engine engine;
  NatsSink sink(io, engine, SinkSettings{});
  for (auto bad : {"BTC.USD", "BTC*USD", "BTC USD"}) {
    const InstrumentState inst = instrument(bad);
    sink.on_trade(inst, trade());
    sink.on_ticker(inst);
  }
  const SinkStats st = sink.stats();
  EXPECT_EQ(st.dropped_bad_subject, 6u);
  EXPECT_EQ(st.queue_bytes, 0u);
}

}  // namespace
}  // namespace mdhub::bus
