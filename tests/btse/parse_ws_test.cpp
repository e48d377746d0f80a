#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <utility>
#include <vector>

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

// ---- Field order: BTSE does not promise one, so every order of an update's fields must
// give the same ParseOut (events, levels, detected variants) or the same error.

using Fields = std::vector<std::pair<std::string, std::string>>;  // key, JSON value

std::string update_frame(const Fields& fields) {
  std::string f = R"({"topic":"update:BTC-USD_0","data":{)";
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) f += ',';
    f += '"' + fields[i].first + "\":" + fields[i].second;
  }
  return f + "}}";
}

std::string describe(ParseStatus st, const ParseOut& out) {
  std::ostringstream s;
  s << "status " << static_cast<int>(st) << " error '" << out.error << "' detected";
  for (auto d : out.detected) s << ' ' << d;
  for (const Event& e : out.events) {
    const auto& b = std::get<BookMsg>(e.body);
    s << " | book " << e.instrument << ' ' << e.ts_exchange_us << ' ' << static_cast<int>(b.type)
      << ' ' << b.seq << ' ' << b.prev_seq << ' ' << b.window << ' ' << b.level_begin << '+'
      << b.level_count;
  }
  for (const LevelUpdate& l : out.levels)
    s << " | " << (l.side == Side::bid ? 'b' : 'a') << ' ' << dec(l.price) << ' ' << dec(l.qty);
  return s.str();
}

/// Parses `fields` in every order with one reader (as a feed does) and expects each to be
/// described as `want`.
void expect_every_order(Fields fields, const std::string& want) {
  json::Reader reader;
  const InstrumentTable table = test::table();
  std::sort(fields.begin(), fields.end());
  size_t orders = 0;
  do {
    ParseOut out;
    const std::string frame = update_frame(fields);
    const ParseStatus st = parse_ws(reader, frame, table, kRecv, out);
    ASSERT_FALSE(reader.in_place());
    ASSERT_EQ(describe(st, out), want) << frame;
    // The same bytes followed by room for the padding: parsed in place, same result.
    std::string padded = frame + std::string(kFramePadding, '\0');
    out.clear();
    const ParseStatus st2 =
        parse_ws(reader, FrameView(std::string_view(padded.data(), frame.size()), kFramePadding), table, kRecv, out);
    ASSERT_TRUE(reader.in_place());
    ASSERT_EQ(describe(st2, out), want) << frame;
    ++orders;
  } while (std::next_permutation(fields.begin(), fields.end()));
  EXPECT_EQ(orders, 5040u);  // 7 fields
}

Fields update(std::string bids, std::string asks) {
  return {{"symbol", R"("BTC-USD")"}, {"type", R"("delta")"}, {"seqNum", "628283"},
          {"prevSeqNum", "628282"}, {"timestamp", "1565135165600"}, {"bids", std::move(bids)},
          {"asks", std::move(asks)}};
}

Fields with(Fields f, const std::string& key, std::string value) {
  for (auto& [k, v] : f)
    if (k == key) v = std::move(value);
  return f;
}

TEST(BtseWsOrder, SnapshotInEveryFieldOrder) {
  const Fields f = with(update(R"([["59249.0","0.24"],["59252.5","0.06865"],["59249.0","0.01"]])",
                               R"([["59282.5","0.06829"],["59278.5","0.01472"]])"),
                        "type", R"("snapshot")");
  // Sorted, equal prices summed: the merged snapshot.
  expect_every_order(f,
                     "status 0 error '' detected | book 0 1565135165600000 1 628283 628282 50 0+4"
                     " | b 59252.5 0.06865 | b 59249 0.25 | a 59278.5 0.01472 | a 59282.5 0.06829");
}

