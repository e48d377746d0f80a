#pragma once
// The websocket API's limits (config [ws]); no Asio, so the config reader can include it.
#include <algorithm>
#include <cstddef>
#include <thread>

namespace mdhub {

struct WsApiConfig {
  size_t max_clients = 256;
  size_t max_subscriptions = 256;        ///< per client
  size_t max_frame_bytes = 64 << 10;     ///< client -> server
  size_t queue_bytes = 8 << 20;          ///< per client send queue
  /// Book, BBO and ticker channels conflate for a client whose queue has held unwritten
  /// frames for longer than this, however few bytes: latency is bounded in time, not only
  /// by queue_bytes. 0: bytes and frames only.
  size_t max_lag_ms = 100;
  /// Kernel send buffer of each client connection (SO_SNDBUF), bytes; 0: the kernel's
  /// autotuned default (up to megabytes: seconds of backlog nobody can conflate). 256 KiB is
  /// ample for a client across a WAN and keeps a slow client's backlog where max_lag_ms sees it.
  size_t socket_send_buffer = 256 << 10;
  /// Websocket I/O threads: each owns a share of the clients and writes their frames, so
  /// the thread that runs the feeds never writes to a client socket. 0: that thread does.
  size_t publish_threads = default_publish_threads();
  /// Commands (subscribe, unsubscribe, list, ping) per second per client, with bursts of
  /// command_burst: a subscribe to book:*:* sends every book, so churn must not starve the
  /// feeds. Excess commands get `rate_limited`; command_burst of them in a row close 1008.
  double command_rate = 20;
  int command_burst = 40;

  static size_t default_publish_threads() {
    return std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 2);
  }
};

}  // namespace mdhub
