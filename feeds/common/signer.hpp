#pragma once
// HMAC/SHA primitives for venue request signing (OpenSSL). Only used when credentials are
// configured; public market data needs none. Thread-safe.
#include <string>
#include <string_view>

namespace mdhub::sign {

enum class Hash { sha256, sha384, sha512 };

std::string hmac(Hash h, std::string_view key, std::string_view msg);  ///< raw bytes
std::string hmac_hex(Hash h, std::string_view key, std::string_view msg);
std::string sha256(std::string_view msg);  ///< raw 32 bytes
std::string hex(std::string_view bytes);   ///< lower case
std::string base64(std::string_view bytes);
/// Decodes standard base64; returns false on malformed input.
bool base64_decode(std::string_view text, std::string& out);

}  // namespace mdhub::sign
