#include "src/bus/nats_conn.hpp"

#include <cstdlib>
#include <fstream>

namespace mdhub::bus {

std::string status_text(natsStatus s) {
  std::string out = natsStatus_GetText(s);
  natsStatus last = NATS_OK;
  if (const char* detail = nats_GetLastError(&last); detail && *detail && last == s) out += std::string(" (") + detail + ")";
  return out;
}

OptionsPtr make_options(const ConnSettings& s, std::string& error) {
  natsOptions* raw = nullptr;
  if (natsOptions_Create(&raw) != NATS_OK) {
    error = "cannot create NATS options";
    return nullptr;
  }
  OptionsPtr o(raw);
  std::string creds;
  if (!s.creds_env.empty()) {
    const char* path = std::getenv(s.creds_env.c_str());
    if (!path || !*path) {
      error = "creds_env names the environment variable " + s.creds_env + ", which is not set";
      return nullptr;
    }
    if (!std::ifstream(path)) {
      error = "the NATS creds file named by " + s.creds_env + " cannot be read";
      return nullptr;
    }
    creds = path;
  }
  natsStatus st = natsOptions_SetURL(raw, s.url.c_str());
  if (st == NATS_OK) st = natsOptions_SetName(raw, s.name.c_str());
  // -1: never give up; the outage is counted and the feeds go on meanwhile.
  if (st == NATS_OK) st = natsOptions_SetMaxReconnect(raw, -1);
  if (st == NATS_OK) st = natsOptions_SetReconnectWait(raw, s.reconnect_wait_ms);
  if (st == NATS_OK) st = natsOptions_SetReconnectBufSize(raw, s.reconnect_buf_bytes);
  if (st == NATS_OK) st = natsOptions_SetRetryOnFailedConnect(raw, true, nullptr, nullptr);
  if (st == NATS_OK && !creds.empty()) st = natsOptions_SetUserCredentialsFromFiles(raw, creds.c_str(), nullptr);
  if (st != NATS_OK) {
    error = "NATS options for " + s.url + ": " + status_text(st);
    return nullptr;
  }
  return o;
}

}  // namespace mdhub::bus
