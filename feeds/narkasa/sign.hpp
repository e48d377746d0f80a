#pragma once
// Narkasa request signing (only used when credentials are configured; public market data
// needs none). Signature = lower-case hex HMAC-SHA256(key = API secret, message = the
// query string `k1=v1&...&timestamp=<ms>` exactly as sent, values encoded like JavaScript's
// encodeURIComponent), sent as the `signature` parameter with the key in the
// `X-APNK-APIKEY` header. Pure functions; thread-safe.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mdhub::narkasa {

using Params = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::string_view kApiKeyHeader = "X-APNK-APIKEY";

/// Percent-encodes everything but A-Z a-z 0-9 - _ . ! ~ * ' ( ) (encodeURIComponent).
std::string encode_uri_component(std::string_view s);
/// `k1=v1&k2=v2` in the given order, keys and values encoded.
std::string query_string(const Params& params);
/// Hex HMAC-SHA256 of `message` keyed with `secret`.
std::string signature(std::string_view secret, std::string_view message);
/// The full signed query: params, then `timestamp`, then `signature` over everything before
/// it. `windowSize` is deliberately not added: whether the venue signs it is unknown.
std::string signed_query(Params params, int64_t timestamp_ms, std::string_view secret);
/// The websocket USER_STREAMS signature: HMAC-SHA256(secret, api key).
std::string user_stream_signature(std::string_view secret, std::string_view api_key);

}  // namespace mdhub::narkasa
