#pragma once
// Private to src/net: the write side of a plain websocket session's byte stream. Beast's
// websocket stream sits on top of it, so every byte written to the socket goes through its
// one queue: the session's data frames by reference (a header encoded here plus the shared
// payload, never copied), Beast's own writes (handshake response, pongs, close frames)
// copied as they come and completed once they are on the socket. One write_some of up to
// kMaxIovecs buffers at a time: the frames queued since the last write leave in one
// gathered syscall, and nothing can interleave with a half-written frame.
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "feeds/common/pipeline_latency.hpp"
#include "src/net/handler_memory.hpp"
#include "src/net/server.hpp"

namespace mdhub::net::detail {

/// Buffers per gathered write (two per frame); well under IOV_MAX.
inline constexpr size_t kMaxIovecs = 256;

template <class Next>
class GatherStream {
 public:
  using executor_type = typename Next::executor_type;
  using next_layer_type = Next;
  using WriteDone = boost::asio::any_completion_handler<void(boost::beast::error_code, size_t)>;

  explicit GatherStream(Next&& next) : next_(std::move(next)) {}

  executor_type get_executor() noexcept { return next_.get_executor(); }
  Next& next_layer() noexcept { return next_; }
  const Next& next_layer() const noexcept { return next_; }

  /// Kept alive (locked) while a socket write is pending.
  std::weak_ptr<void> owner;
  /// After each socket write: the data frames it completed and their payload bytes (all
  /// pending ones, with the error, when the write failed). Called last: it may destroy
  /// the stream.
  std::function<void(size_t frames, size_t bytes, boost::beast::error_code)> on_written;
  /// Optional: each data frame completely written is reported to it.
  PipelineLatency* latency = nullptr;

  /// Queues one unfragmented text frame of `payload`; false once the socket has failed.
  bool push_frame(SharedText payload) {
    if (failed_) return false;
    Segment s;
    const uint64_t len = payload->size();
    s.head[0] = static_cast<char>(0x81);  // FIN, text; server frames are not masked
    if (len < 126) {
      s.head[1] = static_cast<char>(len);
      s.head_len = 2;
    } else if (len <= 0xFFFF) {
      s.head[1] = 126;
      for (unsigned i = 0; i < 2; ++i) s.head[2 + i] = static_cast<char>((len >> (8 * (1 - i))) & 0xFF);
      s.head_len = 4;
    } else {
      s.head[1] = 127;
      for (unsigned i = 0; i < 8; ++i) s.head[2 + i] = static_cast<char>((len >> (8 * (7 - i))) & 0xFF);
      s.head_len = 10;
    }
    s.size = s.head_len + static_cast<size_t>(len);
    s.payload = std::move(payload);
    queue_.push_back(std::move(s));
    ++frames_;
    return true;
  }
  /// Starts writing what is queued, unless a write is pending (its completion goes on).
  void flush() { start(); }
  /// Data frames queued and not yet completely written.
  size_t pending_frames() const { return frames_; }
  /// A write is pending or its completion is running: the stream must stay.
  bool busy() const { return writing_ || in_completion_; }

  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    return next_.async_read_some(buffers, std::forward<Handler>(handler));
  }

