// Pure access checks: loopback addresses, token comparison, bearer header, Origin rules.
#include <gtest/gtest.h>

#include "src/net/access.hpp"

namespace mdhub::net {
namespace {

TEST(NetAccess, LoopbackHosts) {
  for (const char* h : {"127.0.0.1", "127.1.2.3", "127.255.255.255", "localhost", "LocalHost", "::1", "[::1]"})
    EXPECT_TRUE(is_loopback_host(h)) << h;
  for (const char* h : {"0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "127.0.0", "127.0.0.1.5", "127.0.0.256",
                        "127.0.0.1a", "127..0.1", "localhost.example", "example.com", "", "::2"})
    EXPECT_FALSE(is_loopback_host(h)) << h;
}

TEST(NetAccess, TokenEqual) {
  EXPECT_TRUE(token_equal("s3cret", "s3cret"));
  EXPECT_FALSE(token_equal("s3cret", "s3creT"));
  EXPECT_FALSE(token_equal("s3cret", "s3cre"));
  EXPECT_FALSE(token_equal("s3cret", "s3crets"));
  // `given` repeating a shorter `expected` is still a different length.
  EXPECT_FALSE(token_equal("ab", "abab"));
  EXPECT_FALSE(token_equal("s3cret", ""));
  EXPECT_FALSE(token_equal("", ""));
}

TEST(NetAccess, BearerToken) {
  EXPECT_EQ(bearer_token("Bearer abc"), "abc");
  EXPECT_EQ(bearer_token("bearer   abc  "), "abc");
  EXPECT_EQ(bearer_token(" BEARER\tabc"), "abc");
  EXPECT_EQ(bearer_token("Basic YWJj"), "");
  EXPECT_EQ(bearer_token("Bearerabc"), "");
  EXPECT_EQ(bearer_token("Bearer"), "");
  EXPECT_EQ(bearer_token(""), "");
}

TEST(NetAccess, SameOrigin) {
  EXPECT_TRUE(same_origin("http://127.0.0.1:8080", "127.0.0.1:8080", false));
  EXPECT_TRUE(same_origin("http://Hub.Example:8080/", "hub.example:8080", false));
  EXPECT_TRUE(same_origin("http://hub.example", "hub.example", false));
  EXPECT_TRUE(same_origin("http://hub.example", "hub.example:80", false));
  EXPECT_TRUE(same_origin("https://hub.example", "hub.example", true));
  EXPECT_TRUE(same_origin("http://[::1]:8080", "[::1]:8080", false));
  EXPECT_FALSE(same_origin("http://127.0.0.1:8081", "127.0.0.1:8080", false));
  EXPECT_FALSE(same_origin("http://evil.example:8080", "127.0.0.1:8080", false));
  EXPECT_FALSE(same_origin("https://hub.example", "hub.example", false));  // 443 vs 80
  EXPECT_FALSE(same_origin("http://hub.example", "hub.example", true));    // 80 vs 443
  EXPECT_FALSE(same_origin("null", "hub.example", false));
  EXPECT_FALSE(same_origin("file://", "hub.example", false));
  EXPECT_FALSE(same_origin("http://hub.example:8080/path", "hub.example:8080", false));
  EXPECT_FALSE(same_origin("http://hub.example:80x", "hub.example:80", false));
  EXPECT_FALSE(same_origin("http://hub.example:8080", "", false));
}

TEST(NetAccess, OriginListed) {
  const std::vector<std::string> allowed = {"https://dash.example", "http://localhost:3000/"};
  EXPECT_TRUE(origin_listed("https://dash.example", allowed));
  EXPECT_TRUE(origin_listed("HTTPS://DASH.EXAMPLE/", allowed));
  EXPECT_TRUE(origin_listed("http://localhost:3000", allowed));
  EXPECT_FALSE(origin_listed("http://dash.example", allowed));
  EXPECT_FALSE(origin_listed("https://dash.example:8443", allowed));
  EXPECT_FALSE(origin_listed("null", allowed));
  EXPECT_FALSE(origin_listed("https://dash.example", {}));
}

}  // namespace
}  // namespace mdhub::net
