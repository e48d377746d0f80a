#include "tests/sim/client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <strings.h>

namespace mdhub::sim::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

tcp::endpoint local(uint16_t port) { return {asio::ip::make_address("127.0.0.1"), port}; }

struct Call {
  http::request<http::string_body> req;
  http::response_parser<http::string_body> parser;
  beast::flat_buffer buf;
  HttpResult result;
  bool finished = false;

  void finish(const beast::error_code& ec) {
    if (!ec) {
      auto& res = parser.get();
      result.ok = true;
      result.status = res.result_int();
      result.body = res.body();
      for (const auto& f : res) result.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    }
    finished = true;
  }
};

template <class Stream>
void exchange(const std::shared_ptr<Call>& call, const std::shared_ptr<Stream>& stream) {
  http::async_write(*stream, call->req, [call, stream](const beast::error_code& ec, size_t) {
    if (ec) return call->finish(ec);
    http::async_read(*stream, call->buf, call->parser,
                     [call, stream](const beast::error_code& e, size_t) { call->finish(e); });
  });
}

}  // namespace

bool run_until(asio::io_context& io, const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    io.restart();
    io.run_one_for(std::min<std::chrono::steady_clock::duration>(deadline - now, 20ms));
  }
  return true;
}

void run_for(asio::io_context& io, std::chrono::milliseconds d) {
  run_until(io, [] { return false; }, d);
}

std::string HttpResult::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
  return {};
}

HttpResult http(asio::io_context& io, uint16_t port, const std::string& method, const std::string& target,
                const std::string& body, std::chrono::milliseconds timeout, const std::string& ca_file) {
  auto call = std::make_shared<Call>();
  call->req = {http::string_to_verb(method), target, 11};
  call->req.set(http::field::host, "127.0.0.1");
  call->req.body() = body;
  call->req.prepare_payload();
  call->parser.body_limit(64u << 20);
  if (ca_file.empty()) {
    auto stream = std::make_shared<beast::tcp_stream>(io);
    stream->async_connect(local(port), [call, stream](const beast::error_code& ec) {
      if (ec) return call->finish(ec);
      exchange(call, stream);
    });
  } else {
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    ctx->load_verify_file(ca_file);
    ctx->set_verify_mode(asio::ssl::verify_peer);
    using Tls = beast::ssl_stream<beast::tcp_stream>;
    auto stream = std::make_shared<Tls>(io, *ctx);
    stream->set_verify_callback(asio::ssl::host_name_verification("127.0.0.1"));
    beast::get_lowest_layer(*stream).async_connect(local(port), [call, stream, ctx](const beast::error_code& ec) {
      if (ec) return call->finish(ec);
      stream->async_handshake(asio::ssl::stream_base::client, [call, stream](const beast::error_code& e) {
        if (e) return call->finish(e);
        exchange(call, stream);
      });
    });
  }
  run_until(io, [&] { return call->finished; }, timeout);
  return call->result;
}

struct WsClient::Impl : std::enable_shared_from_this<Impl> {
  explicit Impl(asio::io_context& ctx) : io(ctx), ws(ctx) {}
  asio::io_context& io;
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buf;
  std::deque<std::string> frames, outq;
  bool connected = false, closed = false, writing = false;

  void read() {
    ws.async_read(buf, [self = shared_from_this()](const beast::error_code& ec, size_t) {
      if (ec) {
        self->closed = true;
        return;
      }
      self->frames.push_back(beast::buffers_to_string(self->buf.data()));
      self->buf.consume(self->buf.size());
      self->read();
    });
  }
  void write_next() {
    writing = true;
    ws.async_write(asio::buffer(outq.front()), [self = shared_from_this()](const beast::error_code& ec, size_t) {
      self->outq.pop_front();
      self->writing = false;
      if (ec) {
        self->closed = true;
        return;
      }
      if (!self->outq.empty()) self->write_next();
    });
  }
};

WsClient::WsClient(asio::io_context& io, uint16_t port, const std::string& path) : impl_(std::make_shared<Impl>(io)) {
  auto impl = impl_;
  impl->ws.read_message_max(64u << 20);
  impl->ws.text(true);
  beast::get_lowest_layer(impl->ws).async_connect(local(port), [impl, path](const beast::error_code& ec) {
    if (ec) {
      impl->closed = true;
      return;
    }
    impl->ws.async_handshake("127.0.0.1", path, [impl](const beast::error_code& e) {
      if (e) {
        impl->closed = true;
        return;
      }
      impl->connected = true;
      impl->read();
    });
  });
  run_until(io, [&] { return impl->connected || impl->closed; });
}

WsClient::~WsClient() {
  beast::error_code ec;
  beast::get_lowest_layer(impl_->ws).socket().close(ec);
}

bool WsClient::connected() const { return impl_->connected && !impl_->closed; }
bool WsClient::closed() const { return impl_->closed; }
size_t WsClient::pending() const { return impl_->frames.size(); }

void WsClient::send(const std::string& text) {
  impl_->outq.push_back(text);
  if (!impl_->writing) impl_->write_next();
}

std::optional<std::string> WsClient::next(std::chrono::milliseconds timeout) {
  if (!run_until(impl_->io, [&] { return !impl_->frames.empty() || impl_->closed; }, timeout) || impl_->frames.empty())
    return std::nullopt;
  std::string f = std::move(impl_->frames.front());
  impl_->frames.pop_front();
  return f;
}

}  // namespace mdhub::sim::test