  template <class ConstBuffers, class Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    return boost::asio::async_initiate<Handler, void(boost::beast::error_code, size_t)>(
        [this](auto done, const ConstBuffers& bufs) {
          const size_t n = boost::asio::buffer_size(bufs);
          if (failed_ || n == 0) {
            boost::asio::post(get_executor(), [done = std::move(done), ec = failed_]() mutable {
              std::move(done)(ec, 0);
            });
            return;
          }
          Segment s;
          s.owned.resize(n);
          boost::asio::buffer_copy(boost::asio::buffer(s.owned), bufs);
          s.size = n;
          s.done = std::make_unique<WriteDone>(std::move(done));
          queue_.push_back(std::move(s));
          start();
        },
        handler, buffers);
  }

 private:
  struct Segment {
    std::array<char, 10> head{};
    size_t head_len = 0;
    size_t size = 0;     // bytes on the wire
    SharedText payload;  // a data frame
    std::string owned;   // or Beast's bytes
    // Beast's completion; boxed, as Boost 1.81's any_completion_handler recurses when a
    // container moves it.
    std::unique_ptr<WriteDone> done;
  };

  void start() {
    if (writing_ || queue_.empty() || failed_) return;
    auto keep = owner.lock();
    if (!keep) return;
    bufs_.clear();
    size_t skip = offset_;
    for (const auto& s : queue_) {
      if (bufs_.size() + 2 > kMaxIovecs) break;
      auto add = [&](const char* p, size_t n) {
        if (skip >= n) {
          skip -= n;
          return;
        }
        bufs_.emplace_back(p + skip, n - skip);
        skip = 0;
      };
      if (s.payload) {
        add(s.head.data(), s.head_len);
        add(s.payload->data(), s.payload->size());
      } else {
        add(s.owned.data(), s.owned.size());
      }
    }
    writing_ = true;
    next_.async_write_some(bufs_, boost::asio::bind_allocator(
                                      HandlerAllocator<void, kWriteMemory>(write_memory_),
                                      [this, keep = std::move(keep)](boost::beast::error_code ec, size_t n) {
                                        on_write(ec, n);
                                      }));
  }

  void on_write(boost::beast::error_code ec, size_t n) {
    writing_ = false;
    in_completion_ = true;
    size_t frames = 0, bytes = 0;
    std::vector<std::pair<std::unique_ptr<WriteDone>, size_t>> done;
    if (ec) {
      failed_ = ec;
      n = 0;
      for (auto& s : queue_) {
        if (s.payload) {
          ++frames;
          bytes += s.payload->size();
        } else {
          done.emplace_back(std::move(s.done), 0);
        }
      }
      queue_.clear();
      offset_ = 0;
    } else {
      n += offset_;
      while (!queue_.empty() && n >= queue_.front().size) {
        Segment& s = queue_.front();
        n -= s.size;
        if (s.payload) {
          ++frames;
          bytes += s.payload->size();
          if (latency) latency->frame_written(s.payload.get());
        } else {
          done.emplace_back(std::move(s.done), s.size);
        }
        queue_.pop_front();
      }
      offset_ = n;
    }
    frames_ -= frames;
    for (auto& [h, size] : done) std::move(*h)(ec, size);
    start();
    in_completion_ = false;
    if (on_written) on_written(frames, bytes, ec);
  }

  /// The pending socket write's operation (one at a time). Shared with the operation's
  /// handler: a write still pending when the stream goes is destroyed later, by its
  /// io_context, and frees its block then.
  static constexpr size_t kWriteMemory = 512;
  std::shared_ptr<HandlerMemory<kWriteMemory>> write_memory_ = std::make_shared<HandlerMemory<kWriteMemory>>();
  Next next_;
  // A deque, not a Fifo: the pending write's buffers point into the segments (their
  // headers, Beast's copied bytes), which must not move when frames are queued meanwhile.
  std::deque<Segment> queue_;
  std::vector<boost::asio::const_buffer> bufs_;  // of the pending write
  size_t offset_ = 0;  // bytes of queue_.front() already written
  size_t frames_ = 0;  // data frames in queue_
  boost::beast::error_code failed_;
  bool writing_ = false, in_completion_ = false;
};

// Beast's close handshake ends with a teardown of the next layer: the socket's.
template <class Next, class Handler>
void async_teardown(boost::beast::role_type role, GatherStream<Next>& s, Handler&& handler) {
  using boost::beast::websocket::async_teardown;
  async_teardown(role, s.next_layer(), std::forward<Handler>(handler));
}

template <class Next>
void teardown(boost::beast::role_type role, GatherStream<Next>& s, boost::beast::error_code& ec) {
  using boost::beast::websocket::teardown;
  teardown(role, s.next_layer(), ec);
}

}  // namespace mdhub::net::detail
