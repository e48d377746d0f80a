#include "src/edge/nats_conn.hpp"

#include <nats/nats.h>

#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>

#include "src/edge/nats_closed.hpp"

namespace mdhub::nats {

namespace {
std::string text(natsStatus s) {
  std::string t = natsStatus_GetText(s);
  if (const char* last = nats_GetLastError(nullptr); last && *last) t += std::string(": ") + last;
  return t;
}
}  // namespace

struct Connection::Impl {
  natsOptions* opts = nullptr;
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  Settings settings;
  Events events;
  struct Sub {
    natsSubscription* sub = nullptr;
    Handler handler;
    // Set by libnats once the handler has returned for the last time: only then may the
    // handler (and what it captured) be destroyed.
    std::mutex mu;
    std::condition_variable cv;
    bool complete = false;
  };
  std::vector<std::unique_ptr<Sub>> subs;
  std::mutex mu;  // nc/js while connecting late
  bool closed = false;
  ClosedLatch latch;  // the connection callbacks above have returned

  static void on_msg(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
    auto* s = static_cast<Sub*>(closure);
    const char* data = natsMsg_GetData(msg);
    s->handler(natsMsg_GetSubject(msg),
               std::string_view(data ? data : "", static_cast<size_t>(natsMsg_GetDataLength(msg))));
    natsMsg_Destroy(msg);
  }
  static void on_complete(void* closure) {
    auto* s = static_cast<Sub*>(closure);
    std::lock_guard lock(s->mu);  // notified under it: the waiter frees `s` once it can take it
    s->complete = true;
    s->cv.notify_all();
  }
  static void on_connected(natsConnection*, void* closure) {
    auto* self = static_cast<Impl*>(closure);
    if (self->events.connected) self->events.connected();
  }
  static void on_disconnected(natsConnection*, void* closure) {
    auto* self = static_cast<Impl*>(closure);
    if (self->events.disconnected) self->events.disconnected();
  }
  static void on_reconnected(natsConnection*, void* closure) {
    auto* self = static_cast<Impl*>(closure);
    if (self->events.reconnected) self->events.reconnected();
  }

