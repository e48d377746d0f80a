#include "src/app/recording.hpp"

#include <spdlog/spdlog.h>

#include <simdjson.h>

#include "src/publish/render.hpp"
#include "src/metrics/exposition.hpp"

namespace mdhub {
namespace {

namespace od = simdjson::ondemand;

void str_array(std::string& out, const std::vector<std::string>& v) {
  out += '[';
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ',';
    render::str(out, v[i]);
  }
  out += ']';
}

void str_map(std::string& out, const std::map<std::string, std::string>& m) {
  out += '{';
  bool first = true;
  for (const auto& [k, v] : m) {
    render::key(out, k, first);
    render::str(out, v);
    first = false;
  }
  out += '}';
}

bool read_string(od::value v, std::string& out) {
  std::string_view s;
  if (v.get_string().get(s)) return false;
  out.assign(s);
  return true;
}

bool read_array(od::value v, std::vector<std::string>& out) {
  od::array a;
  if (v.get_array().get(a)) return false;
  for (auto el : a) {
    std::string_view s;
    if (el.get_string().get(s)) return false;
    out.emplace_back(s);
  }
  return true;
}

bool read_map(od::value v, std::map<std::string, std::string>& out) {
  od::object o;
  if (v.get_object().get(o)) return false;
  for (auto f : o) {
    std::string_view k, s;
    if (f.unescaped_key().get(k) || f.value().get_string().get(s)) return false;
    out[std::string(k)] = std::string(s);
  }
  return true;
}

}  // namespace

std::string feeds_config_json(const std::vector<const VenueConfig*>& feeds) {
  std::string out = "{\"version\":1,\"feeds\":[";
  for (size_t i = 0; i < feeds.size(); ++i) {
    const VenueConfig& v = *feeds[i];
    if (i) out += ',';
    out += '{';
    render::key(out, "id", true);
    render::str(out, v.id);
    render::key(out, "rest_base");
    render::str(out, v.rest_base);
    render::key(out, "ws_url");
    render::str(out, v.ws_url);
    render::key(out, "urls");
    str_map(out, v.urls);
    render::key(out, "symbols");
    str_array(out, v.symbols);
    render::key(out, "channels");
    str_array(out, v.channels);
    render::key(out, "options");
    str_map(out, v.options);
    out += '}';
  }
  out += "]}";
  return out;
}

Result<std::vector<VenueConfig>, std::string> parse_feeds_config_json(std::string_view json) {
  od::parser parser;
  simdjson::padded_string padded(json);
  od::document doc;
  if (parser.iterate(padded).get(doc)) return Unexpected<std::string>{"config meta record: not JSON"};
  od::array feeds;
  if (doc["feeds"].get_array().get(feeds)) return Unexpected<std::string>{"config meta record: no \"feeds\" array"};
  std::vector<VenueConfig> out;
  for (auto el : feeds) {
    od::object o;
    if (el.get_object().get(o)) return Unexpected<std::string>{"config meta record: a feed is not an object"};
    VenueConfig v;
    for (auto f : o) {
      std::string_view k;
      od::value val;
      if (f.unescaped_key().get(k) || f.value().get(val)) return Unexpected<std::string>{"config meta record: bad field"};
      bool ok = true;
      if (k == "id") ok = read_string(val, v.id);
      else if (k == "rest_base") ok = read_string(val, v.rest_base);
      else if (k == "ws_url") ok = read_string(val, v.ws_url);
      else if (k == "urls") ok = read_map(val, v.urls);
      else if (k == "symbols") ok = read_array(val, v.symbols);
      else if (k == "channels") ok = read_array(val, v.channels);
      else if (k == "options") ok = read_map(val, v.options);
      // Unknown fields are from a newer writer: ignored so old readers keep working.
      if (!ok) return Unexpected<std::string>{"config meta record: bad value for \"" + std::string(k) + "\""};
    }
    if (v.id.empty()) return Unexpected<std::string>{"config meta record: a feed has no id"};
    out.push_back(std::move(v));
  }
  return out;
}

