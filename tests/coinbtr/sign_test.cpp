#include <gtest/gtest.h>

#include "feeds/coinbtr/sign.hpp"

namespace mdhub::coinbtr {
namespace {

constexpr const char* kSecret =
    "ZjhiNGVhOTNlZDZkNTJlOTE5MzlhNjFjNWQwNjI2MjFhZjM4N2I5YTE4OTYyMWQ0MjU2MTliNDk3ZjYxODE1Mg==";
constexpr const char* kBody =
    R"({"age":23,"email":"moisesdelacruz.dev@gmail.com","name":"Moises De La Cruz"})";

// Published vector: coinbtr/tauros-api-python tests/test_request_post.py.
TEST(CoinbtrSign, PublishedTaurosVector) {
  std::string sig;
  ASSERT_TRUE(tauros_signature(kSecret, "12345000", "POST", "/api/v2/test/", kBody, sig));
  EXPECT_EQ(sig, "1eDbOr4oSqmzxmj0xzlsVES4V4ezLYOaALG2MU9sRRB8C4zSxqnnofN9/lRMUFcLbHbH4hRudM0pMjCxP1OBGQ==");
  std::string lower;
  ASSERT_TRUE(tauros_signature(kSecret, "12345000", "post", "/api/v2/test/", kBody, lower));
  EXPECT_EQ(lower, sig);
}

TEST(CoinbtrSign, Headers) {
  SignedHeaders h;
  ASSERT_TRUE(tauros_headers("my-key", kSecret, 12345000, "POST", "/api/v2/test/", kBody, "", h));
  EXPECT_EQ(h.authorization, "Bearer my-key");
  EXPECT_EQ(h.nonce, "12345000");
  EXPECT_EQ(h.signature, "1eDbOr4oSqmzxmj0xzlsVES4V4ezLYOaALG2MU9sRRB8C4zSxqnnofN9/lRMUFcLbHbH4hRudM0pMjCxP1OBGQ==");

  // GET: the empty body is signed as configured.
  SignedHeaders empty, braces;
  ASSERT_TRUE(tauros_headers("k", kSecret, 1, "GET", "/api/v1/data/listbalances/", "", "", empty));
  ASSERT_TRUE(tauros_headers("k", kSecret, 1, "GET", "/api/v1/data/listbalances/", "", "{}", braces));
  std::string want;
  ASSERT_TRUE(tauros_signature(kSecret, "1", "GET", "/api/v1/data/listbalances/", "{}", want));
  EXPECT_EQ(braces.signature, want);
  EXPECT_NE(empty.signature, braces.signature);
}

TEST(CoinbtrSign, RejectsSecretThatIsNotBase64) {
  std::string sig;
  EXPECT_FALSE(tauros_signature("not base64!", "1", "GET", "/api/", "", sig));
}

}  // namespace
}  // namespace mdhub::coinbtr