TEST(BtseWsOrder, DeltaInEveryFieldOrder) {
  expect_every_order(update("[]", R"([["59367.5","2.15622"],["59325.5","0"]])"),
                     "status 0 error '' detected | book 0 1565135165600000 0 628283 628282 50 0+2"
                     " | a 59367.5 2.15622 | a 59325.5 0");
}

TEST(BtseWsOrder, VariantsAreDetectedInTheSameOrderWhateverTheFieldOrder) {
  Fields f = update("null", R"([["59252.5","0.5"]])");
  f = with(with(f, "seqNum", "1.2345e5"), "prevSeqNum", "123449.0");
  expect_every_order(f,
                     "status 0 error '' detected seq_as_double null_side"
                     " | book 0 1565135165600000 0 123450 123449 50 0+1 | a 59252.5 0.5");
}

TEST(BtseWsOrder, EachBadFieldKeepsItsErrorInEveryOrder) {
  const Fields good = update(R"([["59252.5","1"]])", R"([["59260","2"]])");
  const std::pair<Fields, std::string> cases[] = {
      {with(good, "bids", R"([["59252.5","abc"]])"), "bad size (not a decimal number)"},
      {with(good, "asks", R"([[true,"1"]])"), "bad price (not a decimal number)"},
      {with(good, "bids", "nul"), "bad bids"},
      {with(good, "asks", R"({"price":"1"})"), "levels are not an array"},
      {with(good, "asks", R"([["59260","2"],"x"])"), "level is neither [price, size] nor an object"},
      {with(good, "asks", R"([["59260"]])"), "level needs [price, size]"},
      {with(good, "bids", R"([{"size":"1"}])"), "missing price"},
      {with(good, "bids", R"([["-1","1"]])"), "negative price or size in a level"},
      {with(good, "seqNum", "123450.5"), "missing or bad seqNum"},
      {with(good, "prevSeqNum", R"("x")"), "missing or bad prevSeqNum"},
      {with(good, "type", R"("partial")"), "unknown type partial"},
      {with(good, "type", "[]"), "bad type"},
      {with(good, "timestamp", R"("soon")"), "bad timestamp (not a decimal number)"},
      {with(good, "symbol", R"("")"), "missing symbol"},
  };
  for (const auto& [fields, err] : cases) {
    SCOPED_TRACE(err);
    expect_every_order(fields, "status 2 error 'btse update: " + err + "' detected");
  }
}

TEST(BtseWsOrder, TheFirstErrorIsChosenByPrecedenceNotByPosition) {
  const Fields good = update(R"([["59252.5","1"]])", R"([["59260","2"]])");
  // A bad level loses to a bad sequence number, wherever each stands.
  expect_every_order(with(with(good, "bids", R"([["59252.5","abc"]])"), "prevSeqNum", "null"),
                     "status 2 error 'btse update: missing or bad prevSeqNum' detected");
  // Within a side the levels fail in their order: a bad price before a level of no shape.
  expect_every_order(with(good, "asks", R"([["x","1"],7])"),
                     "status 2 error 'btse update: bad price (not a decimal number)' detected");
  // Bids are judged before asks.
  expect_every_order(with(with(good, "asks", "[7]"), "bids", "nul"),
                     "status 2 error 'btse update: bad bids' detected");
}

TEST(BtseWsOrder, AnUnknownSymbolIsIgnoredWhateverElseIsWrong) {
  Fields f = with(update(R"([["0.1","abc"]])", "[7]"), "symbol", R"("DOGE-USD")");
  expect_every_order(with(f, "seqNum", "1.5"), "status 1 error '' detected");
}

