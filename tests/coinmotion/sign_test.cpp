#include <gtest/gtest.h>

#include "feeds/coinmotion/sign.hpp"

namespace mdhub::coinmotion {
namespace {

// No usable published vector (the seed's header value is a placeholder); these are
// computed independently with `openssl dgst -sha512 -hmac test-secret` (see the venue notes).
constexpr const char* kBody = R"({"nonce":"1463731543"})";

TEST(CoinmotionSign, HexDefault) {
  EXPECT_EQ(sign_body("test-secret", kBody),
            "bbb849f2f4473f28b74406a677ce19358fdc0d222b043a197b6fa6aa65c3b7b7ba6a1b13e6dbcecfadd3338c92aaeffcadaa6c4c20194c51a3566861f8a1518e");
}

TEST(CoinmotionSign, Base64Option) {
  SigEncoding enc = SigEncoding::hex;
  ASSERT_TRUE(parse_sig_encoding("base64", enc));
  EXPECT_EQ(sign_body("test-secret", kBody, enc),
            "u7hJ8vRHPyi3RAamd84ZNY/cDSIrBDoZe2+mqmXDt7e6ahsT5tvOz63TM4ySqu/8rapsTCAZTFGjVmhh+KFRjg==");
  EXPECT_FALSE(parse_sig_encoding("b64", enc));
}

TEST(CoinmotionSign, SignsTheExactBytes) {
  EXPECT_NE(sign_body("test-secret", R"({"nonce": "1463731543"})"), sign_body("test-secret", kBody));
}

}  // namespace
}  // namespace mdhub::coinmotion
