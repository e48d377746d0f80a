#pragma once
// bitexbit private-request signing: three HMAC-SHA256 schemes (hex output), one per API
// generation. Only used when credentials are configured; public market data needs none.
// Thread-safe (pure functions).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mdhub::bitexbit {

/// API v2 (`X-API-Key`, `X-Nonce`, `X-Signature`): HMAC(secret, path + nonce + body) with
/// `path` without the query (e.g. `/api/v2/private/balance`), `body` empty for GET.
std::string sign_v2(std::string_view secret, std::string_view path, std::string_view nonce,
                    std::string_view body);

/// `key=value&...` sorted by key, encoded like Python's urlencode (quote_plus: space `+`,
/// unreserved `A-Z a-z 0-9 _ . - ~` kept, everything else `%XX`).
std::string urlencode_sorted(std::vector<std::pair<std::string, std::string>> params);

/// API v1 (`X-KEY`, `X-SIGN`, `X-NONCE`): HMAC(secret, api_key + urlencode_sorted(params)).
/// The nonce is sent but not signed.
std::string sign_v1(std::string_view api_key, std::string_view secret,
                    std::vector<std::pair<std::string, std::string>> params);

/// Payment gateway (`X-Key`, `X-Timeout`, `X-Sign`): HMAC(secret, api_key + path + timeout
/// + body), `timeout` = now in ms + 500 as decimal text.
std::string sign_gateway(std::string_view api_key, std::string_view secret, std::string_view path,
                         std::string_view timeout, std::string_view body);

}  // namespace mdhub::bitexbit
