#pragma once
// BTSE request signing (only used when credentials are configured; public market data needs
// none). Signature = lower-case hex HMAC-SHA384(key = API secret, message = urlPath + nonce +
// body), where urlPath excludes the `/spot` prefix (e.g. `/api/v3.2/order`), nonce is the
// current time in ms and body the exact JSON sent (empty for GET). Pure; thread-safe.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mdhub::btse {

/// Hex HMAC-SHA384 over path (with any leading `/spot` removed) + nonce + body.
std::string signature(std::string_view secret, std::string_view path, std::string_view nonce,
                      std::string_view body);

/// The three auth headers: `<prefix>api`, `<prefix>nonce`, `<prefix>sign`. The prefix was
/// `btse-` before 2023 and is `request-` now.
std::vector<std::pair<std::string, std::string>> auth_headers(std::string_view api_key,
                                                              std::string_view secret,
                                                              std::string_view path,
                                                              int64_t nonce_ms,
                                                              std::string_view body,
                                                              std::string_view prefix = "request-");

}  // namespace mdhub::btse
