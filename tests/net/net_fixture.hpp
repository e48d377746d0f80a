#pragma once
// Test harness: a Server on its own io_context thread, bound to an ephemeral loopback port,
// plus blocking Beast clients on the test thread. Server methods are only ever called on
// the io thread (via on_io), as the server requires.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <atomic>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>

#include "src/net/server.hpp"

namespace mdhub::net::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

using Response = http::response<http::string_body>;

/// Server + io thread. Routes are registered in `setup` before the thread starts.
class ServerHarness {
 public:
  explicit ServerHarness(ServerOptions opts, const std::function<void(Server&)>& setup,
                         bool keep_running = true) {
    server_ = std::make_unique<Server>(io_, std::move(opts));
    setup(*server_);
    port_ = server_->listen("127.0.0.1", 0);
    if (keep_running) guard_.emplace(io_.get_executor());
    thread_ = std::thread([this] {
      io_.run();
      ran_out_.set_value();
    });
  }

  ~ServerHarness() {
    if (!ran_out_within(std::chrono::milliseconds(0))) {
      on_io([this] {
        server_.reset();
        return 0;
      });
      guard_.reset();
      io_.stop();
    }
    thread_.join();
    server_.reset();  // the io thread is gone: safe here
  }

  ServerHarness(const ServerHarness&) = delete;
  ServerHarness& operator=(const ServerHarness&) = delete;

  uint16_t port() const { return port_; }
  /// Destroys the Server on the io thread (the io_context keeps running).
  void destroy_server() {
    on_io([this] {
      server_.reset();
      return 0;
    });
  }
  asio::io_context& io() { return io_; }
  Server& server() { return *server_; }

  /// Runs `f` on the io thread and returns its result.
  template <class F>
  auto on_io(F f) -> std::invoke_result_t<F> {
    using R = std::invoke_result_t<F>;
    std::promise<R> p;
    auto fut = p.get_future();
    asio::post(io_, [&] { p.set_value(f()); });
    return fut.get();
  }

  /// True once io_context::run() has returned (waits up to `d`).
  bool ran_out_within(std::chrono::milliseconds d) {
    return ran_out_future_.wait_for(d) == std::future_status::ready;
  }

  /// Polls an io-thread condition until it holds (for state changes caused by the peer,
  /// which have no event the test thread could wait on). False after `limit`.
  template <class F>
  bool eventually(F cond, std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (on_io(cond)) return true;
      std::this_thread::yield();
    }
    return false;
  }

 private:
  asio::io_context io_;
  std::unique_ptr<Server> server_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard_;
  std::promise<void> ran_out_;
  std::future<void> ran_out_future_ = ran_out_.get_future();
  std::thread thread_;
  uint16_t port_ = 0;
};

/// A blocking HTTP/1.1 client on one keep-alive connection.
class HttpClient {
 public:
  explicit HttpClient(uint16_t port) : stream_(ioc_) {
    stream_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }

  Response request(http::verb method, std::string target, std::string body = {},
                   bool keep_alive = true) {
    send(method, std::move(target), std::move(body), keep_alive);
    return read();
  }

  void send(http::verb method, std::string target, std::string body = {}, bool keep_alive = true) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.keep_alive(keep_alive);
    if (!body.empty() || method == http::verb::post) {
      req.body() = std::move(body);
      req.prepare_payload();
    }
    http::write(stream_, req);
  }

  void send_raw(std::string_view bytes) { asio::write(stream_, asio::buffer(bytes)); }

  Response read() {
    Response res;
    http::read(stream_, buffer_, res);
    return res;
  }

  /// Reads until the server closes; returns the error (eof on a clean close).
  beast::error_code read_until_closed() {
    beast::error_code ec;
    char tmp[4096];
    while (!ec) stream_.socket().read_some(asio::buffer(tmp), ec);
    return ec;
  }

  beast::tcp_stream& stream() { return stream_; }
  beast::flat_buffer& buffer() { return buffer_; }

 private:
  asio::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

/// A blocking websocket client.
class WsClient {
 public:
  explicit WsClient(uint16_t port, const std::string& target = "/ws") : ws_(ioc_) {
    beast::get_lowest_layer(ws_).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    ws_.read_message_max(64u << 20);
    ws_.handshake(handshake_response_, "127.0.0.1", target);
  }

  const websocket::response_type& handshake_response() const { return handshake_response_; }

  void write(std::string_view text, bool binary = false) {
    ws_.binary(binary);
    ws_.write(asio::buffer(text));
  }

  std::string read() {
    beast::flat_buffer buf;
    ws_.read(buf);
    return beast::buffers_to_string(buf.data());
  }

  /// Reads until an error; returns it (websocket::error::closed after a close frame).
  beast::error_code read_until_error() {
    beast::error_code ec;
    beast::flat_buffer buf;
    while (!ec) {
      ws_.read(buf, ec);
      buf.clear();
    }
    return ec;
  }

  websocket::stream<beast::tcp_stream>& ws() { return ws_; }

 private:
  asio::io_context ioc_;
  websocket::stream<beast::tcp_stream> ws_;
  websocket::response_type handshake_response_;
};

inline SharedText text(std::string s) { return std::make_shared<const std::string>(std::move(s)); }

}  // namespace mdhub::net::test