  jsCtx* context() {
    std::lock_guard lock(mu);
    if (js || !nc) return js;
    jsOptions o;
    jsOptions_Init(&o);
    o.Wait = settings.js_wait_ms;
    if (natsConnection_JetStream(&js, nc, &o) != NATS_OK) js = nullptr;
    return js;
  }
};

Connection::Connection() : impl_(std::make_unique<Impl>()) {}
Connection::~Connection() { close(); }

bool Connection::open(const Settings& s, Events events, std::string& err) {
  Impl& m = *impl_;
  m.settings = s;
  m.events = std::move(events);
  natsStatus st = natsOptions_Create(&m.opts);
  if (st == NATS_OK) st = natsOptions_SetURL(m.opts, s.url.c_str());
  if (st != NATS_OK) {
    err = "bad NATS URL '" + s.url + "': " + text(st);
    return false;
  }
  if (!s.creds_env.empty()) {
    const char* path = std::getenv(s.creds_env.c_str());
    if (!path || !*path) {
      err = "environment variable " + s.creds_env + ", which should hold the NATS credentials file's path, is not set";
      return false;
    }
    if ((st = natsOptions_SetUserCredentialsFromFiles(m.opts, path, nullptr)) != NATS_OK) {
      err = "NATS credentials from " + s.creds_env + ": " + text(st);
      return false;
    }
  }
  if (!s.name.empty()) natsOptions_SetName(m.opts, s.name.c_str());
  natsOptions_SetMaxReconnect(m.opts, -1);  // forever: the bus comes back, the edge waits for it
  natsOptions_SetReconnectWait(m.opts, s.reconnect_wait_ms);
  natsOptions_SetDisconnectedCB(m.opts, &Impl::on_disconnected, &m);
  natsOptions_SetReconnectedCB(m.opts, &Impl::on_reconnected, &m);
  m.latch.install(m.opts);
  natsOptions_SetRetryOnFailedConnect(m.opts, true, &Impl::on_connected, &m);
  natsConnection* nc = nullptr;
  st = natsConnection_Connect(&nc, m.opts);
  if (st != NATS_OK && st != NATS_NOT_YET_CONNECTED) {
    err = "cannot connect to " + s.url + ": " + text(st);
    return false;
  }
  {
    std::lock_guard lock(m.mu);
    m.nc = nc;
  }
  // With retry on failed connect, the callback runs only for a late first connection.
  if (st == NATS_OK && m.events.connected) m.events.connected();
  return true;
}

bool Connection::subscribe(const std::string& subject, Handler h, std::string& err) {
  Impl& m = *impl_;
  auto sub = std::make_unique<Impl::Sub>();
  sub->handler = std::move(h);
  natsStatus st = natsConnection_Subscribe(&sub->sub, m.nc, subject.c_str(), &Impl::on_msg, sub.get());
  if (st != NATS_OK) {
    err = "cannot subscribe to " + subject + ": " + text(st);
    return false;
  }
  // A burst (all books after a reconnect) must not be cut by the client's default limits;
  // the network thread drains it.
  natsSubscription_SetPendingLimits(sub->sub, 1 << 20, 512 << 20);
  if (natsSubscription_SetOnCompleteCB(sub->sub, &Impl::on_complete, sub.get()) != NATS_OK) sub->complete = true;
  m.subs.push_back(std::move(sub));
  return true;
}

bool Connection::connected() const {
  return impl_->nc && natsConnection_Status(impl_->nc) == NATS_CONN_STATUS_CONNECTED;
}

Connection::Got Connection::last_message(const std::string& stream, const std::string& subject, std::string& data,
                                         std::string& err) {
  jsCtx* js = impl_->context();
  if (!js) {
    err = "no JetStream context";
    return Got::failed;
  }
  natsMsg* msg = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus st = js_GetLastMsg(&msg, js, stream.c_str(), subject.c_str(), nullptr, &jerr);
  if (st == NATS_NOT_FOUND || jerr == JSNoMessageFoundErr) return Got::not_found;
  if (st != NATS_OK) {
    err = "reading the last message of " + subject + " in " + stream + ": " + text(st);
    return Got::failed;
  }
  const char* d = natsMsg_GetData(msg);
  data.assign(d ? d : "", static_cast<size_t>(natsMsg_GetDataLength(msg)));
  natsMsg_Destroy(msg);
  return Got::found;
}

bool Connection::stream_subjects(const std::string& stream, const std::string& filter,
                                 std::vector<std::string>& out, std::string& err) {
  jsCtx* js = impl_->context();
  if (!js) {
    err = "no JetStream context";
    return false;
  }
  jsOptions o;
  jsOptions_Init(&o);
  o.Wait = impl_->settings.js_wait_ms;
  o.Stream.Info.SubjectsFilter = filter.c_str();
  jsStreamInfo* si = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus st = js_GetStreamInfo(&si, js, stream.c_str(), &o, &jerr);
  if (st != NATS_OK) {
    err = "stream info of " + stream + ": " + text(st);
    return false;
  }
  if (si->State.Subjects) {
    for (int i = 0; i < si->State.Subjects->Count; ++i) out.emplace_back(si->State.Subjects->List[i].Subject);
  }
  jsStreamInfo_Destroy(si);
  return true;
}

void Connection::shutdown() {
  std::lock_guard lock(impl_->mu);
  if (impl_->nc) natsConnection_Close(impl_->nc);
}

void Connection::close() {
  Impl& m = *impl_;
  if (m.closed) return;
  m.closed = true;
  shutdown();
  for (auto& s : m.subs) {
    if (!s->sub) continue;
    natsSubscription_Unsubscribe(s->sub);
    // Closing does not wait for a message handler running on libnats' delivery thread.
    std::unique_lock lock(s->mu);
    if (!s->cv.wait_for(lock, std::chrono::seconds(1), [&] { return s->complete; }))
      spdlog::warn("nats: a message handler did not return within 1 s of closing");
    lock.unlock();
    natsSubscription_Destroy(s->sub);
  }
  m.subs.clear();
  if (m.js) jsCtx_Destroy(m.js);
  if (m.nc) {
    natsConnection_Destroy(m.nc);
    if (!m.latch.wait(std::chrono::seconds(1))) spdlog::warn("nats: a connection callback did not return within 1 s of closing");
  }
  if (m.opts) natsOptions_Destroy(m.opts);
  m.js = nullptr;
  m.nc = nullptr;
  m.opts = nullptr;
}

}  // namespace mdhub::nats
