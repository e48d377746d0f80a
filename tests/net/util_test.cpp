// Pure helpers: address splitting, target decoding, route rule, JSON errors.
#include <gtest/gtest.h>

#include "src/net/http_util.hpp"
#include "src/net/server.hpp"

namespace mdhub::net {
namespace {

TEST(NetUtil, SplitHostPortAccepts) {
  std::string host;
  uint16_t port = 1;
  ASSERT_TRUE(split_host_port("127.0.0.1:8080", host, port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 8080);
  ASSERT_TRUE(split_host_port("[::1]:65535", host, port));
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 65535);
  ASSERT_TRUE(split_host_port("localhost:0", host, port));
  EXPECT_EQ(host, "localhost");
  EXPECT_EQ(port, 0);
}

TEST(NetUtil, SplitHostPortRejects) {
  std::string host = "keep";
  uint16_t port = 7;
  for (const char* bad : {"", "127.0.0.1", "127.0.0.1:", ":8080", "host:80x", "host:-1",
                          "host:+80", "host:65536", "host:123456", "::1:80", "[::1]80", "[::1]",
                          "[::1:80", "[]:80", "host: 80"}) {
    EXPECT_FALSE(split_host_port(bad, host, port)) << bad;
  }
  EXPECT_EQ(host, "keep");
  EXPECT_EQ(port, 7);
}

TEST(NetUtil, PercentDecode) {
  std::string out;
  ASSERT_TRUE(detail::percent_decode("a%20b%2fC+d", false, out));
  EXPECT_EQ(out, "a b/C+d");
  ASSERT_TRUE(detail::percent_decode("a+b%2B", true, out));
  EXPECT_EQ(out, "a b+");
  ASSERT_TRUE(detail::percent_decode("%E2%82%AC", false, out));
  EXPECT_EQ(out, "\xE2\x82\xAC");
  for (const char* bad : {"%", "%2", "%zz", "a%g0", "%00"}) {
    EXPECT_FALSE(detail::percent_decode(bad, false, out)) << bad;
  }
}

TEST(NetUtil, ParseTarget) {
  std::string path;
  std::vector<std::pair<std::string, std::string>> q;
  ASSERT_TRUE(detail::parse_target("/p%41th?a=1&b&=v&c=x%3Dy#frag", path, q));
  EXPECT_EQ(path, "/pAth");
  using Q = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(q, (Q{{"a", "1"}, {"b", ""}, {"", "v"}, {"c", "x=y"}}));
  ASSERT_TRUE(detail::parse_target("/", path, q));
  EXPECT_EQ(path, "/");
  EXPECT_TRUE(q.empty());
  EXPECT_FALSE(detail::parse_target("http://host/x", path, q));
  EXPECT_FALSE(detail::parse_target("*", path, q));
  EXPECT_FALSE(detail::parse_target("", path, q));
  EXPECT_FALSE(detail::parse_target("/x?a=%", path, q));
}

TEST(NetUtil, RouteRule) {
  EXPECT_TRUE(detail::route_matches("/a", "/a"));
  EXPECT_FALSE(detail::route_matches("/a", "/a/"));
  EXPECT_FALSE(detail::route_matches("/a", "/ab"));
  EXPECT_TRUE(detail::route_matches("/a/", "/a/"));
  EXPECT_TRUE(detail::route_matches("/a/", "/a/b/c"));
  EXPECT_FALSE(detail::route_matches("/a/", "/a"));
  EXPECT_TRUE(detail::route_matches("/", "/anything"));
}

TEST(NetUtil, JsonErrorEscapes) {
  EXPECT_EQ(detail::json_error("not_found", "no route for /a\"b\\c\n\x01"),
            R"({"error":{"code":"not_found","message":"no route for /a\"b\\c\n\u0001"}})");
}

}  // namespace
}  // namespace mdhub::net
