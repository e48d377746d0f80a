#include "feeds/coinbtr/sign.hpp"

#include "feeds/common/signer.hpp"

namespace mdhub::coinbtr {

bool tauros_signature(std::string_view secret_b64, std::string_view nonce, std::string_view method,
                      std::string_view path, std::string_view body, std::string& out) {
  std::string key;
  if (!sign::base64_decode(secret_b64, key)) return false;
  std::string msg;
  msg.reserve(nonce.size() + method.size() + path.size() + body.size());
  msg.append(nonce);
  for (char c : method) msg.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  msg.append(path);
  msg.append(body);
  out = sign::base64(sign::hmac(sign::Hash::sha512, key, sign::sha256(msg)));
  return true;
}

bool tauros_headers(std::string_view api_key, std::string_view secret_b64, int64_t nonce,
                    std::string_view method, std::string_view path, std::string_view body,
                    std::string_view empty_body_as, SignedHeaders& out) {
  out.nonce = std::to_string(nonce);
  if (!tauros_signature(secret_b64, out.nonce, method, path, body.empty() ? empty_body_as : body,
                        out.signature))
    return false;
  out.authorization = "Bearer " + std::string(api_key);
  return true;
}

}  // namespace mdhub::coinbtr
