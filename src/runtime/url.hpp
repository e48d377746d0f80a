#pragma once
// Absolute URLs of the feed runtime: ws://, wss://, http://, https://. No I/O; pure values.
#include <cstdint>
#include <string>
#include <string_view>

#include "book/result.hpp"

namespace mdhub {

struct Url {
  std::string scheme;  ///< lower case: ws, wss, http, https
  std::string host;    ///< without brackets for IPv6 literals
  uint16_t port = 0;   ///< explicit, or 80 / 443 by scheme
  std::string target;  ///< path + query, always starting with '/'
  bool tls = false;    ///< wss or https
  bool websocket = false;

  /// `Host` header value: host, bracketed if IPv6, plus ":port" when not the default.
  std::string host_header() const;
  /// scheme://host[:port]target
  std::string str() const;
};

/// Parses an absolute URL. Rejects other schemes, user info, empty hosts and bad ports.
/// A fragment is dropped.
Result<Url, std::string> parse_url(std::string_view text);

/// Appends a REST target ("/market/markets?x=1") to a base URL's path ("/v3/api"), with
/// exactly one '/' between them; a target starting with '?' is appended as is.
std::string join_target(std::string_view base_path, std::string_view target);

/// True when `host` is an IPv4 or IPv6 literal (no SNI is sent for those).
bool is_ip_literal(std::string_view host);

}  // namespace mdhub
