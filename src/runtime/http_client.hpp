#pragma once
// HTTP/1.1 GET client for one venue's REST API on Beast, over TCP or TLS (SNI, peer and
// host-name verification). One kept-alive connection, reused request after request and
// reopened when it fails or the server closes it; a request that fails on a reused
// connection before any response byte (the server dropped the idle connection) is retried
// once on a fresh one. One request at a time: the caller queues. Every request has a
// deadline covering connect, send and the whole response, and the body is size-limited.
// Runs on one io_context thread; not thread-safe. Beast stays in the .cpp.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "src/runtime/url.hpp"

namespace boost::asio {
class io_context;
namespace ssl {
class context;
}
}  // namespace boost::asio

namespace mdhub {

struct HttpOptions {
  Url base;  ///< scheme, host and port of every request; targets are absolute paths
  std::shared_ptr<boost::asio::ssl::context> tls;  ///< for https://; a default one if null
  std::chrono::milliseconds timeout{10000};
  size_t body_limit = size_t{32} << 20;
  std::string user_agent = "mdhub/0.1";
};

struct HttpResult {
  bool ok = false;         ///< a complete response arrived (any status)
  bool timed_out = false;  ///< the deadline passed first
  unsigned status = 0;
  std::string body;
  std::string retry_after;  ///< Retry-After header, if any
  std::string error;        ///< why !ok
};

class HttpClient {
 public:
  using Done = std::function<void(HttpResult)>;

  HttpClient(boost::asio::io_context& io, HttpOptions opt);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// GETs `target` (path + query). Precondition: !busy(). `done` runs on the io_context,
  /// never inside this call.
  void get(std::string target, Done done);
  bool busy() const { return busy_; }
  /// Drops the connection; a request in flight is abandoned and its callback not called.
  void close();
  /// Connections opened so far (keep-alive reuse shows as requests > connections).
  uint64_t connections() const { return connections_; }

  struct Conn;

 private:
  void send(std::string target, Done done, bool may_retry);
  void open_conn();

  boost::asio::io_context& io_;
  HttpOptions opt_;
  std::shared_ptr<Conn> conn_;
  bool busy_ = false;
  uint64_t connections_ = 0;
};

/// What a Retry-After value turned out to be.
enum class RetryAfterForm : uint8_t { delay, epoch_s, epoch_ms, date };
/// "retry_after_delay", "retry_after_epoch_s", "retry_after_epoch_ms", "retry_after_date".
std::string_view to_string(RetryAfterForm f);

/// Delay from a Retry-After value, relative to `now_wall_ms` (a time in the past gives 0):
/// delta-seconds (RFC 9110), an IMF-fixdate HTTP-date, or - because some venues (BTSE: "will
/// give the unlocked timestamp") send the time the limit lifts - an epoch timestamp in
/// seconds or milliseconds. An integer is told apart by magnitude against now: below half
/// of now in seconds it is a delay (a delay of decades is no delay), below 30x now in
/// seconds it is epoch seconds, above that epoch milliseconds. nullopt when it is none of
/// these; `form`, if given, says which it was.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, int64_t now_wall_ms,
                                                           RetryAfterForm* form = nullptr);

}  // namespace mdhub
