// The shared JSON readers: field lookups, error wording, rollback and book merging.
#include "feeds/common/json.hpp"

#include <gtest/gtest.h>

#include <utility>
#include <variant>
#include <vector>

namespace mdhub::json {
namespace {

class JsonFields : public ::testing::Test {
 protected:
  od::object& parse(std::string_view text) {
    EXPECT_FALSE(reader_.iterate(text).get(doc_));
    EXPECT_FALSE(doc_.get_object().get(obj_));
    return obj_;
  }
  Reader reader_;
  od::document doc_;
  od::object obj_;
};

TEST_F(JsonFields, FieldTellsValueAbsentAndBad) {
  auto& o = parse(R"({"a":"x","n":null,"num":12.50})");
  std::string_view s;
  EXPECT_EQ(text_field(o, "a", s), Got::value);
  EXPECT_EQ(s, "x");
  EXPECT_EQ(text_field(o, "n", s), Got::absent);
  EXPECT_EQ(text_field(o, "missing", s), Got::absent);
  EXPECT_EQ(text_field(o, "num", s), Got::value);
  EXPECT_EQ(s, "12.50");
  auto& o2 = parse(R"({"bad":nul})");
  EXPECT_EQ(text_field(o2, "bad", s), Got::bad);
  auto& o3 = parse(R"({"num":1})");
  EXPECT_EQ(string_field(o3, "num", s), Got::bad);
}

// With room for simdjson's padding after the text the Reader parses it where it lies (its
// views point into the caller's buffer); without, it parses a copy. Same document either way.
TEST(JsonReader, ParsesInPlaceOnlyWhenTheRoomCoversThePadding) {
  const std::string_view json = R"({"p":12.50,"s":"x"})";
  std::string buf(json);
  buf.append(simdjson::SIMDJSON_PADDING, '\0');
  const std::string_view text(buf.data(), json.size());
  Reader reader;
  for (size_t room : {size_t{0}, simdjson::SIMDJSON_PADDING - 1, simdjson::SIMDJSON_PADDING}) {
    SCOPED_TRACE(room);
    od::document doc;
    od::object o;
    ASSERT_FALSE(reader.iterate(text, room).get(doc));
    const bool in_place = room >= simdjson::SIMDJSON_PADDING;
    EXPECT_EQ(reader.in_place(), in_place);
    ASSERT_FALSE(doc.get_object().get(o));
    std::string_view p;
    ASSERT_EQ(text_field(o, "p", p), Got::value);
    EXPECT_EQ(p, "12.50");
    EXPECT_EQ(p.data() >= buf.data() && p.data() < buf.data() + buf.size(), in_place);
  }
  od::document doc;
  ASSERT_FALSE(reader.iterate(text).get(doc));
  EXPECT_FALSE(reader.in_place());
  ASSERT_FALSE(reader.iterate(FrameView(text, kFramePadding).text, kFramePadding).get(doc));
  EXPECT_TRUE(reader.in_place());
}

TEST_F(JsonFields, OptionalTextFoldsAbsence) {
  auto& o = parse(R"({"a":"x","n":null,"o":{}})");
  std::string_view s = "stale";
  EXPECT_TRUE(optional_text(o, "n", s));
  EXPECT_TRUE(s.empty());
  EXPECT_TRUE(optional_text(o, "a", s));
  EXPECT_EQ(s, "x");
  EXPECT_FALSE(optional_text(o, "o", s));
}

TEST_F(JsonFields, DecimalFieldKeepsEachWording) {
  int64_t v = 7;
  std::string err;
  auto& o = parse(R"({"p":"1.25","q":"abc"})");
  ASSERT_TRUE(require_decimal(o, "p", 2, v, err));
  EXPECT_EQ(v, 125);
  EXPECT_FALSE(get_decimal(o, "q", 2, v, err));
  EXPECT_EQ(err, "bad q (not a decimal number)");
  EXPECT_FALSE(decimal_field(o, "q", 2, false, Wording::key_colon, v, err));
  EXPECT_EQ(err, "q: not a decimal number");
  EXPECT_FALSE(require_decimal(o, "r", 2, v, err));
  EXPECT_EQ(err, "missing r");
  ASSERT_TRUE(get_decimal(o, "r", 2, v, err));
  EXPECT_EQ(v, kNone);
}

TEST_F(JsonFields, MillisecondsAreExactMicroseconds) {
  int64_t us = 0;
  std::string err;
  auto& o = parse(R"({"t":1700000000123.456})");
  ASSERT_TRUE(get_ms(o, "t", us, err)) << err;
  EXPECT_EQ(us, 1700000000123456);
}

TEST(Json, ScaledTruncTruncatesAndRejects) {
  int64_t v = 0;
  ASSERT_TRUE(scaled_trunc("1568905003.8660919", 6, v));
  EXPECT_EQ(v, 1568905003866091);
  ASSERT_TRUE(scaled_trunc("1.5e3", 0, v));
  EXPECT_EQ(v, 1500);
  EXPECT_FALSE(scaled_trunc("-1", 0, v));
  EXPECT_FALSE(scaled_trunc("1", 19, v));
}

TEST(Json, TxnRollsBackEverythingAppended) {
  ParseOut out;
  out.events.resize(1);
  out.levels.resize(2);
  Txn tx(out);
  out.events.resize(3);
  out.levels.resize(5);
  EXPECT_EQ(tx.fail("btse", "update", "missing seqNum"), ParseStatus::error);
  EXPECT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.levels.size(), 2u);
  EXPECT_EQ(out.error, "btse update: missing seqNum");
}

TEST(Json, MergeBookSortsSumsDropsAndCaps) {
  std::vector<LevelUpdate> l{{Side::ask, 9, 9},  // before `begin`: untouched
                             {Side::ask, 102, 1}, {Side::bid, 99, 2}, {Side::ask, 101, 3},
                             {Side::bid, 100, 0}, {Side::bid, 99, 5}, {Side::ask, 103, 1},
                             {Side::bid, 98, 1}};
  auto capped = l;
  ASSERT_TRUE(merge_book(l, 1));
  const std::vector<LevelUpdate> want{{Side::ask, 9, 9},   {Side::bid, 99, 7},  {Side::bid, 98, 1},
                                      {Side::ask, 101, 3}, {Side::ask, 102, 1}, {Side::ask, 103, 1}};
  EXPECT_EQ(l, want);
  ASSERT_TRUE(merge_book(capped, 1, 1));
  const std::vector<LevelUpdate> top{{Side::ask, 9, 9}, {Side::bid, 99, 7}, {Side::ask, 101, 3}};
  EXPECT_EQ(capped, top);
  std::vector<LevelUpdate> big{{Side::bid, 1, INT64_MAX}, {Side::bid, 1, 1}};
  EXPECT_FALSE(merge_book(big, 0));
}

TEST(Json, BodiesOfTheWrongShapeAreWorded) {
  Reader reader;
  od::document doc;
  od::object obj;
  od::array arr;
  std::string err;
  EXPECT_FALSE(open_object(reader, "[1]", doc, obj, err));
  EXPECT_EQ(err, "body is not a JSON object");
  err.clear();
  EXPECT_FALSE(open_array(reader, "{}", doc, arr, err));
  EXPECT_EQ(err, "body is not a JSON array");
  err.clear();
  EXPECT_FALSE(open_array(reader, "not json", doc, arr, err));
  EXPECT_EQ(err, "body is not a JSON array");
  err.clear();
  ASSERT_TRUE(open_array(reader, "[1,2]", doc, arr, err));
  size_t n = 0;
  for (auto x : arr) n += !x.error();
  EXPECT_EQ(n, 2u);
  ASSERT_TRUE(open_object(reader, R"({"a":1})", doc, obj, err));
  int64_t a = 0;
  od::value v;
  ASSERT_FALSE(obj["a"].get(v));
  ASSERT_TRUE(integer(v, a));
  EXPECT_EQ(a, 1);
  EXPECT_EQ(err, "");
}

TEST(Json, ReadSidesSkipsAbsentSidesAndNamesABadOne) {
  Reader reader;
  od::document doc;
  od::object book;
  std::string err;
  std::vector<std::pair<Side, int64_t>> seen;
  auto count = [&](od::value v, Side side) {
    od::array a;
    if (v.get_array().get(a)) {
      err = "not levels";
      return false;
    }
    int64_t n = 0;
    for (auto x : a) n += !x.error();
    seen.emplace_back(side, n);
    return true;
  };
  ASSERT_TRUE(open_object(reader, R"({"asks":[1,2,3],"bids":[4]})", doc, book, err));
  ASSERT_TRUE(read_sides(book, "bids", "asks", err, count)) << err;
  // In document order: the sides are read as they come.
  EXPECT_EQ(seen, (std::vector<std::pair<Side, int64_t>>{{Side::ask, 3}, {Side::bid, 1}}));
  seen.clear();
  ASSERT_TRUE(open_object(reader, R"({"sell":[1]})", doc, book, err));
  ASSERT_TRUE(read_sides(book, "buy", "sell", err, count)) << err;
  EXPECT_EQ(seen, (std::vector<std::pair<Side, int64_t>>{{Side::ask, 1}}));
  ASSERT_TRUE(open_object(reader, R"({"bids":{}})", doc, book, err));
  EXPECT_FALSE(read_sides(book, "bids", "asks", err, count));
  EXPECT_EQ(err, "not levels");
}

TEST(Json, PushEventCarriesHeaderAndBody) {
  ParseOut out;
  TickerMsg k;
  k.last = 42;
  push_event(out, EventKind::ticker, 3, 1700, RecvTime{}, k);
  ASSERT_EQ(out.events.size(), 1u);
  const Event& e = out.events[0];
  EXPECT_EQ(e.kind, EventKind::ticker);
  EXPECT_EQ(e.instrument, 3u);
  EXPECT_EQ(e.ts_exchange_us, 1700);
  ASSERT_TRUE(std::holds_alternative<TickerMsg>(e.body));
  EXPECT_EQ(std::get<TickerMsg>(e.body).last, 42);
}

TEST(Json, ShapeAndBlank) {
  EXPECT_EQ(shape_error(simdjson::INCORRECT_TYPE, "an array"), "expected an array");
  EXPECT_EQ(shape_error(simdjson::TAPE_ERROR, "an array").rfind("bad JSON: ", 0), 0u);
  EXPECT_TRUE(blank(" \r\n\t"));
  EXPECT_FALSE(blank(" x"));
  EXPECT_EQ(trim("  pong\n"), "pong");
  EXPECT_EQ(upper("btc_usd"), "BTC_USD");
}

}  // namespace
}  // namespace mdhub::json
