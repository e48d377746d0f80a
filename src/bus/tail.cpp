#include "src/bus/tail.hpp"

#include <nats/nats.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <csignal>
#include <cstdio>

#include "src/bus/nats_conn.hpp"

namespace mdhub::bus {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) { g_stop.store(true); }

struct Conn {
  natsConnection* nc = nullptr;
  natsSubscription* sub = nullptr;
  ~Conn() {
    if (sub) natsSubscription_Destroy(sub);
    if (nc) natsConnection_Destroy(nc);
  }
};

}  // namespace

int run_tail(const std::string& url, const std::string& subject, const std::string& creds_env) {
  ConnSettings cs;
  cs.url = url;
  cs.creds_env = creds_env;
  cs.name = "mdhub tail";
  std::string error;
  OptionsPtr opts = make_options(cs, error);
  if (!opts) {
    spdlog::error("tail: {}", error);
    return 2;
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  Conn c;
  natsStatus s = natsConnection_Connect(&c.nc, opts.get());
  if (s == NATS_NOT_YET_CONNECTED) {
    spdlog::warn("tail: {} not reachable yet; retrying", url);
  } else if (s != NATS_OK) {
    spdlog::error("tail: cannot connect to {}: {}", url, status_text(s));
    return 2;
  }
  s = natsConnection_SubscribeSync(&c.sub, c.nc, subject.c_str());
  if (s != NATS_OK) {
    spdlog::error("tail: cannot subscribe to '{}': {}", subject, status_text(s));
    return 2;
  }
  // A slow terminal must not make the server cut the connection: keep a deep local queue.
  natsSubscription_SetPendingLimits(c.sub, 1 << 20, 1 << 30);
  bool announced = false;
  while (!g_stop.load()) {
    if (!announced && natsConnection_Status(c.nc) == NATS_CONN_STATUS_CONNECTED &&
        natsConnection_FlushTimeout(c.nc, 1000) == NATS_OK) {
      spdlog::info("tail: subscribed to {} on {}", subject, url);
      announced = true;
    }
    natsMsg* msg = nullptr;
    s = natsSubscription_NextMsg(&msg, c.sub, 200);
    if (s != NATS_OK) continue;  // timeout, or a slow-consumer notice: go on
    std::fwrite(natsMsg_GetData(msg), 1, static_cast<size_t>(natsMsg_GetDataLength(msg)), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
    natsMsg_Destroy(msg);
  }
  return 0;
}

}  // namespace mdhub::bus
