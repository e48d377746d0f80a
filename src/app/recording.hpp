#pragma once
// Recording hooks of `mdhub run`: an EngineObserver that hands every raw payload to the
// Recorder, the "config" meta record that lets replay rebuild the feeds, and the recorder's
// Prometheus metrics. on_raw() runs on the network thread and never blocks; errors are
// logged and counted, never fatal.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "book/result.hpp"
#include "src/app/config.hpp"
#include "src/engine/engine.hpp"
#include "src/publish/http_api.hpp"
#include "src/record/recorder.hpp"

namespace mdhub {

/// Name of the meta record holding the feed configurations.
inline constexpr std::string_view kConfigMeta = "config";

/// `{"version":1,"feeds":[{id,rest_base,ws_url,urls,symbols,channels,options},...]}` in
/// feed-index order. Credentials (key/secret variable names) are never written.
std::string feeds_config_json(const std::vector<const VenueConfig*>& feeds);
/// Parses feeds_config_json() output back into venue configs (feed-index order).
Result<std::vector<VenueConfig>, std::string> parse_feeds_config_json(std::string_view json);

class RecordingObserver final : public EngineObserver {
 public:
  /// Starts the recorder on `cfg.dir` and queues the "config" meta record for `feeds`.
  RecordingObserver(const RecordingConfig& cfg, const std::vector<const VenueConfig*>& feeds);
  ~RecordingObserver() override;
  RecordingObserver(const RecordingObserver&) = delete;
  RecordingObserver& operator=(const RecordingObserver&) = delete;

  void on_raw(size_t feed, RawKind kind, int index, RecvTime t, std::string_view payload) override;
  /// Drains, writes and fsyncs everything queued; idempotent.
  void close();
  /// Appends the mdhub_recorder_* metrics (Prometheus text format). Any thread.
  void append_metrics(std::string& out) const;
  /// How the recording goes, for /readyz and /api/v1/feeds. Any thread.
  RecorderView view() const;

 private:
  std::vector<std::string> venues_;
  std::unique_ptr<record::Recorder> rec_;
  bool closed_ = false;
};

}  // namespace mdhub
