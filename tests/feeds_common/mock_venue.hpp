#pragma once
// A scriptable venue for the feed-runtime tests: HTTP/1.1 (keep-alive) and websocket
// upgrades on one loopback port (port 0), plain or TLS, running on the test's io_context.
// Handlers run on that io_context. Destroy it only when the io_context will not run again
// (the fixtures destroy the io_context right after).
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace mdhub::test {

struct MockRequest {
  std::string target;
  int conn = 0;  ///< TCP connection number, from 1
  int64_t mono_ns = 0;
};

struct MockReply {
  unsigned status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  int delay_ms = 0;
  bool hang = false;   ///< never answer (the connection stays open)
  bool close = false;  ///< Connection: close
};

/// One accepted websocket.
class MockPeer {
 public:
  virtual ~MockPeer() = default;
  virtual void send(std::string text) = 0;
  virtual void close() = 0;  ///< close frame
  virtual void drop() = 0;   ///< TCP close without a close frame
  int conn = 0;
  std::string target;
  std::vector<std::string> received;
  int pings = 0;
  bool open = true;
};

class MockVenue {
 public:
  explicit MockVenue(boost::asio::io_context& io, std::shared_ptr<boost::asio::ssl::context> tls = nullptr);
  ~MockVenue();
  uint16_t port() const { return port_; }
  std::string http_url() const;
  std::string ws_url(const std::string& path) const;

  std::function<MockReply(const MockRequest&)> on_http;
  std::function<void(MockPeer&, const std::string&)> on_ws_message;
  bool ws_read = true;  ///< false: read nothing after the upgrade (no pongs either)

  std::vector<MockRequest> requests;
  std::vector<std::shared_ptr<MockPeer>> peers;
  int connections = 0;
  int max_concurrent_http = 0;
  int current_http = 0;

  /// Peers that connected to `target`, oldest first.
  std::vector<std::shared_ptr<MockPeer>> peers_on(const std::string& target) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
};

/// Server context from a PEM certificate chain and key.
std::shared_ptr<boost::asio::ssl::context> server_tls(const std::string& cert, const std::string& key);

}  // namespace mdhub::test
