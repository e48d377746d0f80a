#pragma once
// Client TLS settings shared by the feed runtime's websocket and HTTP connections. Only the
// runtime's own sources include this (it pulls in Asio SSL).
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "book/result.hpp"

namespace mdhub {

using TlsContextPtr = std::shared_ptr<boost::asio::ssl::context>;

/// TLS 1.2+ client context with peer verification against the system default CA paths plus
/// `ca_file` (PEM, optional). Connections add SNI and host-name verification per host.
/// The context is shared by every connection of one venue; it must only be used from the
/// thread that runs them.
Result<TlsContextPtr, std::string> make_client_tls(const std::string& ca_file);

}  // namespace mdhub
