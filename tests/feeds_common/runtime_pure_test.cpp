// URL parsing, target joining, Retry-After, backoff and token bucket: no sockets.
#include <gtest/gtest.h>

#include <fstream>
#include <limits>
#include <string>
#include <utility>

#include "src/runtime/backoff.hpp"
#include "src/runtime/http_client.hpp"
#include "src/runtime/rate_limiter.hpp"
#include "src/runtime/url.hpp"

namespace mdhub {
namespace {

TEST(RuntimeUrl, ParsesSchemesHostsPortsAndTargets) {
  auto u = parse_url("wss://ws.btse.com/ws/oss/futures");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, "wss");
  EXPECT_TRUE(u->tls);
  EXPECT_TRUE(u->websocket);
  EXPECT_EQ(u->host, "ws.btse.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/ws/oss/futures");
  EXPECT_EQ(u->host_header(), "ws.btse.com");

  u = parse_url("http://127.0.0.1:9000/narkasa/v3/api");
  ASSERT_TRUE(u);
  EXPECT_FALSE(u->tls);
  EXPECT_FALSE(u->websocket);
  EXPECT_EQ(u->port, 9000);
  EXPECT_EQ(u->target, "/narkasa/v3/api");
  EXPECT_EQ(u->host_header(), "127.0.0.1:9000");
  EXPECT_EQ(u->str(), "http://127.0.0.1:9000/narkasa/v3/api");

  u = parse_url("HTTPS://API.Example.COM");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "api.example.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/");

  u = parse_url("ws://host:80?x=1#frag");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->target, "/?x=1");
  EXPECT_EQ(u->host_header(), "host");

  u = parse_url("ws://[::1]:8443/ws");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(u->host_header(), "[::1]:8443");
}

TEST(RuntimeUrl, RejectsBadUrls) {
  EXPECT_FALSE(parse_url("ftp://x/"));
  EXPECT_FALSE(parse_url("127.0.0.1:80/x"));
  EXPECT_FALSE(parse_url("http:///x"));
  EXPECT_FALSE(parse_url("http://h:/x"));
  EXPECT_FALSE(parse_url("http://h:0/x"));
  EXPECT_FALSE(parse_url("http://h:65536/x"));
  EXPECT_FALSE(parse_url("http://h:12ab/x"));
  EXPECT_FALSE(parse_url("http://user:pw@h/x"));
  EXPECT_FALSE(parse_url("http://[::1/x"));
  EXPECT_EQ(parse_url("gopher://x").error(), "unsupported url scheme 'gopher'");
  // Found by fuzz_url: a bracketed host that is not an IPv6 address printed back (str()) as
  // a URL that does not parse; junk in a host or path would reach the request line.
  EXPECT_EQ(parse_url("http://[[]/:m:8/g").error(), "bad host in url");
  EXPECT_EQ(parse_url("http://[example.com]/x").error(), "bad host in url");
  EXPECT_EQ(parse_url("http://ex ample.com/x").error(), "bad host in url");
  EXPECT_EQ(parse_url(std::string_view("http://[::1\0\0]:8080/x", 21)).error(), "bad host in url");
  EXPECT_FALSE(is_ip_literal(std::string_view("::1\0x", 5)));
  EXPECT_EQ(parse_url("http://h/a b").error(), "space or control character in url path");
  EXPECT_EQ(parse_url("http://h/a\r\nX: y").error(), "space or control character in url path");
  EXPECT_TRUE(parse_url("http://api_1.example-host.com:81/x?y=1%20z"));
}

TEST(RuntimeUrl, JoinsRestTargets) {
  EXPECT_EQ(join_target("/narkasa/v3/api", "/market/markets"), "/narkasa/v3/api/market/markets");
  EXPECT_EQ(join_target("/narkasa/v3/api/", "/market/markets"), "/narkasa/v3/api/market/markets");
  EXPECT_EQ(join_target("/api", "markets?x=1"), "/api/markets?x=1");
  EXPECT_EQ(join_target("", "/v2/rates"), "/v2/rates");
  EXPECT_EQ(join_target("/api", "?symbol=BTC"), "/api?symbol=BTC");
  EXPECT_EQ(join_target("/api", ""), "/api");
  EXPECT_EQ(join_target("", ""), "/");
}

