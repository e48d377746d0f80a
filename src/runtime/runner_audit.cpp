// Book audits: now and then a REST depth snapshot of one instrument, handed to the sink to
// compare with the book its stream built (FeedSink::on_audit). Off the hot path: a timer on
// the network thread, the request through the venue's REST queue and token bucket like any
// poll, the answer parsed apart from the stream's events and never applied.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "src/runtime/runner_impl.hpp"

namespace mdhub {

void FeedRunner::Impl::start_audits() {
  audit_timer_.cancel();
  audit_in_flight_ = false;  // a restart abandoned the request on the wire
  audit_next_ = 0;
  if (audit_interval_.count() <= 0 || table_.size() == 0) return;
  bool any = false;
  if (!contain("audit", [&] {
        for (uint32_t i = 0; i < table_.size() && !any; ++i) any = !feed_->audit_target(i).empty();
      }))
    return;
  if (!any) return;
  audit_timer_.expires_after(audit_interval_);
  audit_timer_.async_wait(guarded([](Impl& self, boost::system::error_code ec) {
    if (!ec) self.audit_due();
  }));
}

void FeedRunner::Impl::audit_due() {
  const auto n = static_cast<uint32_t>(table_.size());
  if (n == 0) return;
  // Each book once per interval: the interval is shared among the instruments.
  const auto step = std::max<std::chrono::milliseconds>(audit_interval_ / n, std::chrono::milliseconds(1));
  audit_timer_.expires_after(step);
  audit_timer_.async_wait(guarded([](Impl& self, boost::system::error_code ec) {
    if (!ec) self.audit_due();
  }));
  // A venue too slow to answer one audit per step skips turns rather than queueing more.
  if (audit_in_flight_ || stats_.state != FeedState::live) return;
  const uint32_t inst = audit_next_;
  audit_next_ = (audit_next_ + 1) % n;
  std::string target;
  if (!contain("audit", [&] { target = feed_->audit_target(inst); }) || target.empty()) return;
  audit_in_flight_ = true;
  rest_get(std::move(target), guarded([inst](Impl& self, HttpResult r) { self.on_audit(inst, std::move(r)); }));
}

void FeedRunner::Impl::on_audit(uint32_t instrument, HttpResult r) {
  audit_in_flight_ = false;
  // Transport errors and non-2xx answers were counted and logged by the REST layer.
  if (!r.ok || r.status < 200 || r.status >= 300) return;
  const RecvTime t = now();
  audit_out_.clear();
  ParseStatus st = ParseStatus::ignored;
  if (!contain("audit", [&] { st = feed_->parse_audit(instrument, r.body, t, audit_out_); })) return;
  if (st == ParseStatus::error) {
    ++stats_.parse_errors;
    stats_.last_error = "audit: " + audit_out_.error;
    spdlog::warn("feed {}: audit snapshot: {}", cfg_.id, audit_out_.error);
    return;
  }
  if (st != ParseStatus::ok) return;
  std::vector<uint32_t> todo;
  if (!contain("audit", [&] { sink_.on_audit(index_, instrument, audit_out_, t, todo); })) return;
  for (uint32_t inst : todo) {
    if (stopped_ || failed_) return;
    spdlog::warn("feed {}: {} book audit failed (a difference from the venue's REST book persisted); "
                 "resynchronising",
                 cfg_.id, inst < table_.size() ? table_[inst].symbol : std::string("?"));
    do_resync(inst);
  }
}

}  // namespace mdhub
