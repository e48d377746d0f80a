#include "src/net/host_port.hpp"

#include <charconv>

namespace mdhub::net {

bool split_host_port(std::string_view addr, std::string& host, uint16_t& port) {
  std::string_view h, p;
  if (!addr.empty() && addr.front() == '[') {
    const size_t close = addr.find(']');
    if (close == std::string_view::npos || close + 1 >= addr.size() || addr[close + 1] != ':') {
      return false;
    }
    h = addr.substr(1, close - 1);
    p = addr.substr(close + 2);
  } else {
    const size_t colon = addr.rfind(':');
    if (colon == std::string_view::npos) return false;
    h = addr.substr(0, colon);
    p = addr.substr(colon + 1);
    // An unbracketed IPv6 address is ambiguous: "::1:80".
    if (h.find(':') != std::string_view::npos) return false;
  }
  if (h.empty() || p.empty() || p.size() > 5) return false;
  unsigned v = 0;
  const auto [end, err] = std::from_chars(p.data(), p.data() + p.size(), v);
  if (err != std::errc{} || end != p.data() + p.size() || v > 65535) return false;
  host.assign(h);
  port = static_cast<uint16_t>(v);
  return true;
}

}  // namespace mdhub::net
