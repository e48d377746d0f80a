#include <gtest/gtest.h>

#include "feeds/btse/parse.hpp"
#include "tests/btse/fixtures.hpp"

namespace mdhub::btse {
namespace {

using test::dec;
using test::fixture;
using test::kRecv;

class BtseWs : public ::testing::Test {
 protected:
  ParseStatus parse(const std::string& name) {
    return parse_ws(reader_, fixture(name), table_, kRecv, out_);
  }
  json::Reader reader_;
  InstrumentTable table_ = test::table();
  ParseOut out_;
};

TEST_F(BtseWs, UpdateSnapshot) {
  ASSERT_EQ(parse("ws_update_snapshot.json"), ParseStatus::ok) << out_.error;
  ASSERT_EQ(out_.events.size(), 1u);
  const Event& e = out_.events[0];
  EXPECT_EQ(e.kind, EventKind::book);
  EXPECT_EQ(e.instrument, 0u);
  EXPECT_EQ(e.ts_exchange_us, 1565135165600000);
  EXPECT_EQ(e.recv.wall_ns, kRecv.wall_ns);
  EXPECT_EQ(e.recv.mono_ns, kRecv.mono_ns);
  const auto& b = std::get<BookMsg>(e.body);
  EXPECT_EQ(b.type, BookMsg::Type::snapshot);
  EXPECT_EQ(b.seq, 628282u);
  EXPECT_EQ(b.prev_seq, 628281u);
  EXPECT_EQ(b.window, 50u);  // the top 50 of a deeper book
  ASSERT_EQ(b.level_begin, 0u);
  ASSERT_EQ(b.level_count, 4u);
  EXPECT_EQ(out_.levels[0], (LevelUpdate{Side::bid, 5925250000000, 6865000}));
  EXPECT_EQ(out_.levels[1], (LevelUpdate{Side::bid, 5924900000000, 24000000}));
  EXPECT_EQ(out_.levels[2], (LevelUpdate{Side::ask, 5927850000000, 1472000}));
  EXPECT_EQ(out_.levels[3], (LevelUpdate{Side::ask, 5928250000000, 6829000}));
  EXPECT_EQ(dec(out_.levels[0].price), "59252.5");
  EXPECT_EQ(dec(out_.levels[1].qty), "0.24");
}

TEST_F(BtseWs, UpdateDeltaRoutedBySymbolDespiteTopicWithoutGrouping) {
  ASSERT_EQ(parse("ws_update_delta.json"), ParseStatus::ok) << out_.error;
  const Event& e = out_.events.at(0);
  EXPECT_EQ(e.instrument, 0u);
  EXPECT_EQ(e.ts_exchange_us, 1565135165600000);
  const auto& b = std::get<BookMsg>(e.body);
  EXPECT_EQ(b.type, BookMsg::Type::delta);
  EXPECT_EQ(b.seq, 628283u);
  EXPECT_EQ(b.prev_seq, 628282u);
  ASSERT_EQ(b.level_count, 2u);
  EXPECT_EQ(out_.levels[0].side, Side::ask);
  EXPECT_EQ(dec(out_.levels[0].price), "59367.5");
  EXPECT_EQ(dec(out_.levels[0].qty), "2.15622");
  EXPECT_EQ(out_.levels[1].side, Side::ask);
  EXPECT_EQ(dec(out_.levels[1].price), "59325.5");
  EXPECT_EQ(out_.levels[1].qty, 0);  // "0" deletes
}

TEST_F(BtseWs, SnapshotL1) {
  ASSERT_EQ(parse("ws_snapshot_l1.json"), ParseStatus::ok) << out_.error;
  ASSERT_EQ(out_.events.size(), 1u);
  EXPECT_TRUE(out_.levels.empty());
  const Event& e = out_.events[0];
  EXPECT_EQ(e.kind, EventKind::bbo);
  EXPECT_EQ(e.ts_exchange_us, 1680750154232000);
  const auto& b = std::get<BboMsg>(e.body);
  EXPECT_EQ(dec(b.bid), "28016.7");
  EXPECT_EQ(dec(b.bid_qty), "1.48063");
  EXPECT_EQ(dec(b.ask), "28033.6");
  EXPECT_EQ(dec(b.ask_qty), "1.34133");
}

TEST_F(BtseWs, TradeHistory) {
  ASSERT_EQ(parse("ws_trade_history.json"), ParseStatus::ok) << out_.error;
  ASSERT_EQ(out_.events.size(), 1u);
  const Event& e = out_.events[0];
  EXPECT_EQ(e.kind, EventKind::trade);
  EXPECT_EQ(e.instrument, 0u);
  EXPECT_EQ(e.ts_exchange_us, 1584446020295000);
  const auto& t = std::get<TradeMsg>(e.body);
  EXPECT_EQ(dec(t.price), "5302.8");
  EXPECT_EQ(dec(t.qty), "0.007");
  EXPECT_EQ(t.side, -1);
  EXPECT_EQ(t.trade_id, 118974855);
}

TEST_F(BtseWs, TradesWithBareTopicRouteByRowSymbol) {
  ASSERT_EQ(parse("ws_trade_bare_topic.json"), ParseStatus::ok) << out_.error;
  ASSERT_EQ(out_.events.size(), 3u);  // the DOGE-USD row is not in the table
  const auto& eth = std::get<TradeMsg>(out_.events[0].body);
  EXPECT_EQ(out_.events[0].instrument, 1u);
  EXPECT_EQ(dec(eth.price), "3000.25");
  EXPECT_EQ(dec(eth.qty), "1.5");
  EXPECT_EQ(eth.side, 1);
  EXPECT_EQ(eth.trade_id, 42);
  EXPECT_EQ(out_.events[1].instrument, 0u);
  EXPECT_EQ(std::get<TradeMsg>(out_.events[1].body).trade_id, 118974857);
  EXPECT_EQ(out_.events[2].ts_exchange_us, 1584446020450000);
}

TEST_F(BtseWs, ErrorFrameCurrentShapeIsARefusedSubscription) {
  EXPECT_EQ(parse("ws_error.json"), ParseStatus::ignored);
  EXPECT_EQ(out_.subscription_error,
            "btse error 1000 (update:BTCC-USD_0): Market pair provided is currently not supported.");
  EXPECT_EQ(out_.error, "");
  EXPECT_TRUE(out_.events.empty());
}

TEST_F(BtseWs, ErrorFrameOldShapeIsARefusedSubscription) {
  EXPECT_EQ(parse("ws_error_old.json"), ParseStatus::ignored);
  EXPECT_EQ(out_.subscription_error, "btse error MARKET_PAIR_NOT_SUPPORT (update:BTCC-USD_0)");
}

TEST_F(BtseWs, ErrorFrameWithoutTopicIsAnError) {
  EXPECT_EQ(parse("ws_error_no_arg.json"), ParseStatus::error);
  EXPECT_EQ(out_.error, "btse error 1007: User message buffer is full.");
  EXPECT_EQ(out_.subscription_error, "");
}

TEST_F(BtseWs, ControlFramesAreIgnored) {
  for (const char* name : {"ws_subscribe_ack.json", "ws_json_pong.json", "ws_pong.txt"})
    EXPECT_EQ(parse(name), ParseStatus::ignored) << name;
  EXPECT_TRUE(out_.events.empty());
  EXPECT_TRUE(out_.error.empty());
}

TEST_F(BtseWs, UnknownSymbolIsIgnored) {
  EXPECT_EQ(parse("ws_update_unknown_symbol.json"), ParseStatus::ignored);
  EXPECT_TRUE(out_.events.empty());
  EXPECT_TRUE(out_.levels.empty());
}

TEST_F(BtseWs, UnknownTopicIsIgnored) {
  EXPECT_EQ(parse_ws(reader_, R"({"topic":"notificationApiV2","data":{}})", table_, kRecv, out_),
            ParseStatus::ignored);
}

TEST_F(BtseWs, TruncatedFrameIsAnError) {
  ASSERT_EQ(parse("ws_update_snapshot.json"), ParseStatus::ok);
  EXPECT_EQ(parse("ws_update_truncated.json"), ParseStatus::error);
  EXPECT_EQ(out_.error, "btse: malformed frame (not a JSON object)");
  EXPECT_EQ(out_.events.size(), 1u);  // the earlier frame's output is untouched
  EXPECT_EQ(out_.levels.size(), 4u);
}

using Names = std::vector<std::string_view>;

TEST_F(BtseWs, NullSideHasNoLevels) {
  ASSERT_EQ(parse("ws_update_null_bids.json"), ParseStatus::ok) << out_.error;
  const auto& b = std::get<BookMsg>(out_.events.at(0).body);
  EXPECT_EQ(b.type, BookMsg::Type::delta);
  EXPECT_EQ(b.seq, 628283u);
  ASSERT_EQ(b.level_count, 1u);
  EXPECT_EQ(out_.levels[0], (LevelUpdate{Side::ask, 5936750000000, 215622000}));
  EXPECT_EQ(out_.detected, (Names{"null_side"}));
}

TEST_F(BtseWs, IntegralDoubleSequenceNumbersAreAccepted) {
  ASSERT_EQ(parse("ws_update_seq_double.json"), ParseStatus::ok) << out_.error;
  const auto& b = std::get<BookMsg>(out_.events.at(0).body);
  EXPECT_EQ(b.seq, 123450u);
  EXPECT_EQ(b.prev_seq, 123449u);
  ASSERT_EQ(b.level_count, 1u);
  EXPECT_EQ(out_.levels[0], (LevelUpdate{Side::bid, 5925250000000, 50000000}));
  EXPECT_EQ(out_.detected, (Names{"seq_as_double", "null_side"}));
}

TEST_F(BtseWs, FractionalSequenceNumberIsAnError) {
  EXPECT_EQ(parse("ws_update_seq_fraction.json"), ParseStatus::error);
  EXPECT_EQ(out_.error, "btse update: missing or bad seqNum");
  EXPECT_TRUE(out_.events.empty());
}

TEST_F(BtseWs, MisspelledNullIsAnError) {
  EXPECT_EQ(parse("ws_update_bad_null.json"), ParseStatus::error);
  EXPECT_EQ(out_.error, "btse update: bad bids");
  EXPECT_TRUE(out_.detected.empty());
}

TEST_F(BtseWs, DeltaWithoutPrevSeqIsAnError) {
  EXPECT_EQ(parse("ws_update_delta_missing_prev.json"), ParseStatus::error);
  EXPECT_EQ(out_.error, "btse update: missing or bad prevSeqNum");
  EXPECT_TRUE(out_.events.empty());
}

TEST_F(BtseWs, BadSizeRollsBack) {
  EXPECT_EQ(parse("ws_update_bad_size.json"), ParseStatus::error);
  EXPECT_EQ(out_.error, "btse update: bad size (not a decimal number)");
  EXPECT_TRUE(out_.events.empty());
  EXPECT_TRUE(out_.levels.empty());
}

TEST_F(BtseWs, NonJsonTextIsAnError) {
  EXPECT_EQ(parse_ws(reader_, "Bad request", table_, kRecv, out_), ParseStatus::error);
  EXPECT_EQ(out_.error, "btse: malformed frame (not a JSON object)");
}

}  // namespace
}  // namespace mdhub::btse
