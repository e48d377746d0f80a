#pragma once
// HOST:PORT addresses, apart from the server so that config parsing needs no Asio. Pure.
#include <cstdint>
#include <string>
#include <string_view>

namespace mdhub::net {

/// "127.0.0.1:8080" or "[::1]:8080" -> host ("::1" without brackets), port. False on a
/// malformed address: no or empty host, missing, non-numeric or out-of-range port.
bool split_host_port(std::string_view addr, std::string& host, uint16_t& port);

}  // namespace mdhub::net
