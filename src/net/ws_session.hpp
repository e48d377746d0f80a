#pragma once
// Private to src/net: one websocket connection, templated on the byte stream (plain TCP or
// TLS) and instantiated in session_plain.cpp / session_tls.cpp. Single-threaded on the
// server's io_context. One read loop runs for the whole life of the session (it also
// answers pings and the peer's close); writes go one frame at a time from a bounded queue.
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "src/net/server_core.hpp"

namespace mdhub::net::detail {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace asio = boost::asio;

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using Request = http::request<http::string_body>;

/// A close handshake (including the frames queued before it) that takes longer than this
/// is cut short, so a peer that stopped reading cannot hold the session.
inline constexpr std::chrono::seconds kCloseTimeout{5};
/// The same during stop(), which must let the process exit promptly.
inline constexpr std::chrono::milliseconds kStopCloseTimeout{1000};

template <class Stream>
class WsSessionImpl final : public WsSession,
                            public Closable,
                            public std::enable_shared_from_this<WsSessionImpl<Stream>> {
 public:
  WsSessionImpl(std::shared_ptr<ServerCore> core, Stream&& stream, ConnectionSlot slot,
                std::shared_ptr<const WsHandler> handler, std::string path, std::string target)
      : core_(std::move(core)),
        slot_(std::move(slot)),
        handler_(std::move(handler)),
        path_(std::move(path)),
        target_(std::move(target)),
        ws_(std::in_place, std::move(stream)),
        close_timer_(std::in_place, ws_->get_executor()) {}

  ~WsSessionImpl() override {
    if (id_ != 0) core_->remove_live(id_);
  }

  void run(Request req) {
    id_ = core_->add_live(this->weak_from_this());
    auto& ws = *ws_;
    beast::get_lowest_layer(ws).expires_never();  // the websocket has its own timeouts
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "mdhub"); }));
    websocket::permessage_deflate pmd;
    pmd.server_enable = false;
    pmd.client_enable = false;
    ws.set_option(pmd);
    // The size limit is enforced by the read loop, so the handler can answer before the
    // close; Beast's own limit would close with 1009 at once.
    ws.read_message_max(0);
    // One queued message = one frame on the wire, written straight from the shared buffer.
    ws.auto_fragment(false);
    req_ = std::move(req);
    accepting_ = true;
    ws.async_accept(req_, beast::bind_front_handler(&WsSessionImpl::on_accept,
                                                    this->shared_from_this()));
  }

  // WsSession
  uint64_t id() const override { return id_; }
  const std::string& path() const override { return path_; }
  const std::string& target() const override { return target_; }
  size_t queued_frames() const override { return frames_; }
  size_t queued_bytes() const override { return bytes_; }

  bool send(SharedText msg) override {
    if (!msg || state_ != State::open) return false;
    const size_t size = msg->size();
    if (size > core_->opts.max_ws_frame_out) return false;
    if (frames_ > 0 && (frames_ + 1 > core_->opts.ws_queue_frames ||
                        bytes_ + size > core_->opts.ws_queue_bytes)) {
      refused_ = true;
      return false;
    }
    queue_.push_back(std::move(msg));
    bytes_ += size;
    ++frames_;
    if (!inflight_) do_write();
    return true;
  }

  void close(uint16_t code, std::string reason) override {
    if (state_ != State::open) return;
    state_ = State::closing;
    refused_ = false;
    close_code_ = code;
    // A close reason is at most 123 bytes; cut on a UTF-8 character boundary.
    if (reason.size() > 123) {
      size_t n = 123;
      while (n > 0 && (static_cast<unsigned char>(reason[n]) & 0xC0) == 0x80) --n;
      reason.resize(n);
    }
    close_reason_ = std::move(reason);
    arm_close_timer();
    if (!inflight_) do_close();
  }

  void abort() override {
    if (state_ == State::closed) return;
    state_ = State::closing;
    close_sent_ = true;
    beast::get_lowest_layer(*ws_).close();
  }

  // Closable
  void shutdown(uint16_t code) override {
    // A session still in its handshake closes as soon as it opens (on_accept sees stopped).
    if (state_ == State::open) {
      close(code, "going away");
    } else if (state_ == State::closing) {
      arm_close_timer();  // the shorter stop deadline
    }
  }
  void kill() override { abort(); }

 private:
  enum class State { opening, open, closing, closed };

  std::shared_ptr<WsSession> self() { return this->shared_from_this(); }
  bool live_handler() const { return !core_->dead; }

  void on_accept(beast::error_code ec) {
    accepting_ = false;
    req_ = {};
    if (ec || state_ != State::opening) {  // failed, or killed during the handshake
      state_ = State::closed;
      release_io();
      return;
    }
    state_ = State::open;
    if (core_->stopped || core_->dead) {
      close(core_->stop_code, "going away");
      do_read();
      return;
    }
    opened_ = true;
    ++core_->ws_open;
    if (handler_->on_open) handler_->on_open(self());
    do_read();
  }

  void do_read() {
    const size_t limit = state_ == State::open
                             ? core_->opts.max_ws_frame_in + 1 - rbuf_.size()
                             : size_t{64} << 10;
    reading_ = true;
    ws_->async_read_some(rbuf_, limit, beast::bind_front_handler(&WsSessionImpl::on_read,
                                                                 this->shared_from_this()));
  }

  void on_read(beast::error_code ec, size_t) {
    reading_ = false;
    if (ec) {
      finish();
      return;
    }
    if (state_ != State::open) {
      // Closing: the rest of the peer's data only matters until its close frame arrives.
      rbuf_.clear();
    } else if (rbuf_.size() > core_->opts.max_ws_frame_in) {
      rbuf_.clear();
      if (live_handler() && handler_->on_error) handler_->on_error(self(), "frame_too_large");
      close(1009, "message too big");
    } else if (ws_->is_message_done()) {
      if (live_handler() && handler_->on_message) {
        const auto data = rbuf_.cdata();
        handler_->on_message(self(), {static_cast<const char*>(data.data()), data.size()});
      }
      rbuf_.clear();
    }
    if (state_ != State::closed) do_read();
  }

  void do_write() {
    inflight_ = std::move(queue_.front());
    queue_.pop_front();
    ws_->text(true);
    ws_->async_write(asio::buffer(*inflight_), beast::bind_front_handler(
                                                   &WsSessionImpl::on_write, this->shared_from_this()));
  }

  void on_write(beast::error_code ec, size_t) {
    bytes_ -= inflight_->size();
    --frames_;
    inflight_.reset();
    if (state_ == State::closed) return release_io();
    if (ec) {
      // The read loop notices the dead socket and finishes the session.
      beast::get_lowest_layer(*ws_).close();
      return;
    }
    if (!queue_.empty()) {
      do_write();
    } else if (state_ == State::closing && !close_sent_) {
      do_close();
    }
    if (refused_ && state_ == State::open && bytes_ <= core_->opts.ws_queue_bytes / 2 &&
        frames_ <= core_->opts.ws_queue_frames / 2) {
      refused_ = false;
      if (live_handler() && handler_->on_writable) handler_->on_writable(self());
    }
  }

  void do_close() {
    close_sent_ = true;
    websocket::close_reason cr;
    cr.code = close_code_;
    cr.reason.assign(close_reason_.data(), close_reason_.size());
    close_pending_ = true;
    ws_->async_close(cr, [s = this->shared_from_this()](beast::error_code ec) {
      s->close_pending_ = false;
      if (s->state_ == State::closed) return s->release_io();
      if (ec) beast::get_lowest_layer(*s->ws_).close();
    });
  }

  void arm_close_timer() {
    const std::chrono::milliseconds timeout =
        core_->stopped ? kStopCloseTimeout : std::chrono::milliseconds(kCloseTimeout);
    close_timer_->expires_after(timeout);  // cancels an earlier wait
    ++timer_waits_;
    close_timer_->async_wait([s = this->shared_from_this()](beast::error_code ec) {
      --s->timer_waits_;
      if (s->state_ == State::closed) return s->release_io();
      if (!ec) s->abort();
    });
  }

  void finish() {
    if (state_ == State::closed) return;
    state_ = State::closed;
    close_timer_->cancel();
    // The frame being written stays alive in inflight_ until its handler runs.
    queue_.clear();
    frames_ = inflight_ ? 1 : 0;
    bytes_ = inflight_ ? inflight_->size() : 0;
    beast::get_lowest_layer(*ws_).close();  // ends a write stuck on a peer that stopped reading
    if (opened_) {
      core_->ws_closed();  // posts the stop() notification: it runs after on_close
      if (live_handler() && handler_->on_close) handler_->on_close(self());
    }
    release_io();
  }

  // Once the session has ended and no operation is pending, the socket and timer go at
  // once: a handler that keeps the session pointer longer then holds no I/O object, which
  // could otherwise outlive its io_context.
  void release_io() {
    if (state_ != State::closed || accepting_ || reading_ || inflight_ || close_pending_ ||
        timer_waits_ != 0) {
      return;
    }
    ws_.reset();
    close_timer_.reset();
  }

  std::shared_ptr<ServerCore> core_;
  ConnectionSlot slot_;
  std::shared_ptr<const WsHandler> handler_;
  std::string path_, target_;
  std::optional<websocket::stream<Stream>> ws_;  // reset by release_io()
  std::optional<asio::steady_timer> close_timer_;
  Request req_;  // the upgrade request, kept until the handshake is answered
  beast::flat_buffer rbuf_;
  std::deque<SharedText> queue_;
  SharedText inflight_;
  size_t frames_ = 0, bytes_ = 0;  // queue_ plus inflight_
  uint64_t id_ = 0;
  State state_ = State::opening;
  bool opened_ = false;    // on_open called: on_close is owed
  bool refused_ = false;   // on_writable is owed
  bool close_sent_ = false;
  bool accepting_ = false, reading_ = false, close_pending_ = false;  // pending operations
  int timer_waits_ = 0;
  uint16_t close_code_ = 1000;
  std::string close_reason_;
};

/// Hands an upgraded connection over to a websocket session.
template <class Stream>
void start_ws_session(std::shared_ptr<ServerCore> core, Stream&& stream, ConnectionSlot slot,
                      std::shared_ptr<const WsHandler> handler, Request req, std::string path) {
  std::string target(req.target());
  auto s = std::make_shared<WsSessionImpl<Stream>>(std::move(core), std::move(stream),
                                                   std::move(slot), std::move(handler),
                                                   std::move(path), std::move(target));
  s->run(std::move(req));
}

}  // namespace mdhub::net::detail