TEST(BtseWsOrder, LevelsOfOneUpdateFollowTheCallersLevels) {
  json::Reader reader;
  const InstrumentTable table = test::table();
  ParseOut out;
  // Symbol last, levels first: the levels wait for the instrument, then land after the
  // caller's earlier ones.
  const Fields first = update(R"([["1","2"]])", "[]");
  Fields reversed(first.rbegin(), first.rend());
  ASSERT_EQ(parse_ws(reader, update_frame(first), table, kRecv, out), ParseStatus::ok) << out.error;
  ASSERT_EQ(parse_ws(reader, update_frame(with(reversed, "asks", R"([["3","4"]])")), table, kRecv, out),
            ParseStatus::ok)
      << out.error;
  ASSERT_EQ(out.events.size(), 2u);
  const auto& b = std::get<BookMsg>(out.events[1].body);
  EXPECT_EQ(b.level_begin, 1u);
  EXPECT_EQ(b.level_count, 2u);
  EXPECT_EQ(out.levels[1], (LevelUpdate{Side::bid, 100000000, 200000000}));
  EXPECT_EQ(out.levels[2], (LevelUpdate{Side::ask, 300000000, 400000000}));
}

TEST(BtseWsOrder, RootFieldsInAnyOrder) {
  json::Reader reader;
  const InstrumentTable table = test::table();
  const std::string data =
      R"({"bids":[["59252.5","1"]],"asks":[],"seqNum":5,"prevSeqNum":4,"type":"delta","timestamp":1565135165600,"symbol":"BTC-USD"})";
  const std::string want =
      "status 0 error '' detected | book 0 1565135165600000 0 5 4 50 0+1 | b 59252.5 1";
  for (const std::string& frame : {R"({"topic":"update:BTC-USD_0","data":)" + data + "}",
                                  R"({"data":)" + data + R"(,"topic":"update:BTC-USD_0"})",
                                  R"({"id":1,"data":)" + data + R"(,"x":[1,{}],"topic":"update:BTC-USD_0"})"}) {
    ParseOut out;
    EXPECT_EQ(describe(parse_ws(reader, frame, table, kRecv, out), out), want) << frame;
  }
  ParseOut out;
  EXPECT_EQ(parse_ws(reader, R"({"data":)" + data + R"(,"topic":["update"]})", table, kRecv, out),
            ParseStatus::error);
  EXPECT_EQ(out.error, "btse: bad topic");
}

TEST(BtseWsOrder, ASeverityAfterTheDataMakesAnErrorFrameAndDropsTheData) {
  json::Reader reader;
  const InstrumentTable table = test::table();
  ParseOut out;
  out.events.resize(1);  // the caller's: kept
  const std::string frame =
      R"({"topic":"update:BTC-USD_0","data":{"bids":[["1","2"]],"asks":[],"seqNum":5,"prevSeqNum":4,)"
      R"("type":"delta","symbol":"BTC-USD"},"severity":"ERROR",)"
      R"("errors":[{"arg":"update:BTC-USD_0","error":{"code":1000,"message":"no"}}]})";
  EXPECT_EQ(parse_ws(reader, frame, table, kRecv, out), ParseStatus::ignored);
  EXPECT_EQ(out.subscription_error, "btse error 1000 (update:BTC-USD_0): no");
  EXPECT_EQ(out.error, "");
  EXPECT_EQ(out.events.size(), 1u);
  EXPECT_TRUE(out.levels.empty());
}

TEST(BtseWsOrder, TradesWithTheirDataFirst) {
  json::Reader reader;
  const InstrumentTable table = test::table();
  ParseOut out;
  ASSERT_EQ(parse_ws(reader,
                     R"({"data":[{"symbol":"BTC-USD","side":"SELL","price":5302.8,"size":0.007,)"
                     R"("tradeId":118974855,"timestamp":1584446020295}],"topic":"tradeHistoryApi:BTC-USD"})",
                     table, kRecv, out),
            ParseStatus::ok)
      << out.error;
  ASSERT_EQ(out.events.size(), 1u);
  const auto& tr = std::get<TradeMsg>(out.events[0].body);
  EXPECT_EQ(dec(tr.price), "5302.8");
  EXPECT_EQ(tr.trade_id, 118974855);
}

}  // namespace
}  // namespace mdhub::btse
