// Websocket I/O shards: the ring between the server's thread and a session's I/O thread.
#include "src/net/ws_shard.hpp"

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/post.hpp>

namespace mdhub::net::detail {

namespace asio = boost::asio;

WsShard::WsShard(asio::io_context* server_io, size_t capacity) : io_(server_io), ring_(capacity) {
  if (!io_) {
    own_io_ = std::make_unique<asio::io_context>(1);
    io_ = own_io_.get();
    work_.emplace(io_->get_executor());
    thread_ = std::thread([io = io_] { io->run(); });
  }
}

WsShard::~WsShard() {
  stop();
  destroy_io();
}

void WsShard::stop() {
  if (!thread_.joinable()) return;
  work_.reset();
  io_->stop();
  thread_.join();
}

void WsShard::destroy_io() {
  if (thread_.joinable()) return;
  // Frames still in the ring go first; their sessions are not touched.
  if (!own_io_) return;
  gone_ = true;
  ring_.consume_all([](ShardItem&) {});
  ready_.clear();
  own_io_.reset();
}

bool WsShard::push(const ShardItem& item) {
  if (gone_ || !ring_.push(item)) return false;
  schedule();
  return true;
}

void WsShard::push_always(const ShardItem& item) {
  if (gone_ || push(item)) return;
  asio::post(*io_, [this, copy = item]() mutable {
    drain();
    process(copy);
    flush_ready();
  });
}

void WsShard::schedule() {
  // Both sides swap scheduled_ with a read-modify-write, so the two swaps are ordered: if
  // the drain's swap comes later it reads this one's true and, acquiring, sees the item just
  // pushed; if earlier, this swap reads its false and posts a new drain. No wake-up is lost,
  // without fences (which ThreadSanitizer cannot check).
  if (scheduled_.exchange(true, std::memory_order_acq_rel)) return;
  // A drain posted across threads takes the shard's slot; on the server's own io_context (no
  // thread of its own) Asio's per-thread recycling already reuses the memory.
  if (threaded()) {
    asio::post(*io_, asio::bind_allocator(HandlerAllocator<void, 256>(drain_memory_), [this] { drain(); }));
  } else {
    asio::post(*io_, [this] { drain(); });
  }
}

void WsShard::drain() {
  scheduled_.exchange(false, std::memory_order_acq_rel);
  ring_.consume_all([this](ShardItem& item) { process(item); });
  flush_ready();
}

void WsShard::process(ShardItem& item) {
  if (item.session->take(item)) ready_.push_back(item.session->keep());
}

void WsShard::flush_ready() {
  for (auto& s : ready_) s->flush();
  ready_.clear();
}

}  // namespace mdhub::net::detail
