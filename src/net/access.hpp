#pragma once
// Who may use the server: the pure checks behind its auth token, Origin rule and listen
// address policy. No Asio, so config validation can use them too. Thread-safe (stateless).
#include <string>
#include <string_view>
#include <vector>

namespace mdhub::net {

/// "localhost", 127.0.0.0/8 or ::1: an address only this machine can reach.
bool is_loopback_host(std::string_view host);

/// Whether `given` equals `expected`, in a time that depends only on `given`'s length (not
/// on where the first difference is), so a remote peer cannot guess a token byte by byte.
/// An empty `expected` matches nothing.
bool token_equal(std::string_view expected, std::string_view given);

/// The credentials of an `Authorization: Bearer <token>` header value ("bearer" in any
/// case, surrounding blanks ignored); empty when it is not a bearer value.
std::string_view bearer_token(std::string_view authorization);

/// Whether a browser's `Origin` (scheme://host[:port]) names the same host:port as the
/// request's `Host` header, default ports filled in (80, or 443 for https and when `tls`).
/// Case-insensitive; "null" and malformed origins are never the same.
bool same_origin(std::string_view origin, std::string_view host, bool tls);

/// Whether `origin` is one of `allowed` (case-insensitive, a trailing '/' ignored).
bool origin_listed(std::string_view origin, const std::vector<std::string>& allowed);

}  // namespace mdhub::net
