// URL parser: what parses prints (str()) as a URL that parses to the same parts.
#include "src/runtime/url.hpp"
#include "fuzz/check.hpp"

using namespace mdhub;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto r = parse_url(fuzz::text(data, size));
  if (!r) {
    fuzz::require(!r.error().empty(), "an error has a message");
    return 0;
  }
  const Url& u = *r;
  fuzz::require(!u.host.empty() && !u.target.empty() && u.target[0] == '/', "host and target are set");
  for (char c : u.host + u.target) {
    fuzz::require(static_cast<unsigned char>(c) > 0x20 && c != 0x7f, "no space or control byte in host or target");
  }
  const auto again = parse_url(u.str());
  fuzz::require(static_cast<bool>(again), "str() parses");
  fuzz::require(again->scheme == u.scheme && again->host == u.host && again->port == u.port &&
                    again->target == u.target && again->tls == u.tls,
                "str() parses to the same URL");
  (void)u.host_header();
  (void)is_ip_literal(u.host);
  (void)join_target(u.target, fuzz::text(data, size));
  return 0;
}
