#include <gtest/gtest.h>

#include "feeds/bitexbit/sign.hpp"

namespace mdhub::bitexbit {
namespace {

// No published vectors exist; these are computed independently with
// `openssl dgst -sha256 -hmac test-secret` (see the venue notes).
TEST(BitexbitSign, V2Get) {
  EXPECT_EQ(sign_v2("test-secret", "/api/v2/private/balance", "1700000000000", ""),
            "5faac236039821f378dc0cc9f2791f9bdd05421b4c8a5572c2bae7f311745828");
}

TEST(BitexbitSign, V2Post) {
  EXPECT_EQ(sign_v2("test-secret", "/api/v2/private/order/create", "1700000000000",
                    R"({"symbol":"BTC_USD","price":"1000.0","amount":"0.001","type":"sell-limit"})"),
            "9f6d1ef8ed336d55639639694af30c23632f8134dc054609323d63c12c648a84");
}

TEST(BitexbitSign, V1SortedParams) {
  EXPECT_EQ(sign_v1("test-key", "test-secret",
                    {{"type", "buy"}, {"pair", "BTC_USD"}, {"price", "0.1"}, {"amount", "0.0001"}}),
            "61f3320f7d4cf06449a496771462c1f4e4f1511f3aabc788a07194b92503087a");
  EXPECT_EQ(urlencode_sorted({{"b", "x y"}, {"a", "1/2&3"}, {"c", "~._-"}}), "a=1%2F2%263&b=x+y&c=~._-");
}

TEST(BitexbitSign, Gateway) {
  EXPECT_EQ(sign_gateway("test-key", "test-secret", "/api/gateway/payment-methods", "1700000000500", ""),
            "c5ac34f3e657e8e76f6043a39a81111aeae0f5d4d311266c3d7ee4b337ee0b7c");
}

}  // namespace
}  // namespace mdhub::bitexbit
