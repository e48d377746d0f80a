#pragma once
// A websocket client on its own thread that subscribes to one or more channels and reads
// until the server closes: the subscriber of the in-process benchmarks and checks.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

namespace mdhub::bench {

class WsReader {
 public:
  /// `channels`: the JSON array's contents, e.g. `"book:btse:BTC-USD","bbo:btse:BTC-USD"`.
  WsReader(uint16_t port, std::string channels) {
    thread_ = std::thread([this, port, channels] {
      namespace asio = boost::asio;
      namespace websocket = boost::beast::websocket;
      try {
        asio::io_context io;
        websocket::stream<asio::ip::tcp::socket> ws(io);
        ws.next_layer().connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        ws.handshake("127.0.0.1", "/ws");
        ws.write(asio::buffer(R"({"op":"subscribe","id":1,"channels":[)" + channels + "]}"));
        boost::beast::flat_buffer buf;
        for (;;) {
          ws.read(buf);
          buf.consume(buf.size());
          messages_.fetch_add(1, std::memory_order_release);
        }
      } catch (const std::exception&) {
        // the server went away: the run is over
      }
    });
  }
  ~WsReader() { thread_.join(); }
  WsReader(const WsReader&) = delete;
  WsReader& operator=(const WsReader&) = delete;

  uint64_t messages() const { return messages_.load(std::memory_order_acquire); }

 private:
  std::atomic<uint64_t> messages_{0};
  std::thread thread_;
};

}  // namespace mdhub::bench
