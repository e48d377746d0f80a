#include "feeds/narkasa/sign.hpp"

#include "feeds/common/signer.hpp"

namespace mdhub::narkasa {

std::string encode_uri_component(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    const bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.' || c == '!' || c == '~' || c == '*' ||
                      c == '\'' || c == '(' || c == ')';
    if (keep) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string query_string(const Params& params) {
  std::string q;
  for (const auto& [k, v] : params) {
    if (!q.empty()) q.push_back('&');
    q += encode_uri_component(k);
    q.push_back('=');
    q += encode_uri_component(v);
  }
  return q;
}

std::string signature(std::string_view secret, std::string_view message) {
  return sign::hmac_hex(sign::Hash::sha256, secret, message);
}

std::string signed_query(Params params, int64_t timestamp_ms, std::string_view secret) {
  params.emplace_back("timestamp", std::to_string(timestamp_ms));
  std::string q = query_string(params);
  const std::string sig = signature(secret, q);
  q += "&signature=";
  q += sig;
  return q;
}

std::string user_stream_signature(std::string_view secret, std::string_view api_key) {
  return signature(secret, api_key);
}

}  // namespace mdhub::narkasa
