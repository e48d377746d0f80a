#include "src/runtime/ws_client.hpp"

#include <openssl/ssl.h>

#include <cstring>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>
#include <limits>
#include <type_traits>

#include "feeds/common/clock.hpp"
#include "src/runtime/tls_context.hpp"

namespace mdhub {

std::string_view to_string(WsError e) {
  switch (e) {
    case WsError::resolve: return "resolve";
    case WsError::connect: return "connect";
    case WsError::tls: return "tls";
    case WsError::handshake: return "handshake";
    case WsError::timeout: return "timeout";
    case WsError::idle: return "idle";
    case WsError::too_big: return "too_big";
    case WsError::closed: return "closed";
    case WsError::io: return "io";
    case WsError::overflow: return "overflow";
  }
  return "?";
}

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

int64_t ns(std::chrono::milliseconds ms) { return static_cast<int64_t>(ms.count()) * 1'000'000; }

// Receive buffers grow to the largest message seen; give memory back after a big one.
constexpr size_t kKeepBuffer = size_t{1} << 20;

template <class Next>
constexpr bool kTls = !std::is_same_v<Next, beast::tcp_stream>;

template <class Next>
class WsClientSession final : public WsConnection, public std::enable_shared_from_this<WsClientSession<Next>> {
 public:
  template <class... NextArgs>
  WsClientSession(net::io_context& io, WsOptions opt, WsCallbacks cb, NextArgs&&... next)
      : opt_(std::move(opt)),
        cb_(std::move(cb)),
        resolver_(io),
        ws_(io.get_executor(), std::forward<NextArgs>(next)...),
        deadline_(io),
        tick_(io) {}

  void start() override {
    if (phase_ != Phase::idle) return;
    phase_ = Phase::connecting;
    auto self = this->shared_from_this();
    deadline_.expires_after(opt_.connect_timeout);
    deadline_.async_wait([self](beast::error_code ec) {
      if (!ec && self->phase_ == Phase::connecting)
        self->fail(WsError::timeout,
                   "connect timed out after " + std::to_string(self->opt_.connect_timeout.count()) + " ms");
    });
    resolver_.async_resolve(opt_.url.host, std::to_string(opt_.url.port),
                            [self](beast::error_code ec, tcp::resolver::results_type results) {
                              self->on_resolve(ec, results);
                            });
  }

  bool send(std::string text) override {
    if (phase_ != Phase::open) return false;
    if (queue_.size() >= opt_.max_queued_frames) {
      fail(WsError::overflow, "send queue over " + std::to_string(opt_.max_queued_frames) + " frames");
      return false;
    }
    queue_.push_back(std::move(text));
    if (!writing_) do_write();
    return true;
  }

  void close() override {
    closed_by_owner_ = true;
    if (phase_ == Phase::open) {
      phase_ = Phase::closing;
      tick_.cancel();
      ws_.async_close(websocket::close_code::normal,
                      [self = this->shared_from_this()](beast::error_code) {
                        self->phase_ = Phase::done;
                        self->teardown();
                      });
    } else if (phase_ == Phase::idle || phase_ == Phase::connecting) {
      phase_ = Phase::done;
      teardown();
    }
  }

  bool is_open() const override { return phase_ == Phase::open; }

 private:
  enum class Phase : uint8_t { idle, connecting, open, closing, done };

  void on_resolve(beast::error_code ec, const tcp::resolver::results_type& results) {
    if (phase_ != Phase::connecting) return;
    if (ec) return fail(WsError::resolve, "resolve " + opt_.url.host + ": " + ec.message());
    beast::get_lowest_layer(ws_).async_connect(
        results, [self = this->shared_from_this()](beast::error_code e, const tcp::endpoint&) {
          self->on_connect(e);
        });
  }

