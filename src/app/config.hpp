#pragma once
// The mdhub configuration (TOML): global settings plus one [venues.<id>] table per venue.
// Loading is strict: unknown keys, wrong types and bad values are errors with file:line:col.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/common/venue.hpp"
#include "src/fx/rates.hpp"
#include "src/publish/ws_config.hpp"

namespace mdhub {

struct RecordingConfig {
  std::string dir;                       ///< empty = recording off
  uint64_t rotate_bytes = 256ull << 20;
  int64_t rotate_seconds = 3600;
  int64_t fsync_ms = 1000;
  int64_t zstd_level = 1;                ///< 1: ~4x on venue JSON; negative: faster, less ratio
  int64_t max_total_mb = 0;              ///< retention by total size; 0 = no limit
  int64_t keep_hours = 0;                ///< retention by age; 0 = forever
  int64_t retry_ms = 10000;              ///< after an I/O error, before trying a new segment
};

struct NatsConfig {
  std::string url;                       ///< empty = off
  std::string subject_prefix = "md";     ///< one or more subject tokens (`md`, `prod.md`)
  bool jetstream = true;                 ///< create-or-update the streams at start
  std::string stream = "MD";             ///< events stream; snapshots go to <stream>_SNAPSHOT
  int64_t max_age_s = 0;                 ///< events stream age limit; 0 = none ("24h" in the file)
  int64_t max_bytes = 0;                 ///< events stream size limit; 0 = none
  std::string creds_env;                 ///< names an environment variable holding a creds file path
  int64_t snapshot_interval_ms = 5000;   ///< republish a changed book's snapshot at most this often
  int64_t queue_bytes = 16 << 20;        ///< hand-off from the feed thread to the publisher
};

/// [server]: who may reach the HTTP/websocket server.
struct ServerConfig {
  /// Name of the environment variable holding the token that /ws and /api/ require; empty:
  /// none, allowed only when listening on a loopback address.
  std::string auth_token_env;
  std::vector<std::string> allowed_origins;  ///< browser origins of other sites allowed on /ws
  size_t max_connections_per_ip = 64;        ///< 0: no cap
  int64_t header_timeout_ms = 10000;         ///< a request header must be complete in this long
  size_t render_threads = 1;                 ///< threads rendering book answers and /metrics
  size_t render_queue = 32;                  ///< renders waiting or running at most; beyond: 503 overloaded
  /// The token itself, read from auth_token_env at start-up (never from the file).
  std::string auth_token;
};

struct Config {
  std::string listen = "127.0.0.1:8080";
  std::string log_level = "info";
  ServerConfig server;
  RecordingConfig recording;
  NatsConfig nats;
  WsApiConfig ws;
  fx::FxConfig fx;                       ///< [fx]: the cross-currency book
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

/// The message refusing to serve on `listen` (HOST:PORT) without an auth token, or "" when
/// `listen` is a loopback address or a token is configured (`auth_token_env` non-empty).
std::string exposure_error(const std::string& listen, const std::string& auth_token_env);
/// "90s", "30m", "24h", "7d" (or "0") -> seconds; false for anything else.
bool parse_duration_s(std::string_view text, int64_t& seconds);
/// NATS subject tokens separated by '.': none empty, no whitespace, no wildcard.
bool valid_subject_prefix(std::string_view prefix);
/// A JetStream stream name: non-empty, no whitespace, '.', '*', '>', '/' or '\\'.
bool valid_stream_name(std::string_view name);

/// Parses TOML text; `source` names it in error positions.
ConfigResult parse_config(std::string_view text, const std::string& source);
ConfigResult load_config(const std::string& path);

}  // namespace mdhub
