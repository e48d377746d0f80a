#include "feeds/coinmotion/sign.hpp"

#include "feeds/common/signer.hpp"

namespace mdhub::coinmotion {

bool parse_sig_encoding(std::string_view text, SigEncoding& out) {
  if (text == "hex") out = SigEncoding::hex;
  else if (text == "base64") out = SigEncoding::base64;
  else return false;
  return true;
}

std::string sign_body(std::string_view secret, std::string_view body, SigEncoding enc) {
  const std::string mac = sign::hmac(sign::Hash::sha512, secret, body);
  return enc == SigEncoding::hex ? sign::hex(mac) : sign::base64(mac);
}

}  // namespace mdhub::coinmotion
