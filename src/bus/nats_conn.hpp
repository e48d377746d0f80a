#pragma once
// Connection options shared by everything that talks to the bus (the publisher, `mdhub
// tail`): the server URL, credentials from a creds file named by an environment variable,
// and reconnection forever, so that an outage of the bus is waited out, never fatal.
#include <nats/nats.h>

#include <memory>
#include <string>

namespace mdhub::bus {

struct ConnSettings {
  std::string url;
  std::string creds_env;           ///< names a variable holding a creds file path; empty: none
  std::string name = "mdhub";      ///< the connection's name in the server's monitoring
  int reconnect_buf_bytes = 8 << 20;  ///< publishes kept while disconnected
  int64_t reconnect_wait_ms = 500;
};

struct OptionsDeleter {
  void operator()(natsOptions* o) const { natsOptions_Destroy(o); }
};
using OptionsPtr = std::unique_ptr<natsOptions, OptionsDeleter>;

/// Options for a connection that reconnects forever (and retries a failed first connect in
/// the background). Null with `error` set when the settings cannot work (creds variable
/// unset, creds file unreadable, a URL libnats refuses).
OptionsPtr make_options(const ConnSettings& s, std::string& error);

/// "nats: <status text>" plus libnats' last error detail, for log lines.
std::string status_text(natsStatus s);

}  // namespace mdhub::bus
