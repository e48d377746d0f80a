// A websocket client's command parsed apart from the server: exact error codes and messages,
// and the id echoed only when it came before the fault.
#include <gtest/gtest.h>

#include "src/publish/ws_request.hpp"

namespace mdhub {
namespace {

struct Parsed {
  bool ok;
  WsRequest req;
  WsRequestError err;
};

Parsed parse(std::string_view text) {
  json::Reader reader;
  Parsed p;
  p.ok = parse_ws_request(reader, text, p.req, p.err);
  return p;
}

TEST(WsRequest, ParsesCommands) {
  auto p = parse(R"({"op":"subscribe","id":7,"channels":["book:btse:BTC-USD","bbo:*:ETH-USD"]})");
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.req.op, "subscribe");
  EXPECT_EQ(p.req.id, "7");
  EXPECT_EQ(p.req.channels, (std::vector<std::string>{"book:btse:BTC-USD", "bbo:*:ETH-USD"}));

  p = parse(R"({"id": "x\"y" ,"op":"ping"})");
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.req.op, "ping");
  EXPECT_EQ(p.req.id, R"("x\"y")");  // the token as sent, echoed verbatim
  EXPECT_TRUE(p.req.channels.empty());

  p = parse(R"({"op":"list"})");
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.req.id, "");
}

TEST(WsRequest, RejectsWithExactErrors) {
  const struct {
    const char* text;
    const char* id;
    const char* code;
    const char* message;
  } cases[] = {
      {"[1]", "", "bad_request", "messages must be JSON objects"},
      {"{\"op\":", "", "bad_request", "messages must be JSON objects"},  // truncated
      {R"({"op" "ping"})", "", "bad_request", "malformed JSON"},
      {R"({"op":1})", "", "bad_request", "'op' must be a string"},
      {R"({"op":"ping","id":[1]})", "", "bad_request", "'id' must be a number or a string"},
      {R"({"id":3,"op":"subscribe","channels":"book:btse:BTC-USD"})", "3", "bad_request",
       "'channels' must be an array of strings"},
      {R"({"op":"subscribe","channels":[1],"id":3})", "", "bad_request", "'channels' must be an array of strings"},
      {R"({"id":4})", "4", "bad_request", "missing 'op'"},
      {R"({"op":"publish","id":5})", "5", "unknown_op", "op must be subscribe, unsubscribe, list or ping"},
      {R"({"op":"unsubscribe","id":6,"channels":[]})", "6", "bad_request",
       "'channels' must list at least one channel"},
      {R"({"op":"subscribe","id":6})", "6", "bad_request", "'channels' must list at least one channel"},
  };
  for (const auto& c : cases) {
    const auto p = parse(c.text);
    EXPECT_FALSE(p.ok) << c.text;
    EXPECT_EQ(p.err.id, c.id) << c.text;
    EXPECT_EQ(p.err.code, c.code) << c.text;
    EXPECT_EQ(p.err.message, c.message) << c.text;
  }
}

}  // namespace
}  // namespace mdhub
