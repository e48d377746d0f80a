#pragma once
// A small Beast client for the simulator tests: HTTP(S) requests and websocket sessions
// driven on the test's io_context (the simulator runs on the same one), each call running
// the context until its event happened or a deadline passed.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace mdhub::sim::test {

using namespace std::chrono_literals;

/// Runs `io` until `done()` is true or `timeout` passed; returns done().
bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds timeout = 5000ms);
/// Runs `io` for `d` (for checks that something does not happen).
void run_for(boost::asio::io_context& io, std::chrono::milliseconds d);

struct HttpResult {
  bool ok = false;  ///< a response arrived
  unsigned status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string header(std::string_view name) const;
};

/// One request on a fresh connection to 127.0.0.1:port. `ca_file` set: https, verifying
/// the server against that CA (host name 127.0.0.1).
HttpResult http(boost::asio::io_context& io, uint16_t port, const std::string& method, const std::string& target,
                const std::string& body = {}, std::chrono::milliseconds timeout = 5000ms,
                const std::string& ca_file = {});

class WsClient {
 public:
  /// Connects to ws://127.0.0.1:port{path}; check connected().
  WsClient(boost::asio::io_context& io, uint16_t port, const std::string& path);
  ~WsClient();
  bool connected() const;
  bool closed() const;
  void send(const std::string& text);
  /// The next received text frame, or nullopt after the timeout / on close.
  std::optional<std::string> next(std::chrono::milliseconds timeout = 5000ms);
  /// Frames received and not yet taken.
  size_t pending() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace mdhub::sim::test
