#pragma once
// Private to src/net: one websocket connection, templated on the byte stream (plain TCP or
// TLS) and instantiated in session_plain.cpp / session_tls.cpp. Its I/O runs on a shard
// (ws_shard.hpp: an I/O thread, or the server's io_context), its handler calls on the
// server's io_context. One read loop runs for the whole life of the session (it also
// answers pings and the peer's close). Writes come from a bounded queue: on plain TCP all
// frames queued since the last write leave in one gathered write (ws_gather.hpp); on TLS
// one frame at a time.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "feeds/common/clock.hpp"
#include "src/net/fifo.hpp"
#include "src/net/server_core.hpp"
#include "src/net/ws_gather.hpp"
#include "src/net/ws_shard.hpp"

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

/// A websocket session. Its I/O (handshake, read loop, writes, close) runs on its shard's
/// io_context; its WsSession/Closable methods and the handler calls run on the server's.
/// The two sides meet only through the shard's ring (server -> I/O), posts to the
/// server's io_context (I/O -> server) and the atomic queue counters.
template <class Stream>
class WsSessionImpl final : public WsSession,
                            public Closable,
                            public ShardSession,
                            public std::enable_shared_from_this<WsSessionImpl<Stream>> {
 public:
  WsSessionImpl(std::shared_ptr<ServerCore> core, WsShard& shard, Stream&& stream, ConnectionSlot slot,
                std::shared_ptr<const WsHandler> handler, std::string path, std::string target)
      : core_(std::move(core)),
        shard_(shard),
        slot_(std::move(slot)),
        handler_(std::move(handler)),
        path_(std::move(path)),
        target_(std::move(target)),
        ws_(std::in_place, Layer(std::move(stream))),
        close_timer_(std::in_place, ws_->get_executor()) {}

  ~WsSessionImpl() override {
    if (id_ == 0) return;
    if (shard_.threaded()) {
      // The registry and the connection count belong to the server's thread.
      asio::post(core_->io, [core = core_, id = id_, slot = std::move(slot_)]() { core->remove_live(id); });
    } else {
      core_->remove_live(id_);
    }
  }

  /// Server's thread.
  void run(Request req) {
    id_ = core_->add_live(this->weak_from_this());
    self_keep_ = this->shared_from_this();
    // The server's io_context runs until the session has ended, as it would with the
    // session's I/O on it: a shutdown waits for the close handshakes.
    if (shard_.threaded()) server_work_.emplace(core_->io.get_executor());
    req_ = std::move(req);
    asio::post(shard_.io(), [s = this->shared_from_this()] { s->start(); });
  }

  // WsSession (server's thread)
  uint64_t id() const override { return id_; }
  const std::string& path() const override { return path_; }
  const std::string& target() const override { return target_; }
  size_t queued_frames() const override { return frames_.load(std::memory_order_relaxed); }
  size_t queued_bytes() const override { return bytes_.load(std::memory_order_relaxed); }
  int64_t backlog_since_ns() const override {
    return queued_frames() ? since_.load(std::memory_order_relaxed) : 0;
  }

  bool send(SharedText msg) override {
    if (!msg || m_state_ != MState::open) return false;
    const size_t size = msg->size();
    if (size > core_->opts.max_ws_frame_out) return false;
    // The I/O thread only lowers the counters meanwhile, so this check errs on the safe side.
    const size_t frames = queued_frames(), bytes = queued_bytes();
    if (frames > 0 && (frames + 1 > core_->opts.ws_queue_frames || bytes + size > core_->opts.ws_queue_bytes)) {
      want_writable_.store(true, std::memory_order_relaxed);
      return false;
    }
    // The clock is read only when the queue was empty: a busy queue's age is kept by the
    // I/O side as its writes complete.
    if (frames_.fetch_add(1, std::memory_order_relaxed) == 0) since_.store(mono_ns(), std::memory_order_relaxed);
    bytes_.fetch_add(size, std::memory_order_relaxed);
    if (!shard_.push({this, std::move(msg), ShardItem::Op::frame})) {
      // The I/O thread is that far behind: refused like a full queue.
      frames_.fetch_sub(1, std::memory_order_relaxed);
      bytes_.fetch_sub(size, std::memory_order_relaxed);
      return false;
    }
    return true;
  }

  void close(uint16_t code, std::string reason) override {
    if (m_state_ != MState::open) return;
    m_state_ = MState::closing;
    want_writable_.store(false, std::memory_order_relaxed);
    close_code_ = code;
    // A close reason is at most 123 bytes; cut on a UTF-8 character boundary.
    if (reason.size() > 123) {
      size_t n = 123;
      while (n > 0 && (static_cast<unsigned char>(reason[n]) & 0xC0) == 0x80) --n;
      reason.resize(n);
    }
    close_reason_ = std::move(reason);
    // Through the ring: it follows the frames sent before it.
    shard_.push_always({this, {}, ShardItem::Op::close});
  }

  void abort() override {
    if (m_state_ == MState::closed) return;
    m_state_ = MState::closing;
    shard_.push_always({this, {}, ShardItem::Op::abort});
  }

  // Closable (server's thread)
  void shutdown(uint16_t code) override {
    // A session still in its handshake closes as soon as it opens (server_open sees stopped).
    if (m_state_ == MState::open) {
      close(code, "going away");
    } else if (m_state_ == MState::closing) {
      shard_.push_always({this, {}, ShardItem::Op::stop_deadline});  // the shorter stop deadline
    }
  }
  void kill() override {
    if (shard_.threaded()) return abort();
    // ~Server drops the connection now, not when the io_context next runs (it may not).
    if (m_state_ != MState::closed) m_state_ = MState::closing;
    io_abort();
  }
  void drop_io() override {
    if (!shard_.threaded()) return;
    // The shard's thread has stopped: this thread owns the session now.
    queue_.clear();
    inflight_.reset();
    ws_.reset();
    close_timer_.reset();
    self_keep_.reset();
    server_work_.reset();
  }

  // ShardSession (the shard's thread)
  bool take(ShardItem& item) override {
    switch (item.op) {
      case ShardItem::Op::frame:
        if (state_ == State::closed) {
          uncount(1, item.frame->size());
          return false;
        }
        queue_.push_back(std::move(item.frame));
        return !std::exchange(flush_owed_, true);
      case ShardItem::Op::close:
        io_close();
        return false;
      case ShardItem::Op::abort:
        io_abort();
        return false;
      case ShardItem::Op::stop_deadline:
        if (state_ == State::closing) arm_close_timer();
        return false;
      case ShardItem::Op::retire:
        // Nothing in the ring refers to the session any more. Released from a handler of
        // its own, so that the session never ends inside the shard's drain.
        asio::post(shard_.io(), [keep = std::move(self_keep_)] {});
        return false;
    }
    return false;
  }

  void flush() override {
    flush_owed_ = false;
    if (state_ != State::closed && !inflight_ && !queue_.empty()) do_write();
  }

  std::shared_ptr<ShardSession> keep() override { return this->shared_from_this(); }

 private:
  /// Plain TCP gathers writes; TLS writes frame by frame (an SSL write takes one buffer).
  static constexpr bool kGather = std::is_same_v<Stream, PlainStream>;
  using Layer = std::conditional_t<kGather, GatherStream<PlainStream>, Stream>;

  enum class State { opening, open, closing, closed };  // the I/O side's view
  enum class MState { opening, open, closing, closed };  // the server side's view

  std::shared_ptr<WsSession> self() { return this->shared_from_this(); }
  bool live_handler() const { return !core_->dead; }
  size_t uncount(size_t frames, size_t bytes) {
    bytes_.fetch_sub(bytes, std::memory_order_relaxed);
    return frames_.fetch_sub(frames, std::memory_order_relaxed) - frames;
  }

  /// Runs `fn` on the server's thread, later.
  void to_server(void (WsSessionImpl::*fn)()) {
    asio::post(core_->io, [s = this->shared_from_this(), fn] { (s.get()->*fn)(); });
  }

  // ---- server's thread --------------------------------------------------------------------

  void server_open() {
    if (m_state_ != MState::opening) return;  // aborted during the handshake
    m_state_ = MState::open;
    if (core_->stopped || core_->dead) {
      close(core_->stop_code, "going away");
      return;
    }
    opened_ = true;
    ++core_->ws_open;
    if (handler_->on_open) handler_->on_open(self());
  }

  void server_message(const std::string& text) {
    if (m_state_ == MState::open && live_handler() && handler_->on_message) handler_->on_message(self(), text);
  }

  void server_too_large() {
    if (m_state_ != MState::open) return;
    if (live_handler() && handler_->on_error) handler_->on_error(self(), "frame_too_large");
    close(1009, "message too big");
  }

  void server_writable() {
    if (m_state_ == MState::open && live_handler() && handler_->on_writable) handler_->on_writable(self());
  }

  void server_closed() {
    m_state_ = MState::closed;
    if (opened_) {
      core_->ws_closed();  // posts the stop() notification: it runs after on_close
      if (live_handler() && handler_->on_close) handler_->on_close(self());
    }
    shard_.push_always({this, {}, ShardItem::Op::retire});
    server_work_.reset();
  }

  // ---- the shard's thread -----------------------------------------------------------------

  void start() {
    auto& ws = *ws_;
    if constexpr (kGather) {
      auto& g = ws.next_layer();
      g.owner = this->weak_from_this();
      g.on_written = [this](size_t frames, size_t bytes, beast::error_code ec) { on_gathered(frames, bytes, ec); };
      g.latency = core_->opts.latency;
    }
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
    accepting_ = true;
    ws.async_accept(req_, beast::bind_front_handler(&WsSessionImpl::on_accept,
                                                    this->shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    accepting_ = false;
    req_ = {};
    if (ec || state_ != State::opening) {  // failed, or killed during the handshake
      state_ = State::closed;
      to_server(&WsSessionImpl::server_closed);
      release_io();
      return;
    }
    state_ = State::open;
    to_server(&WsSessionImpl::server_open);
    do_read();
  }

  void do_read() {
    const size_t limit = state_ == State::open && !discard_
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
    if (state_ != State::open || discard_) {
      // Closing: the rest of the peer's data only matters until its close frame arrives.
      rbuf_.clear();
    } else if (rbuf_.size() > core_->opts.max_ws_frame_in) {
      rbuf_.clear();
      discard_ = true;  // until the server's close arrives
      to_server(&WsSessionImpl::server_too_large);
    } else if (ws_->is_message_done()) {
      const auto data = rbuf_.cdata();
      asio::post(core_->io, [s = this->shared_from_this(),
                             text = std::string(static_cast<const char*>(data.data()), data.size())] {
        s->server_message(text);
      });
      rbuf_.clear();
    }
    if (state_ != State::closed) do_read();
  }

  void io_close() {
    if (state_ != State::open) return;
    state_ = State::closing;
    arm_close_timer();
    if constexpr (kGather) {
      // The stream writes the close frame after the frames queued before it.
      if (!queue_.empty()) do_write();
      do_close();
    } else if (!inflight_ && queue_.empty()) {
      do_close();
    }
  }

  void io_abort() {
    if (state_ == State::closed) return;
    state_ = State::closing;
    close_sent_ = true;
    beast::get_lowest_layer(*ws_).close();
  }

  void do_write() {
    if constexpr (kGather) {
      auto& g = ws_->next_layer();
      if (!g.busy()) write_began_ns_ = mono_ns();
      while (!queue_.empty()) {
        const size_t size = queue_.front()->size();
        if (!g.push_frame(std::move(queue_.front()))) uncount(1, size);
        queue_.pop_front();
      }
      g.flush();
      return;
    }
    inflight_ = std::move(queue_.front());
    queue_.pop_front();
    write_began_ns_ = mono_ns();
    ws_->text(true);
    ws_->async_write(asio::buffer(*inflight_), beast::bind_front_handler(
                                                   &WsSessionImpl::on_write, this->shared_from_this()));
  }

  void on_write(beast::error_code ec, size_t) {
    const size_t left = uncount(1, inflight_->size());
    if (left) since_.store(write_began_ns_, std::memory_order_relaxed);
    if (!ec && core_->opts.latency) core_->opts.latency->frame_written(inflight_.get());
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
    if (state_ == State::open && want_writable_.load(std::memory_order_relaxed) &&
        queued_bytes() <= core_->opts.ws_queue_bytes / 2 && left <= core_->opts.ws_queue_frames / 2 &&
        want_writable_.exchange(false, std::memory_order_relaxed)) {
      to_server(&WsSessionImpl::server_writable);
    }
  }

  /// A gathered write completed `frames` data frames (or failed).
  void on_gathered(size_t frames, size_t bytes, beast::error_code ec) {
    const size_t left = uncount(frames, bytes);
    // What is left was queued after the completed write began (the drain hands over the
    // whole ring before a write starts); the next write, if any, begins now.
    if (left) {
      since_.store(write_began_ns_, std::memory_order_relaxed);
      write_began_ns_ = mono_ns();
    }
    if (state_ == State::closed) return release_io();
    if (ec) {
      // The read loop notices the dead socket and finishes the session.
      beast::get_lowest_layer(*ws_).close();
      return;
    }
    if (state_ == State::open && want_writable_.load(std::memory_order_relaxed) &&
        queued_bytes() <= core_->opts.ws_queue_bytes / 2 && left <= core_->opts.ws_queue_frames / 2 &&
        want_writable_.exchange(false, std::memory_order_relaxed)) {
      to_server(&WsSessionImpl::server_writable);
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
      if (!ec) s->io_abort();
    });
  }

  void finish() {
    if (state_ == State::closed) return;
    state_ = State::closed;
    close_timer_->cancel();
    // The frame being written stays alive in inflight_ until its handler runs.
    size_t dropped = 0;
    for (const auto& f : queue_) dropped += f->size();
    uncount(queue_.size(), dropped);
    queue_.clear();
    beast::get_lowest_layer(*ws_).close();  // ends a write stuck on a peer that stopped reading
    to_server(&WsSessionImpl::server_closed);
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
    if constexpr (kGather) {
      if (ws_->next_layer().busy()) return;
    }
    ws_.reset();
    close_timer_.reset();
  }

  std::shared_ptr<ServerCore> core_;
  WsShard& shard_;  // owned by core_
  ConnectionSlot slot_;
  std::shared_ptr<const WsHandler> handler_;
  std::string path_, target_;

  // Both sides: queued frames / bytes (in the ring, queue_ and inflight_), and whether
  // on_writable is owed.
  std::atomic<size_t> frames_{0}, bytes_{0};
  std::atomic<bool> want_writable_{false};
  // Monotonic ns since which the queue has not been empty, about: set by the server side
  // when it queues into an empty queue, moved forward by the I/O side as writes complete.
  std::atomic<int64_t> since_{0};

  // Server side.
  uint64_t id_ = 0;
  MState m_state_ = MState::opening;
  bool opened_ = false;  // on_open called: on_close is owed
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> server_work_;
  uint16_t close_code_ = 1000;  // written before the close is queued
  std::string close_reason_;

  // I/O side.
  std::shared_ptr<WsSessionImpl> self_keep_;  // while the ring may refer to the session
  std::optional<websocket::stream<Layer>> ws_;  // reset by release_io()
  std::optional<asio::steady_timer> close_timer_;
  Request req_;  // the upgrade request, kept until the handshake is answered
  beast::flat_buffer rbuf_;
  Fifo<SharedText> queue_;
  SharedText inflight_;
  State state_ = State::opening;
  int64_t write_began_ns_ = 0;  // the write in flight
  bool flush_owed_ = false;  // taken frames wait for flush()
  bool discard_ = false;     // a too-large message: read nothing more until the close
  bool close_sent_ = false;
  bool accepting_ = false, reading_ = false, close_pending_ = false;  // pending operations
  int timer_waits_ = 0;
};

/// Hands an upgraded connection over to a websocket session: a plain one moves to the next
/// I/O thread (round robin) when the server has I/O threads; a TLS one stays on the server's
/// io_context (its stream cannot change io_context mid-connection).
template <class Stream>
void start_ws_session(std::shared_ptr<ServerCore> core, Stream&& stream, ConnectionSlot slot,
                      std::shared_ptr<const WsHandler> handler, Request req, std::string path) {
  std::string target(req.target());
  if constexpr (std::is_same_v<Stream, PlainStream>) {
    if (WsShard* shard = core->next_ws_shard()) {
      asio::ip::tcp::socket sock = stream.release_socket();
      beast::error_code ec;
      const auto protocol = sock.local_endpoint(ec).protocol();
      const auto fd = ec ? asio::ip::tcp::socket::native_handle_type(-1) : sock.release(ec);
      if (ec) return;  // the peer is gone already; the slot is freed
      asio::ip::tcp::socket moved(shard->io());
      moved.assign(protocol, fd, ec);
      if (ec) {
        ::close(fd);
        return;
      }
      auto s = std::make_shared<WsSessionImpl<PlainStream>>(std::move(core), *shard, PlainStream(std::move(moved)),
                                                            std::move(slot), std::move(handler),
                                                            std::move(path), std::move(target));
      s->run(std::move(req));
      return;
    }
  }
  WsShard& shard = core->server_ws_shard();
  auto s = std::make_shared<WsSessionImpl<Stream>>(std::move(core), shard, std::move(stream),
                                                   std::move(slot), std::move(handler),
                                                   std::move(path), std::move(target));
  s->run(std::move(req));
}

}  // namespace mdhub::net::detail
