// Websocket I/O shards: the ring between the server's thread and a session's I/O thread.
#include "src/net/ws_shard.hpp"

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
  // Pairs with the fence in drain(): either the drain running now sees the item, or this
  // thread sees scheduled_ cleared and posts a new drain.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (!scheduled_.exchange(true, std::memory_order_seq_cst)) asio::post(*io_, [this] { drain(); });
}

void WsShard::drain() {
  scheduled_.store(false, std::memory_order_seq_cst);
  std::atomic_thread_fence(std::memory_order_seq_cst);
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
