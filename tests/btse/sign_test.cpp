#include <gtest/gtest.h>

#include "feeds/btse/sign.hpp"

namespace mdhub::btse {
namespace {

// The official documentation's example (API v3.2, "Authentication").
constexpr std::string_view kSecret = "848db84ac252b6726e5f6e7a711d9c96d9fd77d020151b45839a5b59c37203bx";
constexpr std::string_view kBody =
    R"({"postOnly":false,"price":8500.0,"side":"BUY","size":0.002,"stopPrice":0.0,"symbol":"BTC-USD",)"
    R"("time_in_force":"GTC","trailValue":0.0,"triggerPrice":0.0,"txType":"LIMIT","type":"LIMIT"})";
constexpr std::string_view kExpected =
    "e9cd0babdf497b536d1e48bc9cf1fadad3426b36406b5747d77ae4e3cdc9ab556863f2d0cf78e0228c39a064ad43afb7";

TEST(BtseSign, OfficialVector) {
  EXPECT_EQ(signature(kSecret, "/api/v3.2/order", "1624985375123", kBody), kExpected);
}

TEST(BtseSign, SpotPrefixIsNotSigned) {
  EXPECT_EQ(signature(kSecret, "/spot/api/v3.2/order", "1624985375123", kBody), kExpected);
}

TEST(BtseSign, Headers) {
  const auto h = auth_headers("key", kSecret, "/api/v3.2/order", 1624985375123, kBody);
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0], (std::pair<std::string, std::string>{"request-api", "key"}));
  EXPECT_EQ(h[1], (std::pair<std::string, std::string>{"request-nonce", "1624985375123"}));
  EXPECT_EQ(h[2].first, "request-sign");
  EXPECT_EQ(h[2].second, kExpected);
  EXPECT_EQ(auth_headers("key", kSecret, "/api/v3.2/order", 1, "", "btse-")[0].first, "btse-api");
}

}  // namespace
}  // namespace mdhub::btse
