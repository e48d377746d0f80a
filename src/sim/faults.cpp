#include "src/sim/faults.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <ctime>
#include <limits>
#include <string>
#include <list>
#include <utility>

namespace mdhub::sim {
namespace {

constexpr std::string_view kNames[kFaultKinds] = {"disconnect", "drop",      "dup",      "reorder", "gap",
                                                  "malformed",  "oversize",  "slow",     "http429", "http5xx",
                                                  "drift"};
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

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
char upper_char(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

// A rate is a plain decimal in [0,1]: digits, optional fraction (no sign, no exponent).
bool parse_rate(std::string_view s, double& out) {
  if (s.empty() || s.size() > 32) return false;
  for (char c : s)
    if (!(c == '.' || (c >= '0' && c <= '9'))) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size() && out >= 0.0 && out <= 1.0;
}

// Venue ids and symbols: letters, digits, '-' and '_' (nothing that could be a separator).
bool name_ok(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return false;
  return true;
}

void append_rate(std::string& out, FaultKind k, double rate) {
  char buf[32];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, rate);
  out += kNames[static_cast<size_t>(k)];
  out += ':';
  out.append(buf, ec == std::errc{} ? p : buf);
}

// Index of `symbol` (canonical or native, any case) among a venue's instruments, or -1.
int find_symbol(const FaultVenue& v, std::string_view symbol) {
  for (size_t i = 0; i < v.symbols.size(); ++i)
    if (iequal(v.symbols[i].first, symbol) || iequal(v.symbols[i].second, symbol)) return static_cast<int>(i);
  return -1;
}

int find_venue(std::span<const FaultVenue> venues, std::string_view id) {
  for (size_t i = 0; i < venues.size(); ++i)
    if (iequal(venues[i].id, id)) return static_cast<int>(i);
  return -1;
}

bool parse(std::string_view spec, const std::span<const FaultVenue>* venues, FaultSpec& out, std::string& error) {
  FaultSpec result;
  spec = trim(spec);
  while (!spec.empty()) {
    const size_t comma = spec.find(',');
    const std::string_view item = trim(spec.substr(0, comma));
    spec = comma == std::string_view::npos ? std::string_view{} : spec.substr(comma + 1);
    auto bad = [&](std::string_view why) {
      error = "bad fault item '" + std::string(item) + "': " + std::string(why);
      return false;
    };
    const size_t at = item.find('@');
    const std::string_view body = at == std::string_view::npos ? item : item.substr(0, at);
    const size_t colon = body.find(':');
    if (item.empty() || colon == std::string_view::npos) return bad("expected kind:rate");
    const std::string_view kind = trim(body.substr(0, colon));
    size_t k = 0;
    while (k < kFaultKinds && kNames[k] != kind) ++k;
    if (k == kFaultKinds) return bad("unknown kind '" + std::string(kind) + "'");
    double rate = 0;
    if (!parse_rate(trim(body.substr(colon + 1)), rate)) return bad("rate must be a number in [0,1]");
    if (at == std::string_view::npos) {
      result.rate[k] = rate;
      continue;
    }
    const std::string_view scope = trim(item.substr(at + 1));
    const size_t slash = scope.find('/');
    FaultItem fi;
    fi.kind = static_cast<FaultKind>(k);
    fi.rate = rate;
    const std::string_view venue = scope.substr(0, slash);
    const std::string_view symbol = slash == std::string_view::npos ? std::string_view{} : scope.substr(slash + 1);
    if (!name_ok(venue) || (slash != std::string_view::npos && !name_ok(symbol)))
      return bad("expected @venue or @venue/SYMBOL");
    for (char c : venue) fi.venue += lower(c);
    for (char c : symbol) fi.symbol += upper_char(c);
    if (venues) {
      const int v = find_venue(*venues, venue);
      if (v < 0) return bad("unknown venue '" + std::string(venue) + "'");
      const FaultVenue& fv = (*venues)[static_cast<size_t>(v)];
      if (!symbol.empty()) {
        const int s = find_symbol(fv, symbol);
        if (s < 0) return bad("unknown symbol '" + std::string(symbol) + "' on " + fv.id);
        fi.symbol = fv.symbols[static_cast<size_t>(s)].first;
      }
    }
    auto same = [&](const FaultItem& o) { return o.kind == fi.kind && o.venue == fi.venue && o.symbol == fi.symbol; };
    if (auto it = std::find_if(result.scoped.begin(), result.scoped.end(), same); it != result.scoped.end())
      it->rate = rate;
    else
      result.scoped.push_back(std::move(fi));
  }
  out = std::move(result);
  return true;
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
  return std::any_of(scoped.begin(), scoped.end(), [](const FaultItem& i) { return i.rate > 0; });
}

std::string FaultSpec::to_string() const {
  std::string out;
  for (size_t i = 0; i < kFaultKinds; ++i) {
    if (rate[i] <= 0) continue;
    if (!out.empty()) out += ',';
    append_rate(out, static_cast<FaultKind>(i), rate[i]);
  }
  for (const FaultItem& i : scoped) {
    if (!out.empty()) out += ',';
    append_rate(out, i.kind, i.rate);
    out += '@';
    out += i.venue;
    if (!i.symbol.empty()) out += '/' + i.symbol;
  }
  return out;
}

bool parse_fault_spec(std::string_view spec, FaultSpec& out, std::string& error) {
  return parse(spec, nullptr, out, error);
}

bool parse_fault_spec(std::string_view spec, std::span<const FaultVenue> venues, FaultSpec& out, std::string& error) {
  return parse(spec, &venues, out, error);
}

struct Faults::Slow {
  std::list<boost::asio::steady_timer> timers;
};

Faults::Faults(boost::asio::io_context& io, uint64_t seed)
    : io_(io), rng_(seed ^ 0x9e3779b97f4a7c15ULL), slow_(std::make_shared<Slow>()) {}

Faults::~Faults() { stop(); }

void Faults::set_venues(std::vector<FaultVenue> venues) {
  venues_ = std::move(venues);
  quoted_.clear();
  for (const FaultVenue& v : venues_) {
    auto& q = quoted_.emplace_back();
    for (const auto& sym : v.symbols) q.push_back('"' + sym.second + '"');
  }
  set(spec_);
}

void Faults::set(const FaultSpec& spec) {
  spec_ = spec;
  // Resolved once here, so a frame costs one table lookup: venue items override the
  // unscoped ones, symbol items override both, whatever their order in the SPEC.
  global_ = spec_.rate;
  table_.assign(venues_.size(), VenueRates{});
  for (size_t v = 0; v < venues_.size(); ++v) table_[v].by_symbol.assign(1 + venues_[v].symbols.size(), global_);
  for (bool symbols : {false, true})
    for (const FaultItem& i : spec_.scoped) {
      if (i.symbol.empty() == symbols) continue;
      const int v = find_venue(venues_, i.venue);
      if (v < 0) continue;
      VenueRates& vr = table_[static_cast<size_t>(v)];
      const size_t k = static_cast<size_t>(i.kind);
      if (!symbols) {
        for (Rates& r : vr.by_symbol) r[k] = i.rate;
        continue;
      }
      const int s = find_symbol(venues_[static_cast<size_t>(v)], i.symbol);
      if (s < 0) continue;
      vr.by_symbol[1 + static_cast<size_t>(s)][k] = i.rate;
      vr.per_symbol = true;
    }
  // Held frames were keyed and chosen under the old SPEC.
  flush();
}

int Faults::venue_of_path(std::string_view path) const {
  if (!path.starts_with('/')) return -1;
  path.remove_prefix(1);
  for (size_t v = 0; v < venues_.size(); ++v) {
    const std::string& id = venues_[v].id;
    if (path.starts_with(id) && (path.size() == id.size() || path[id.size()] == '/')) return static_cast<int>(v);
  }
  return -1;
}

Faults::Target Faults::target(std::string_view path, std::string_view frame) const {
  Target t;
  t.venue = venue_of_path(path);
  if (t.venue < 0 || !table_[static_cast<size_t>(t.venue)].per_symbol) return t;
  // The venue's native name as a whole JSON string: "BTC-USD" does not match "BTC-USDT".
  const auto& quoted = quoted_[static_cast<size_t>(t.venue)];
  for (size_t i = 0; i < quoted.size(); ++i) {
    if (frame.find(quoted[i]) == std::string_view::npos) continue;
    if (t.symbol >= 0) return Target{t.venue, -1};  // about several symbols
    t.symbol = static_cast<int>(i);
  }
  return t;
}

Faults::Target Faults::target(const net::HttpRequest& req) const {
  Target t;
  t.venue = venue_of_path(req.path);
  if (t.venue < 0) return t;
  const FaultVenue& v = venues_[static_cast<size_t>(t.venue)];
  bool several = false;
  auto consider = [&](std::string_view name) {
    const int s = find_symbol(v, name);
    if (s < 0) return;
    if (t.symbol >= 0 && t.symbol != s) several = true;
    t.symbol = s;
  };
  auto each = [&](std::string_view list, char sep) {
    while (!list.empty()) {
      const size_t cut = list.find(sep);
      consider(list.substr(0, cut));
      list = cut == std::string_view::npos ? std::string_view{} : list.substr(cut + 1);
    }
  };
  each(std::string_view(req.path).substr(1 + v.id.size()), '/');
  for (const auto& [key, value] : req.query) each(value, ',');
  if (several) t.symbol = -1;
  return t;
}

const Faults::Rates& Faults::rates(const Target& t) const {
  if (t.venue < 0 || static_cast<size_t>(t.venue) >= table_.size()) return global_;
  const auto& by = table_[static_cast<size_t>(t.venue)].by_symbol;
  const size_t s = t.symbol < 0 ? 0 : 1 + static_cast<size_t>(t.symbol);
  return s < by.size() ? by[s] : by[0];
}

bool Faults::hit(FaultKind k, const Rates& rates) {
  const double r = rates[static_cast<size_t>(k)];
  if (r <= 0) return false;
  if (std::uniform_real_distribution<double>(0.0, 1.0)(rng_) >= r) return false;
  ++counts_[static_cast<size_t>(k)];
  return true;
}

bool Faults::drift(std::string_view venue, std::string_view symbol) {
  if (!spec_.any()) return false;
  Target t;
  for (size_t v = 0; v < venues_.size() && t.venue < 0; ++v)
    if (venues_[v].id == venue) t = Target{static_cast<int>(v), find_symbol(venues_[v], symbol)};
  return hit(FaultKind::drift, rates(t));
}

void Faults::deliver(const std::shared_ptr<net::WsSession>& s, const net::SharedText& msg) {
  if (!s->send(msg)) s->abort();
}

void Faults::send(const std::shared_ptr<net::WsSession>& s, const net::SharedText& msg) {
  if (!spec_.any() && held_.empty()) {
    deliver(s, msg);
    return;
  }
  const Target t = target(s->path(), *msg);
  const Rates& r = rates(t);
  if (hit(FaultKind::disconnect, r)) {
    forget(s->id());
    s->abort();
    return;
  }
  if (hit(FaultKind::drop, r)) return;
  // The venue's sequence moved on without this client seeing the frame.
  if (hit(FaultKind::gap, r)) return;
  net::SharedText out = msg;
  if (hit(FaultKind::oversize, r)) out = oversize_frame();
  else if (hit(FaultKind::malformed, r)) out = std::make_shared<const std::string>(msg->substr(0, msg->size() / 2));
  const int copies = hit(FaultKind::dup, r) ? 2 : 1;
  const std::pair<uint64_t, int> key{s->id(), t.symbol};
  if (auto it = held_.find(key); it != held_.end()) {
    // The held frame goes out after this one: the pair arrives swapped.
    Held h = std::move(it->second);
    held_.erase(it);
    for (int i = 0; i < copies; ++i) deliver(s, out);
    if (h.msg) deliver(s, h.msg);
    return;
  }
  if (copies == 1 && hit(FaultKind::reorder, r)) {
    held_[key] = Held{s, out};
    return;
  }
  for (int i = 0; i < copies; ++i) deliver(s, out);
}

namespace {

// "Retry in 1 s" in the given form, from the wall clock.
std::string retry_after_value(std::string_view form) {
  using namespace std::chrono;
  const int64_t now_ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  if (form == "epoch_ms") return std::to_string(now_ms + 1000);
  // Rounded up, so the time is never before "in 1 s".
  const int64_t at_s = (now_ms + 1000 + 999) / 1000;
  if (form == "epoch_s") return std::to_string(at_s);
  if (form == "date") {
    const std::time_t tt = static_cast<std::time_t>(at_s);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buf;
  }
  return "1";
}

}  // namespace

void Faults::respond(const Target& t, const net::Respond& respond, net::HttpResponse resp) {
  if (!spec_.any()) {
    respond(std::move(resp));
    return;
  }
  const Rates& r = rates(t);
  if (hit(FaultKind::http5xx, r)) {
    respond(net::HttpResponse{503, "application/json", R"({"error":"service unavailable"})", {}, false});
    return;
  }
  if (hit(FaultKind::http429, r)) {
    const std::string_view form = t.venue >= 0 && static_cast<size_t>(t.venue) < venues_.size()
                                      ? std::string_view(venues_[static_cast<size_t>(t.venue)].retry_after)
                                      : std::string_view("delay");
    respond(net::HttpResponse{429, "application/json", R"({"error":"too many requests"})", {{"Retry-After", retry_after_value(form)}}, false});
    return;
  }
  if (hit(FaultKind::malformed, r)) resp.body.resize(resp.body.size() / 2);
  if (hit(FaultKind::slow, r) && slow_->timers.size() < kMaxSlow) {
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
  for (auto& [key, h] : held)
    if (auto s = h.session.lock()) deliver(s, h.msg);
}

void Faults::forget(uint64_t session_id) {
  held_.erase(held_.lower_bound({session_id, std::numeric_limits<int>::min()}),
              held_.upper_bound({session_id, std::numeric_limits<int>::max()}));
}

void Faults::stop() {
  held_.clear();
  // Cancelled handlers run later and must not touch the list: detach it first.
  auto slow = std::exchange(slow_, std::make_shared<Slow>());
  for (auto& t : slow->timers) t.cancel();
}

}  // namespace mdhub::sim
