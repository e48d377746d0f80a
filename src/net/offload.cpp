#include "src/net/offload.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <exception>
#include <utility>

#include "src/net/http_util.hpp"

namespace mdhub::net {

struct Offload::Pool {
  explicit Pool(size_t threads) : pool(threads) {}
  boost::asio::thread_pool pool;
};

Offload::Offload(size_t threads, size_t max_pending)
    : pool_(std::make_unique<Pool>(threads ? threads : 1)), max_pending_(max_pending) {}

Offload::~Offload() { join(); }

namespace {
HttpResponse error_response(unsigned status, std::string_view code, std::string_view message) {
  HttpResponse r;
  r.status = status;
  r.body = detail::json_error(code, message);
  return r;
}
}  // namespace

void Offload::answer(Respond respond, std::function<HttpResponse()> render) {
  if (joined_ || pending_.load(std::memory_order_acquire) >= max_pending_) {
    overloaded_.fetch_add(1, std::memory_order_relaxed);
    return respond(error_response(503, "overloaded", "too many answers are being rendered; retry shortly"));
  }
  pending_.fetch_add(1, std::memory_order_acq_rel);
  boost::asio::post(pool_->pool, [this, respond = std::move(respond), render = std::move(render)]() mutable {
    HttpResponse res;
    try {
      res = render();
    } catch (const std::exception& e) {
      res = error_response(500, "internal_error", e.what());
    } catch (...) {
      res = error_response(500, "internal_error", "the answer could not be rendered");
    }
    // Drop the job's copies before it counts as done, so that the bound covers them.
    render = nullptr;
    pending_.fetch_sub(1, std::memory_order_acq_rel);
    // Always answered: a Respond dropped unanswered frees its session, which only the
    // io_context's thread may do.
    respond(std::move(res));
  });
}

void Offload::join() {
  if (joined_) return;
  joined_ = true;
  pool_->pool.join();  // without stop(): every job queued still runs and answers
}

}  // namespace mdhub::net
