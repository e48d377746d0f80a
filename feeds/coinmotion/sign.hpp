#pragma once
// Coinmotion private-request signing: HMAC-SHA512 over the exact JSON body bytes sent
// (which include the `nonce`). Only used when credentials are configured; public rates need
// none. Thread-safe (pure functions).
#include <string>
#include <string_view>

namespace mdhub::coinmotion {

/// Both public clients send lower-case hex; the seed document's example looks like base64.
enum class SigEncoding { hex, base64 };
/// "hex" or "base64" (the `sig_encoding` option); false on anything else.
bool parse_sig_encoding(std::string_view text, SigEncoding& out);

/// Value of the `X-COINMOTION-SIGNATURE` header for `body`, sent byte for byte as signed.
std::string sign_body(std::string_view secret, std::string_view body, SigEncoding enc = SigEncoding::hex);

}  // namespace mdhub::coinmotion
