#pragma once
// Private to src/net: where websocket sessions do their I/O. A shard is an io_context (its
// own thread's, or the server's when the server has no I/O threads) plus one bounded
// single-producer/single-consumer ring: the server's thread is the only producer (it calls
// WsSession::send/close), the shard's thread the only consumer. The producer posts one drain
// per batch, not one per frame, and never waits: a full ring refuses the frame, which the
// caller treats like a full session queue (conflate or slow_consumer).
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/lockfree/spsc_queue.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "src/net/handler_memory.hpp"
#include "src/net/server.hpp"

namespace mdhub::net::detail {

class ShardSession;

/// One frame or command from the server's thread to a session on its shard.
struct ShardItem {
  enum class Op : uint8_t { frame, close, abort, stop_deadline, retire };
  ShardSession* session = nullptr;  // kept alive by the session itself until `retire`
  SharedText frame;
  Op op = Op::frame;
};

/// A websocket session as its shard sees it; every method runs on the shard's thread.
class ShardSession {
 public:
  virtual ~ShardSession() = default;
  /// Takes one item; returns true when the session has frames to write.
  virtual bool take(ShardItem& item) = 0;
  /// Starts writing what take() queued (once per drain, so frames taken together leave
  /// together).
  virtual void flush() = 0;
  virtual std::shared_ptr<ShardSession> keep() = 0;
};

class WsShard {
 public:
  /// `server_io` null: the shard runs its own io_context on its own thread; otherwise it
  /// does its I/O on `server_io`, on the server's thread.
  WsShard(boost::asio::io_context* server_io, size_t capacity);
  ~WsShard();
  WsShard(const WsShard&) = delete;
  WsShard& operator=(const WsShard&) = delete;

  boost::asio::io_context& io() { return *io_; }
  bool threaded() const { return own_io_ != nullptr; }

  /// Server's thread. False (nothing queued) when the ring is full.
  bool push(const ShardItem& item);
  /// Server's thread: a command that must not be lost. When the ring is full it is posted
  /// and runs after everything the ring holds now.
  void push_always(const ShardItem& item);
  /// Server's thread: stops the shard's own thread and joins it; afterwards the server's
  /// thread owns every session of the shard. Idempotent; no-op for an unthreaded shard.
  void stop();
  /// After stop(): destroys the shard's own io_context and what it still holds; later
  /// pushes are dropped.
  void destroy_io();

 private:
  void schedule();
  void drain();  // shard thread
  void process(ShardItem& item);
  void flush_ready();

  /// The pending drain's memory.
  std::shared_ptr<HandlerMemory<256>> drain_memory_ = std::make_shared<HandlerMemory<256>>();
  std::unique_ptr<boost::asio::io_context> own_io_;
  boost::asio::io_context* io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread thread_;
  boost::lockfree::spsc_queue<ShardItem> ring_;
  std::atomic<bool> scheduled_{false};
  bool gone_ = false;  // destroy_io() ran
  std::vector<std::shared_ptr<ShardSession>> ready_;  // shard thread: sessions to flush
};

}  // namespace mdhub::net::detail
