#pragma once
// The websocket API's limits (config [ws]); no Asio, so the config reader can include it.
#include <cstddef>

namespace mdhub {

struct WsApiConfig {
  size_t max_clients = 256;
  size_t max_subscriptions = 256;        ///< per client
  size_t max_frame_bytes = 64 << 10;     ///< client -> server
  size_t queue_bytes = 8 << 20;          ///< per client send queue
};

}  // namespace mdhub
