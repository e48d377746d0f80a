#include "tools/sim/faults.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <charconv>
#include <chrono>
#include <list>
#include <utility>

namespace mdhub::sim {
namespace {

constexpr std::string_view kNames[kFaultKinds] = {"disconnect", "drop",      "dup",      "reorder", "gap",
                                                  "malformed",  "oversize",  "slow",     "http429", "http5xx"};
constexpr size_t kOversizeBytes = (16u << 20) + 1024;
constexpr auto kSlowDelay = std::chrono::seconds(5);
constexpr size_t kMaxSlow = 256;  // delayed answers held at once; beyond, answers go out at once

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// A rate is a plain decimal in [0,1]: digits, optional fraction (no sign, no exponent).
bool parse_rate(std::string_view s, double& out) {
  if (s.empty() || s.size() > 32) return false;
  for (char c : s)
    if (!(c == '.' || (c >= '0' && c <= '9'))) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size() && out >= 0.0 && out <= 1.0;
}

const net::SharedText& oversize_frame() {
  // Valid JSON, so a client that accepts it still sees a well-formed (if useless) frame.
  static const net::SharedText frame = [] {
    std::string s = "{\"oversize\":\"";
    s.append(kOversizeBytes, 'x');
    s += "\"}";
    return std::make_shared<const std::string>(std::move(s));
  }();
  return frame;
}

}  // namespace

std::string_view to_string(FaultKind k) { return kNames[static_cast<size_t>(k)]; }

bool FaultSpec::any() const {
  for (double r : rate)
    if (r > 0) return true;
  return false;
}

std::string FaultSpec::to_string() const {
  std::string out;
  for (size_t i = 0; i < kFaultKinds; ++i) {
    if (rate[i] <= 0) continue;
    if (!out.empty()) out += ',';
    char buf[32];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, rate[i]);
    out += kNames[i];
    out += ':';
    out.append(buf, ec == std::errc{} ? p : buf);
  }
  return out;
}

bool parse_fault_spec(std::string_view spec, FaultSpec& out, std::string& error) {
  FaultSpec result;
  spec = trim(spec);
  while (!spec.empty()) {
    const size_t comma = spec.find(',');
    const std::string_view item = trim(spec.substr(0, comma));
    spec = comma == std::string_view::npos ? std::string_view{} : spec.substr(comma + 1);
    const size_t colon = item.find(':');
    if (item.empty() || colon == std::string_view::npos) {
      error = "bad fault item '" + std::string(item) + "': expected kind:rate";
      return false;
    }
    const std::string_view kind = trim(item.substr(0, colon));
    size_t k = 0;
    while (k < kFaultKinds && kNames[k] != kind) ++k;
    if (k == kFaultKinds) {
      error = "bad fault item '" + std::string(item) + "': unknown kind '" + std::string(kind) + "'";
      return false;
    }
    double rate = 0;
    if (!parse_rate(trim(item.substr(colon + 1)), rate)) {
      error = "bad fault item '" + std::string(item) + "': rate must be a number in [0,1]";
      return false;
    }
    result.rate[k] = rate;
  }
  out = result;
  return true;
}

struct Faults::Slow {
  std::list<boost::asio::steady_timer> timers;
};

Faults::Faults(boost::asio::io_context& io, uint64_t seed)
    : io_(io), rng_(seed ^ 0x9e3779b97f4a7c15ULL), slow_(std::make_shared<Slow>()) {}

Faults::~Faults() { stop(); }

bool Faults::hit(FaultKind k) {
  const double r = spec_.rate[static_cast<size_t>(k)];
  if (r <= 0) return false;
  if (std::uniform_real_distribution<double>(0.0, 1.0)(rng_) >= r) return false;
  ++counts_[static_cast<size_t>(k)];
  return true;
}

void Faults::deliver(const std::shared_ptr<net::WsSession>& s, const net::SharedText& msg) {
  if (!s->send(msg)) s->abort();
}

void Faults::set(const FaultSpec& spec) {
  spec_ = spec;
  // A frame held for reordering must not wait for a next frame that is no longer swapped.
  if (spec_.rate[static_cast<size_t>(FaultKind::reorder)] <= 0) flush();
}

void Faults::send(const std::shared_ptr<net::WsSession>& s, const net::SharedText& msg) {
  if (!spec_.any() && held_.empty()) {
    deliver(s, msg);
    return;
  }
  if (hit(FaultKind::disconnect)) {
    held_.erase(s->id());
    s->abort();
    return;
  }
  if (hit(FaultKind::drop)) return;
  // The venue's sequence moved on without this client seeing the frame.
  if (hit(FaultKind::gap)) return;
  net::SharedText out = msg;
  if (hit(FaultKind::oversize)) out = oversize_frame();
  else if (hit(FaultKind::malformed)) out = std::make_shared<const std::string>(msg->substr(0, msg->size() / 2));
  const int copies = hit(FaultKind::dup) ? 2 : 1;
  if (auto it = held_.find(s->id()); it != held_.end()) {
    // The held frame goes out after this one: the pair arrives swapped.
    Held h = std::move(it->second);
    held_.erase(it);
    for (int i = 0; i < copies; ++i) deliver(s, out);
    if (h.msg) deliver(s, h.msg);
    return;
  }
  if (copies == 1 && hit(FaultKind::reorder)) {
    held_[s->id()] = Held{s, out};
    return;
  }
  for (int i = 0; i < copies; ++i) deliver(s, out);
}

void Faults::respond(const net::Respond& respond, net::HttpResponse resp) {
  if (!spec_.any()) {
    respond(std::move(resp));
    return;
  }
  if (hit(FaultKind::http5xx)) {
    respond(net::HttpResponse{503, "application/json", R"({"error":"service unavailable"})", {}, false});
    return;
  }
  if (hit(FaultKind::http429)) {
    respond(net::HttpResponse{429, "application/json", R"({"error":"too many requests"})", {{"Retry-After", "1"}}, false});
    return;
  }
  if (hit(FaultKind::malformed)) resp.body.resize(resp.body.size() / 2);
  if (hit(FaultKind::slow) && slow_->timers.size() < kMaxSlow) {
    auto& timers = slow_->timers;
    auto it = timers.emplace(timers.end(), io_);
    it->expires_after(kSlowDelay);
    std::weak_ptr<Slow> weak = slow_;
    it->async_wait([weak, it, respond, r = std::move(resp)](const boost::system::error_code& ec) mutable {
      auto slow = weak.lock();
      if (!slow) return;
      slow->timers.erase(it);
      if (!ec) respond(std::move(r));
    });
    return;
  }
  respond(std::move(resp));
}

void Faults::flush() {
  auto held = std::move(held_);
  held_.clear();
  for (auto& [id, h] : held)
    if (auto s = h.session.lock()) deliver(s, h.msg);
}

void Faults::forget(uint64_t session_id) { held_.erase(session_id); }

void Faults::stop() {
  held_.clear();
  // Cancelled handlers run later and must not touch the list: detach it first.
  auto slow = std::exchange(slow_, std::make_shared<Slow>());
  for (auto& t : slow->timers) t.cancel();
}

}  // namespace mdhub::sim