RecordingObserver::RecordingObserver(const RecordingConfig& cfg, const std::vector<const VenueConfig*>& feeds) {
  for (const auto* v : feeds) venues_.push_back(v->id);
  record::RecorderOptions o;
  o.dir = cfg.dir;
  o.max_segment_bytes = cfg.rotate_bytes;
  o.max_segment_age = std::chrono::seconds(cfg.rotate_seconds);
  o.flush_interval = std::chrono::milliseconds(cfg.fsync_ms);
  o.zstd_level = static_cast<int>(cfg.zstd_level);
  o.max_total_bytes = static_cast<uint64_t>(cfg.max_total_mb) << 20;
  o.keep_age = std::chrono::hours(cfg.keep_hours);
  o.retry_interval = std::chrono::milliseconds(cfg.retry_ms);
  // Called on the writer thread, which retries only every retry_interval: naturally sparse.
  o.on_error = [](const std::string& msg) { spdlog::error("recorder: {}", msg); };
  rec_ = std::make_unique<record::Recorder>(std::move(o));
  if (!rec_->record_meta(kConfigMeta, feeds_config_json(feeds)))
    spdlog::error("recorder: the config meta record was not queued");
  spdlog::info("recording to {}", cfg.dir);
}

RecordingObserver::~RecordingObserver() { close(); }

void RecordingObserver::on_raw(size_t feed, RawKind kind, int index, RecvTime t, std::string_view payload) {
  // A refused record is counted by the recorder (dropped); logging each would flood.
  (void)rec_->record(feed, feed < venues_.size() ? venues_[feed] : std::string_view("?"), kind, index, t, payload);
}

void RecordingObserver::close() {
  if (closed_) return;
  closed_ = true;
  rec_->close();
  const auto s = rec_->stats();
  if (s.dropped || s.lost || s.errors)
    spdlog::warn("recorder: closed with {} dropped, {} lost, {} errors ({})", s.dropped, s.lost, s.errors,
                 rec_->last_error());
  else if (s.records)
    spdlog::info("recorder: closed, {} records, {} bytes", s.records_written, s.bytes_written);
}

RecorderView RecordingObserver::view() const {
  const auto s = rec_->stats();
  return {s.healthy, s.records_written, s.dropped, s.lost, s.errors, s.segments, s.segments_deleted, rec_->last_error()};
}

void RecordingObserver::append_metrics(std::string& out) const {
  const auto s = rec_->stats();
  using prom::append_counter;
  using prom::append_gauge;
  append_counter(out, "mdhub_recorder_bytes_total", "Bytes written to recording segment files.", s.bytes_written);
  append_counter(out, "mdhub_recorder_payload_bytes_total", "Payload bytes accepted into the recorder queue.",
                 s.bytes_in);
  append_counter(out, "mdhub_recorder_records_total", "Records accepted by the recorder.", s.records);
  append_counter(out, "mdhub_recorder_records_written_total", "Records in blocks written to disk.",
                 s.records_written);
  append_counter(out, "mdhub_recorder_dropped_total",
                 "Records dropped (queue full, too large) or lost to I/O errors.", s.dropped + s.lost);
  // The parts of mdhub_recorder_dropped_total, so an alert can tell a slow disk (overflow)
  // from a venue sending huge frames (too_large) from a failing disk (lost).
  append_counter(out, "mdhub_recorder_overflow_total", "Records refused because the hand-off queue was full (or after close).",
                 s.dropped >= s.too_large ? s.dropped - s.too_large : 0);
  append_counter(out, "mdhub_recorder_too_large_total", "Records refused for a payload over the size limit.",
                 s.too_large);
  append_counter(out, "mdhub_recorder_lost_total", "Records accepted but not written because of an I/O error.",
                 s.lost);
  append_counter(out, "mdhub_recorder_errors_total", "Recorder I/O errors.", s.errors);
  append_counter(out, "mdhub_recorder_segments_total", "Segment files created.", s.segments);
  append_counter(out, "mdhub_recorder_segments_deleted_total", "Segment files deleted by retention.",
                 s.segments_deleted);
  append_counter(out, "mdhub_recorder_deleted_bytes_total", "Bytes of segment files deleted by retention.",
                 s.bytes_deleted);
  append_gauge(out, "mdhub_recorder_healthy", "1 while the recorder writes, 0 from an I/O error until it recovers.",
               s.healthy ? 1 : 0);
  append_gauge(out, "mdhub_recorder_queue_bytes", "Bytes waiting in the recorder hand-off queue.", s.queue_used);
  append_gauge(out, "mdhub_recorder_queue_capacity_bytes", "Size of the recorder hand-off queue.",
               rec_->options().queue_bytes);
  prom::append_histogram(out, "mdhub_recorder_fsync_seconds", "Duration of each fdatasync of a segment file.",
                         record::kFsyncBoundsNs, s.fsync_buckets, s.fsync_sum_ns);
}

}  // namespace mdhub
