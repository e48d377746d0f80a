#pragma once
// The mdhub configuration (TOML): global settings plus one [venues.<id>] table per venue.
// Loading is strict: unknown keys, wrong types and bad values are errors with file:line:col.
#include <algorithm>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "feeds/common/venue.hpp"

namespace mdhub {

struct RecordingConfig {
  std::string dir;                       ///< empty = recording off
  uint64_t rotate_bytes = 256ull << 20;
  int64_t rotate_seconds = 3600;
  int64_t fsync_ms = 1000;
  int64_t zstd_level = 1;                ///< 1: ~4x on venue JSON; negative: faster, less ratio
};

struct NatsConfig {
  std::string url;                       ///< empty = off
  std::string subject_prefix = "md";
};

struct WsApiConfig {
  size_t max_clients = 256;
  size_t max_subscriptions = 256;        ///< per client
  size_t max_frame_bytes = 64 << 10;     ///< client -> server
  size_t queue_bytes = 8 << 20;          ///< per client send queue
  /// Websocket I/O threads: each owns a share of the clients and writes their frames, so
  /// the thread that runs the feeds never writes to a client socket. 0: that thread does.
  size_t publish_threads = default_publish_threads();

  static size_t default_publish_threads() {
    return std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 2);
  }
};

struct Config {
  std::string listen = "127.0.0.1:8080";
  std::string log_level = "info";
  RecordingConfig recording;
  NatsConfig nats;
  WsApiConfig ws;
  std::vector<VenueConfig> venues;       ///< sorted by venue id
};

struct ConfigError {
  std::string where;    ///< "file:line:col" (or "file" when no position applies)
  std::string message;
  uint32_t line = 0, column = 0;  ///< 0: no position (listed after those with one)
  std::string str() const { return where + ": " + message; }
};

struct ConfigResult {
  Config config;
  std::vector<ConfigError> errors;       ///< empty = valid, else in line order
  /// Valid but doubtful (e.g. no venue enabled: `run` refuses it, `check-config` warns).
  std::vector<ConfigError> warnings;
};

/// "1 venue, 1 enabled", "5 venues, 3 enabled".
std::string config_summary(const Config& cfg);

/// Parses TOML text; `source` names it in error positions.
ConfigResult parse_config(std::string_view text, const std::string& source);
ConfigResult load_config(const std::string& path);

}  // namespace mdhub
