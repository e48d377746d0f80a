#include "feeds/bitexbit/sign.hpp"

#include <algorithm>

#include "feeds/common/signer.hpp"

namespace mdhub::bitexbit {
namespace {

void quote_plus(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
        c == '.' || c == '-' || c == '~') {
      out.push_back(ch);
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
}

}  // namespace

std::string sign_v2(std::string_view secret, std::string_view path, std::string_view nonce,
                    std::string_view body) {
  std::string msg;
  msg.reserve(path.size() + nonce.size() + body.size());
  msg.append(path).append(nonce).append(body);
  return sign::hmac_hex(sign::Hash::sha256, secret, msg);
}

std::string urlencode_sorted(std::vector<std::pair<std::string, std::string>> params) {
  std::stable_sort(params.begin(), params.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out.push_back('&');
    quote_plus(out, k);
    out.push_back('=');
    quote_plus(out, v);
  }
  return out;
}

std::string sign_v1(std::string_view api_key, std::string_view secret,
                    std::vector<std::pair<std::string, std::string>> params) {
  std::string msg(api_key);
  msg += urlencode_sorted(std::move(params));
  return sign::hmac_hex(sign::Hash::sha256, secret, msg);
}

std::string sign_gateway(std::string_view api_key, std::string_view secret, std::string_view path,
                         std::string_view timeout, std::string_view body) {
  std::string msg(api_key);
  msg.append(path).append(timeout).append(body);
  return sign::hmac_hex(sign::Hash::sha256, secret, msg);
}

}  // namespace mdhub::bitexbit
