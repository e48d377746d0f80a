// The shared JSON writer: escaping, exact decimals, nulls, comma tracking and the error body.
#include "feeds/common/json_write.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mdhub {
namespace {

TEST(JsonWrite, EscapesQuotesBackslashesAndControlsKeepingPlainRuns) {
  std::string out = "x";
  json_escape(std::string_view("a\"b\\c\nd\re\tf\x01g\x1fh\x7f\xc3\xa9", 18), out);
  EXPECT_EQ(out, "xa\\\"b\\\\c\\nd\\re\\tf\\u0001g\\u001fh\x7f\xc3\xa9");
  out.clear();
  json_escape("", out);
  EXPECT_EQ(out, "");
  json_escape("\"", out);
  EXPECT_EQ(out, "\\\"");
}

TEST(JsonWrite, FieldWritersSpeakThePayloadFormat) {
  std::string out = "{";
  jsonw::key(out, "p", true);
  jsonw::dec(out, 123450, 4);
  jsonw::key(out, "q");
  jsonw::dec(out, kNone, 4);
  jsonw::key(out, "n");
  jsonw::num(out, -42);
  jsonw::key(out, "m");
  jsonw::num(out, kNone);
  jsonw::key(out, "k\"");
  jsonw::str(out, "v\\");
  out += '}';
  EXPECT_EQ(out, R"({"p":"12.345","q":null,"n":-42,"m":null,"k\"":"v\\"})");
}

TEST(JsonWrite, DecimalsPadToTheRequestedDigits) {
  std::string out;
  jsonw::decimal(out, 36235, 0, 1);
  EXPECT_EQ(out, "36235.0");
  out.clear();
  jsonw::decimal(out, 15, 1, 3);
  EXPECT_EQ(out, "1.500");
  out.clear();
  jsonw::decimal(out, -1234, 2, 1);  // already longer than asked: unchanged
  EXPECT_EQ(out, "-12.34");
  out.clear();
  jsonw::decimal(out, 5, 3);
  EXPECT_EQ(out, "0.005");
  EXPECT_EQ(JsonWriter::decimal(7, 0, 2), "7.00");
}

TEST(JsonWrite, ErrorBodyIsEscaped) {
  EXPECT_EQ(jsonw::error("bad_request", "no \"x\"\n"),
            R"({"error":{"code":"bad_request","message":"no \"x\"\n"}})");
}

TEST(JsonWrite, WriterTracksCommasPerLevel) {
  JsonWriter w;
  w.obj().key("a").arr().num(1).dec(15, 1).sdec(15, 1, 3).fdec(3, 0, 1).dec(kNone, 2).sdec(kNone, 2).end();
  w.key("b").obj().key("c").boolean(true).key("d").null().key("e").raw("[]").end();
  w.key("f").str("g").end();
  EXPECT_EQ(w.text(), R"({"a":[1,1.5,"1.500",3.0,null,null],"b":{"c":true,"d":null,"e":[]},"f":"g"})");
  EXPECT_EQ(w.take(), R"({"a":[1,1.5,"1.500",3.0,null,null],"b":{"c":true,"d":null,"e":[]},"f":"g"})");
}

}  // namespace
}  // namespace mdhub
