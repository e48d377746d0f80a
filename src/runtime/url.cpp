#include "src/runtime/url.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace mdhub {

namespace {

std::string lower(std::string_view s) {
  std::string r(s);
  std::transform(r.begin(), r.end(), r.begin(),
                 [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  return r;
}

uint16_t default_port(bool tls) { return tls ? 443 : 80; }

/// A DNS name or IPv4 address: letters, digits, '-', '.', '_'. Anything else (brackets,
/// spaces, control bytes) would be sent as the Host header and printed back as another URL.
bool host_name_chars(std::string_view h) {
  return std::all_of(h.begin(), h.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
  });
}

bool is_ipv6(std::string_view host) {
  // inet_pton stops at a NUL: "::1\0junk" must not pass as "::1".
  if (!std::all_of(host.begin(), host.end(), [](char c) {
        return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
      }))
    return false;
  const std::string h(host);
  unsigned char buf[16];
  return inet_pton(AF_INET6, h.c_str(), buf) == 1;
}

}  // namespace

std::string Url::host_header() const {
  std::string h;
  const bool v6 = host.find(':') != std::string::npos;
  if (v6) h.push_back('[');
  h.append(host);
  if (v6) h.push_back(']');
  if (port != default_port(tls)) h.append(":").append(std::to_string(port));
  return h;
}

std::string Url::str() const { return scheme + "://" + host_header() + target; }

Result<Url, std::string> parse_url(std::string_view text) {
  const auto sep = text.find("://");
  if (sep == std::string_view::npos) return Unexpected{std::string("url has no scheme: ") + std::string(text)};
  Url u;
  u.scheme = lower(text.substr(0, sep));
  if (u.scheme == "ws") {
    u.websocket = true;
  } else if (u.scheme == "wss") {
    u.websocket = u.tls = true;
  } else if (u.scheme == "https") {
    u.tls = true;
  } else if (u.scheme != "http") {
    return Unexpected{"unsupported url scheme '" + u.scheme + "'"};
  }
  std::string_view rest = text.substr(sep + 3);
  if (auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const auto path_at = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_at);
  std::string_view target = path_at == std::string_view::npos ? std::string_view{} : rest.substr(path_at);
  if (authority.find('@') != std::string_view::npos) return Unexpected{std::string("user info in urls is not supported")};

  std::string_view host = authority, port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return Unexpected{std::string("unterminated IPv6 literal in url")};
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Unexpected{std::string("garbage after IPv6 literal in url")};
      port = after.substr(1);
      if (port.empty()) return Unexpected{std::string("empty port in url")};
    }
  } else if (auto colon = authority.find(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty()) return Unexpected{std::string("empty port in url")};
  }
  if (host.empty()) return Unexpected{std::string("url has no host")};
  if (authority.front() == '[' ? !is_ipv6(host) : !host_name_chars(host))
    return Unexpected{std::string("bad host in url")};
  // Spaces and control bytes in the path would end or split the request line.
  if (std::any_of(target.begin(), target.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }))
    return Unexpected{std::string("space or control character in url path")};
  u.host = lower(host);
  if (port.empty()) {
    u.port = default_port(u.tls);
  } else {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
    if (ec != std::errc{} || p != port.data() + port.size() || v == 0 || v > 65535)
      return Unexpected{"bad port '" + std::string(port) + "' in url"};
    u.port = static_cast<uint16_t>(v);
  }
  if (target.empty() || target.front() == '?') u.target = "/";
  u.target += target;
  return u;
}

std::string join_target(std::string_view base_path, std::string_view target) {
  std::string r(base_path);
  if (target.empty()) return r.empty() ? std::string("/") : r;
  if (target.front() == '?') return (r.empty() ? std::string("/") : r) + std::string(target);
  while (!r.empty() && r.back() == '/') r.pop_back();
  if (target.front() != '/') r.push_back('/');
  r += target;
  return r;
}

bool is_ip_literal(std::string_view host) {
  if (host.find('\0') != std::string_view::npos) return false;
  std::string h(host);
  unsigned char buf[16];
  return inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1;
}

}  // namespace mdhub
