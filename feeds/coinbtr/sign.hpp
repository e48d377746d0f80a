#pragma once
// Tauros (ex-CoinBTR) private-request signing. Only used when credentials are configured;
// public market data needs none. Thread-safe (pure functions).
#include <cstdint>
#include <string>
#include <string_view>

namespace mdhub::coinbtr {

/// base64(HMAC-SHA512(key = base64-decoded `secret_b64`, msg = SHA-256 of
/// `nonce + METHOD + path + body` as raw bytes)). `path` includes the `/api` prefix
/// (e.g. `/api/v2/test/`); `method` is upper-cased. False if the secret is not base64.
bool tauros_signature(std::string_view secret_b64, std::string_view nonce, std::string_view method,
                      std::string_view path, std::string_view body, std::string& out);

struct SignedHeaders {
  std::string authorization;  ///< `Bearer <api_key>`
  std::string nonce;          ///< Taur-Nonce
  std::string signature;      ///< Taur-Signature
};

/// Headers for one signed request. The docs sign no body for GET while the reference
/// python client signs `{}`: an empty `body` is signed as `empty_body_as` ("" or "{}").
/// `nonce` must increase strictly per key (e.g. ms since the epoch).
bool tauros_headers(std::string_view api_key, std::string_view secret_b64, int64_t nonce,
                    std::string_view method, std::string_view path, std::string_view body,
                    std::string_view empty_body_as, SignedHeaders& out);

}  // namespace mdhub::coinbtr
