#include "src/net/access.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace mdhub::net {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// "host:port" / "[v6]:port" / "host" -> host (brackets kept) and port (or `dflt`).
bool host_and_port(std::string_view hp, uint16_t dflt, std::string_view& host, uint16_t& port) {
  size_t colon = std::string_view::npos;
  if (!hp.empty() && hp.front() == '[') {
    const size_t close = hp.find(']');
    if (close == std::string_view::npos) return false;
    if (close + 1 < hp.size()) {
      if (hp[close + 1] != ':') return false;
      colon = close + 1;
    }
  } else {
    colon = hp.find(':');
  }
  host = hp.substr(0, colon);
  port = dflt;
  if (colon != std::string_view::npos) {
    const std::string_view p = hp.substr(colon + 1);
    unsigned v = 0;
    const auto [end, err] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (p.empty() || err != std::errc{} || end != p.data() + p.size() || v > 65535) return false;
    port = static_cast<uint16_t>(v);
  }
  return !host.empty();
}

}  // namespace

bool is_loopback_host(std::string_view host) {
  if (iequal(host, "localhost") || host == "::1" || host == "[::1]") return true;
  // 127.a.b.c, each part a decimal byte.
  if (!host.starts_with("127.")) return false;
  int parts = 0;
  for (size_t i = 0; i <= host.size();) {
    const size_t dot = std::min(host.find('.', i), host.size());
    const std::string_view p = host.substr(i, dot - i);
    unsigned v = 0;
    const auto [end, err] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (p.empty() || p.size() > 3 || err != std::errc{} || end != p.data() + p.size() || v > 255) return false;
    ++parts;
    i = dot + 1;
  }
  return parts == 4;
}

bool token_equal(std::string_view expected, std::string_view given) {
  if (expected.empty()) return false;
  // Every byte of `given` is compared (against `expected` repeated), whatever matched before.
  unsigned diff = expected.size() == given.size() ? 0u : 1u;
  for (size_t i = 0; i < given.size(); ++i) {
    diff |= static_cast<unsigned>(static_cast<unsigned char>(given[i]) ^
                                  static_cast<unsigned char>(expected[i % expected.size()]));
  }
  return diff == 0;
}

std::string_view bearer_token(std::string_view authorization) {
  const std::string_view v = trim(authorization);
  constexpr std::string_view scheme = "bearer";
  if (v.size() <= scheme.size() || !iequal(v.substr(0, scheme.size()), scheme)) return {};
  if (v[scheme.size()] != ' ' && v[scheme.size()] != '\t') return {};
  return trim(v.substr(scheme.size()));
}

bool same_origin(std::string_view origin, std::string_view host, bool tls) {
  const size_t sep = origin.find("://");
  if (sep == std::string_view::npos) return false;
  const std::string_view scheme = origin.substr(0, sep);
  uint16_t origin_default = 0;
  if (iequal(scheme, "http")) origin_default = 80;
  else if (iequal(scheme, "https")) origin_default = 443;
  else return false;
  std::string_view origin_hp = origin.substr(sep + 3);
  if (!origin_hp.empty() && origin_hp.back() == '/') origin_hp.remove_suffix(1);
  if (origin_hp.find('/') != std::string_view::npos) return false;
  std::string_view oh, hh;
  uint16_t op = 0, hp = 0;
  if (!host_and_port(origin_hp, origin_default, oh, op)) return false;
  if (!host_and_port(trim(host), tls ? 443 : 80, hh, hp)) return false;
  return op == hp && iequal(oh, hh);
}

bool origin_listed(std::string_view origin, const std::vector<std::string>& allowed) {
  const auto strip = [](std::string_view s) {
    s = trim(s);
    if (!s.empty() && s.back() == '/') s.remove_suffix(1);
    return s;
  };
  const std::string_view o = strip(origin);
  for (const auto& a : allowed) {
    if (iequal(strip(a), o)) return true;
  }
  return false;
}

}  // namespace mdhub::net