TEST(RuntimeUrl, IpLiterals) {
  EXPECT_TRUE(is_ip_literal("127.0.0.1"));
  EXPECT_TRUE(is_ip_literal("::1"));
  EXPECT_FALSE(is_ip_literal("localhost"));
  EXPECT_FALSE(is_ip_literal("1.2.3"));
}

// The 429 answers in btse's testdata, one per form its Retry-After may take (the simulator's
// btse.retry_after variants), each lifting the limit 1 s (1.25 s for ms) after kNow.
TEST(RuntimeRetryAfter, BtseFixturesOfEveryFormGiveTheirDelay) {
  using ms = std::chrono::milliseconds;
  constexpr int64_t kNow = 1'780'016'000'000;  // 2026-05-29 00:53:20 UTC
  const auto header = [](const char* form) {
    std::ifstream in(std::string(MDHUB_SOURCE_DIR "/feeds/btse/testdata/http429_retry_after_") + form + ".http",
                     std::ios::binary);
    EXPECT_TRUE(in.good()) << form;
    std::string line;
    while (std::getline(in, line))
      if (line.rfind("Retry-After: ", 0) == 0) return line.substr(13, line.size() - 14);  // less the \r
    ADD_FAILURE() << "no Retry-After in the " << form << " fixture";
    return std::string();
  };
  const std::pair<const char*, std::pair<RetryAfterForm, ms>> forms[] = {
      {"epoch_ms", {RetryAfterForm::epoch_ms, ms(1'250)}},
      {"epoch_s", {RetryAfterForm::epoch_s, ms(2'000)}},
      {"delay", {RetryAfterForm::delay, ms(1'000)}},
      {"date", {RetryAfterForm::date, ms(1'000)}},
  };
  for (const auto& [form, want] : forms) {
    RetryAfterForm f{};
    EXPECT_EQ(parse_retry_after(header(form), kNow, &f), want.second) << form;
    EXPECT_EQ(f, want.first) << form;
  }
}

TEST(RuntimeRetryAfter, EveryFormGivesTheExactDelay) {
  using ms = std::chrono::milliseconds;
  // 2026-05-29 00:53:20 UTC.
  constexpr int64_t kNow = 1'780'016'000'000;
  RetryAfterForm f{};
  EXPECT_EQ(parse_retry_after("120", kNow, &f), ms(120'000));
  EXPECT_EQ(f, RetryAfterForm::delay);
  EXPECT_EQ(parse_retry_after(" 3 ", kNow), ms(3'000));
  EXPECT_EQ(parse_retry_after("0", kNow, &f), ms(0));
  EXPECT_EQ(f, RetryAfterForm::delay);
  // The largest delay: just under half of now in seconds.
  EXPECT_EQ(parse_retry_after("889999999", kNow, &f), ms(889'999'999'000));
  EXPECT_EQ(f, RetryAfterForm::delay);
  // Epoch seconds: the time the limit lifts.
  EXPECT_EQ(parse_retry_after("1780016007", kNow, &f), ms(7'000));
  EXPECT_EQ(f, RetryAfterForm::epoch_s);
  EXPECT_EQ(parse_retry_after("1780015990", kNow, &f), ms(0));  // already past
  EXPECT_EQ(f, RetryAfterForm::epoch_s);
  // Epoch milliseconds.
  EXPECT_EQ(parse_retry_after("1780016001250", kNow, &f), ms(1'250));
  EXPECT_EQ(f, RetryAfterForm::epoch_ms);
  EXPECT_EQ(parse_retry_after("1780015999999", kNow, &f), ms(0));
  EXPECT_EQ(f, RetryAfterForm::epoch_ms);
  // HTTP date: Fri, 29 May 2026 00:53:25 GMT.
  EXPECT_EQ(parse_retry_after("Fri, 29 May 2026 00:53:25 GMT", kNow, &f), ms(5'000));
  EXPECT_EQ(f, RetryAfterForm::date);
  // Sun, 06 Nov 1994 08:49:37 GMT = 784111777 s.
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111770'000), ms(7'000));
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", kNow), ms(0));
  // Too many digits for int64: a time far away (the caller's bound applies).
  EXPECT_EQ(parse_retry_after("99999999999999999999", kNow, &f),
            ms(std::numeric_limits<int64_t>::max() - kNow));
  EXPECT_EQ(f, RetryAfterForm::epoch_ms);
  EXPECT_FALSE(parse_retry_after("", kNow));
  EXPECT_FALSE(parse_retry_after("-5", kNow));
  EXPECT_FALSE(parse_retry_after("soon", kNow));
  EXPECT_FALSE(parse_retry_after("1.5", kNow));
  EXPECT_FALSE(parse_retry_after("Fri, 29 May 2026 00:53:25", kNow));
  EXPECT_EQ(to_string(RetryAfterForm::epoch_ms), "retry_after_epoch_ms");
}

TEST(RuntimeBackoff, GrowsWithFullJitterUpToCapAndResets) {
  Backoff b(std::chrono::milliseconds(500), std::chrono::milliseconds(30000), 42);
  EXPECT_EQ(b.ceiling_for(0).count(), 500);
  EXPECT_EQ(b.ceiling_for(1).count(), 1000);
  EXPECT_EQ(b.ceiling_for(5).count(), 16000);
  EXPECT_EQ(b.ceiling_for(6).count(), 30000);
  EXPECT_EQ(b.ceiling_for(100).count(), 30000);
  for (int i = 0; i < 200; ++i) {
    const int before = b.attempts();
    const auto d = b.next();
    EXPECT_GE(d.count(), 250);
    EXPECT_LE(d.count(), b.ceiling_for(before).count());
  }
  EXPECT_EQ(b.attempts(), 62);
  b.reset();
  EXPECT_EQ(b.attempts(), 0);
  const auto d = b.next();
  EXPECT_GE(d.count(), 250);
  EXPECT_LE(d.count(), 500);
}

TEST(RuntimeBackoff, JitterSpreadsDelays) {
  Backoff b(std::chrono::milliseconds(100), std::chrono::milliseconds(100000), 7);
  for (int i = 0; i < 8; ++i) (void)b.next();
  int64_t lo = INT64_MAX, hi = 0;
  for (int i = 0; i < 50; ++i) {
    const auto d = b.next().count();
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  EXPECT_LT(lo, 30000);
  EXPECT_GT(hi, 70000);
}

TEST(RuntimeTokenBucket, BurstThenRefillAtRate) {
  TokenBucket tb(10, 2);  // 10/s, burst 2
  const int64_t t0 = 1'000'000'000;
  EXPECT_EQ(tb.try_take(t0), 0);
  EXPECT_EQ(tb.try_take(t0), 0);
  const int64_t wait = tb.try_take(t0);
  EXPECT_EQ(wait, 100'000'000);  // one token per 100 ms
  EXPECT_EQ(tb.try_take(t0 + 50'000'000), 50'000'000);
  EXPECT_EQ(tb.try_take(t0 + 100'000'000), 0);
  // Refill is capped at the burst.
  EXPECT_EQ(tb.try_take(t0 + 10'000'000'000), 0);
  EXPECT_EQ(tb.try_take(t0 + 10'000'000'000), 0);
  EXPECT_GT(tb.try_take(t0 + 10'000'000'000), 0);
}

TEST(RuntimeTokenBucket, ZeroRateMeansUnlimited) {
  TokenBucket tb(0, 1);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(tb.try_take(1), 0);
}

}  // namespace
}  // namespace mdhub
