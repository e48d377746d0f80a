#pragma once
// Small pure helpers of the HTTP server: request-target decoding, route matching, JSON
// error bodies. No I/O, no Beast; thread-safe (stateless).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "feeds/common/json_write.hpp"

namespace mdhub::net::detail {

/// Decodes %XX escapes (and '+' as a space when `plus_is_space`, for query strings).
/// False on a malformed escape or a decoded NUL byte.
bool percent_decode(std::string_view in, bool plus_is_space, std::string& out);

/// Splits an origin-form target ("/p/a%20th?x=1&y") into the decoded path and decoded
/// query pairs ("y" -> {"y",""}). False when the target is not origin-form or malformed.
bool parse_target(std::string_view target, std::string& path,
                  std::vector<std::pair<std::string, std::string>>& query);

/// Route rule: equal, or a prefix when the route ends in '/'.
inline bool route_matches(std::string_view route, std::string_view path) {
  if (!route.empty() && route.back() == '/') return path.starts_with(route);
  return path == route;
}

/// {"error":{"code":"...","message":"..."}}
std::string json_error(std::string_view code, std::string_view message);

}  // namespace mdhub::net::detail
