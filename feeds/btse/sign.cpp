#include "feeds/btse/sign.hpp"

#include "feeds/common/signer.hpp"

namespace mdhub::btse {

std::string signature(std::string_view secret, std::string_view path, std::string_view nonce,
                      std::string_view body) {
  constexpr std::string_view kPrefix = "/spot";
  if (path.substr(0, kPrefix.size()) == kPrefix && path.size() > kPrefix.size() &&
      path[kPrefix.size()] == '/')
    path.remove_prefix(kPrefix.size());
  std::string msg;
  msg.reserve(path.size() + nonce.size() + body.size());
  msg += path;
  msg += nonce;
  msg += body;
  return sign::hmac_hex(sign::Hash::sha384, secret, msg);
}

std::vector<std::pair<std::string, std::string>> auth_headers(std::string_view api_key,
                                                              std::string_view secret,
                                                              std::string_view path,
                                                              int64_t nonce_ms,
                                                              std::string_view body,
                                                              std::string_view prefix) {
  const std::string nonce = std::to_string(nonce_ms);
  const std::string p(prefix);
  return {{p + "api", std::string(api_key)},
          {p + "nonce", nonce},
          {p + "sign", signature(secret, path, nonce, body)}};
}

}  // namespace mdhub::btse