  void on_connect(beast::error_code ec) {
    if (phase_ != Phase::connecting) return;
    if (ec) return fail(WsError::connect, "connect " + opt_.url.host_header() + ": " + ec.message());
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true), ignored);
    if constexpr (kTls<Next>) {
      auto& tls = ws_.next_layer();
      if (!is_ip_literal(opt_.url.host) &&
          SSL_ctrl(tls.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                   const_cast<char*>(opt_.url.host.c_str())) != 1)
        return fail(WsError::tls, "cannot set TLS SNI host name");
      tls.set_verify_callback(net::ssl::host_name_verification(opt_.url.host));
      tls.async_handshake(net::ssl::stream_base::client,
                          [self = this->shared_from_this()](beast::error_code e) {
                            if (self->phase_ != Phase::connecting) return;
                            if (e) return self->fail(WsError::tls, "tls handshake: " + e.message());
                            self->do_upgrade();
                          });
    } else {
      do_upgrade();
    }
  }

  void do_upgrade() {
    auto t = websocket::stream_base::timeout::suggested(beast::role_type::client);
    t.handshake_timeout = opt_.connect_timeout;
    // Idle detection and protocol pings are done by on_tick(): Beast's own keep-alive gives
    // up after half the idle time when the peer ignores pings.
    t.idle_timeout = websocket::stream_base::none();
    t.keep_alive_pings = false;
    ws_.set_option(t);
    ws_.set_option(websocket::stream_base::decorator(
        [ua = opt_.user_agent](websocket::request_type& req) { req.set(beast::http::field::user_agent, ua); }));
    ws_.read_message_max(opt_.max_message);
    ws_.auto_fragment(false);
    ws_.control_callback([this](websocket::frame_type, beast::string_view) { on_rx(); });
    ws_.async_handshake(upgrade_res_, opt_.url.host_header(), opt_.url.target,
                        [self = this->shared_from_this()](beast::error_code ec) { self->on_upgrade(ec); });
  }

  void on_upgrade(beast::error_code ec) {
    if (phase_ != Phase::connecting) return;
    if (ec) {
      std::string msg = "websocket upgrade " + opt_.url.target + ": " + ec.message();
      if (upgrade_res_.result_int() != 0) msg += " (HTTP " + std::to_string(upgrade_res_.result_int()) + ")";
      return fail(WsError::handshake, msg);
    }
    deadline_.cancel();
    auto t = websocket::stream_base::timeout::suggested(beast::role_type::client);
    t.handshake_timeout = opt_.close_timeout;  // now bounds the close handshake
    t.idle_timeout = websocket::stream_base::none();
    t.keep_alive_pings = false;
    ws_.set_option(t);
    phase_ = Phase::open;
    on_rx();
    next_app_ping_ = mono_ns() + ns(opt_.ping_interval);
    arm_tick();
    do_read();
    if (cb_.on_open) cb_.on_open();
  }

  void do_read() {
    ws_.async_read(buf_, [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (phase_ == Phase::done) return;
    if (ec) {
      if (phase_ == Phase::closing) return;  // our close handshake finishes the job
      if (ec == websocket::error::closed) {
        const auto& r = ws_.reason();
        std::string msg = "closed by peer (code " + std::to_string(r.code);
        if (!r.reason.empty()) msg += ", " + std::string(r.reason.data(), r.reason.size());
        return fail(WsError::closed, msg + ")");
      }
      if (ec == websocket::error::message_too_big)
        return fail(WsError::too_big, "message over " + std::to_string(opt_.max_message) + " bytes");
      if (ec == net::error::eof || ec == net::ssl::error::stream_truncated)
        return fail(WsError::closed, "connection closed by peer without close frame");
      return fail(WsError::io, "read: " + ec.message());
    }
    on_rx();
    // The padding is reserved before the message is looked at: prepare() may move it.
    const char* pad_at = nullptr;
    size_t room = 0;
    if (opt_.read_padding != 0) {
      const auto pad = buf_.prepare(opt_.read_padding);
      std::memset(pad.data(), 0, pad.size());
      pad_at = static_cast<const char*>(pad.data());
      room = pad.size();
    }
    const auto data = buf_.data();
    const std::string_view msg(static_cast<const char*>(data.data()), data.size());
    // A flat_buffer's writable bytes follow its readable ones; checked rather than assumed.
    if (msg.data() + msg.size() != pad_at) room = 0;
    if (cb_.on_message) cb_.on_message(msg, room);
    buf_.consume(buf_.size());
    if (buf_.capacity() > kKeepBuffer) buf_.shrink_to_fit();
    if (phase_ == Phase::open) do_read();
  }

  void do_write() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(net::buffer(queue_.front()),
                    [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_write(ec); });
  }

  void on_write(beast::error_code ec) {
    writing_ = false;
    if (phase_ == Phase::done) return;
    if (ec) {
      if (phase_ == Phase::open) fail(WsError::io, "write: " + ec.message());
      return;
    }
    queue_.pop_front();
    if (!queue_.empty() && phase_ == Phase::open) do_write();
  }

  void on_rx() {
    last_rx_ = mono_ns();
    pinged_ = false;
  }

  // One timer serves the idle watchdog, the protocol ping after half the idle time, and the
  // app-level ping; it is re-armed for whichever is due first.
  void arm_tick() {
    int64_t next = std::numeric_limits<int64_t>::max();
    const int64_t idle = ns(opt_.idle_timeout);
    if (idle > 0) next = last_rx_ + (pinged_ ? idle : idle / 2);
    if (app_pings()) next = std::min(next, next_app_ping_);
    if (next == std::numeric_limits<int64_t>::max()) return;
    tick_.expires_at(Clock::time_point(std::chrono::nanoseconds(next)));
    tick_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec) self->on_tick();
    });
  }

  void on_tick() {
    if (phase_ != Phase::open) return;
    const int64_t now = mono_ns();
    const int64_t idle = ns(opt_.idle_timeout);
    if (idle > 0) {
      if (now - last_rx_ >= idle)
        return fail(WsError::idle, "nothing received for " + std::to_string(opt_.idle_timeout.count()) + " ms");
      if (!pinged_ && now - last_rx_ >= idle / 2) {
        pinged_ = true;
        if (!ping_busy_) {
          ping_busy_ = true;
          // A failed ping shows up as a read error; nothing to do here.
          ws_.async_ping({}, [self = this->shared_from_this()](beast::error_code) { self->ping_busy_ = false; });
        }
      }
    }
    if (app_pings() && now >= next_app_ping_) {
      next_app_ping_ = now + ns(opt_.ping_interval);
      if (!send(opt_.ping_text)) return;
    }
    arm_tick();
  }

  bool app_pings() const { return !opt_.ping_text.empty() && opt_.ping_interval.count() > 0; }

  void fail(WsError e, const std::string& msg) {
    if (phase_ == Phase::done) return;
    phase_ = Phase::done;
    teardown();
    // Taken out first: the callback may drop the owner's reference to this connection.
    auto cb = std::move(cb_.on_closed);
    cb_.on_closed = nullptr;
    if (cb && !closed_by_owner_) cb(e, msg);
  }

  void teardown() {
    deadline_.cancel();
    tick_.cancel();
    resolver_.cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

  WsOptions opt_;
  WsCallbacks cb_;
  tcp::resolver resolver_;
  websocket::stream<Next> ws_;
  websocket::response_type upgrade_res_;
  beast::flat_buffer buf_;
  net::steady_timer deadline_;
  net::steady_timer tick_;
  std::deque<std::string> queue_;
  Phase phase_ = Phase::idle;
  bool writing_ = false;
  bool closed_by_owner_ = false;
  bool pinged_ = false;
  bool ping_busy_ = false;
  int64_t last_rx_ = 0;
  int64_t next_app_ping_ = 0;
};

using PlainClientSession = WsClientSession<beast::tcp_stream>;
using TlsClientSession = WsClientSession<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace

std::shared_ptr<WsConnection> WsConnection::create(net::io_context& io, WsOptions opt, WsCallbacks cb) {
  if (!opt.url.tls) return std::make_shared<PlainClientSession>(io, std::move(opt), std::move(cb));
  if (!opt.tls) {
    auto ctx = make_client_tls("");
    if (ctx) {
      opt.tls = ctx.value();
    } else {
      opt.tls = std::make_shared<net::ssl::context>(net::ssl::context::tls_client);
      opt.tls->set_verify_mode(net::ssl::verify_peer);
    }
  }
  auto& ctx = *opt.tls;
  return std::make_shared<TlsClientSession>(io, std::move(opt), std::move(cb), ctx);
}

}  // namespace mdhub
