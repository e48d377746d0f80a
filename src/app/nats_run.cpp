#include "src/app/nats_run.hpp"

#include "src/metrics/exposition.hpp"

namespace mdhub {

bus::SinkSettings sink_settings(const NatsConfig& c) {
  bus::SinkSettings s;
  s.url = c.url;
  s.subject_prefix = c.subject_prefix;
  s.jetstream = c.jetstream;
  s.stream = c.stream;
  s.max_age_s = c.max_age_s;
  s.max_bytes = c.max_bytes;
  s.creds_env = c.creds_env;
  s.snapshot_interval_ms = c.snapshot_interval_ms;
  s.queue_bytes = c.queue_bytes;
  return s;
}

namespace {
void labelled(std::string& out, std::string_view name, std::string_view label,
              std::initializer_list<std::pair<std::string_view, uint64_t>> values) {
  for (auto [v, n] : values) {
    out.append(name).append("{").append(label).append("=\"").append(v).append("\"} ");
    out.append(std::to_string(n)).append("\n");
  }
}
}  // namespace

void append_nats_metrics(std::string& out, const bus::SinkStats& s) {
  using prom::append_counter;
  using prom::append_gauge;
  append_gauge(out, "mdhub_nats_connected", "1 while connected to the NATS server, 0 during an outage.",
               s.connected ? 1 : 0);
  append_gauge(out, "mdhub_nats_streams_ready", "1 once the JetStream streams were created or updated on this connection.",
               s.streams_ready ? 1 : 0);
  append_counter(out, "mdhub_nats_published_total", "Messages handed to the NATS client (sent or buffered for a reconnect).",
                 s.published);
  prom::append_header(out, "mdhub_nats_dropped_total",
                      "Messages not published: hand-off queue full, disconnected with the reconnect buffer full, "
                      "a name that cannot be a subject token, other publish errors (and what the shutdown's drain left).",
                      "counter");
  labelled(out, "mdhub_nats_dropped_total", "reason",
           {{"queue_full", s.dropped_queue_full}, {"disconnected", s.dropped_disconnected},
            {"bad_subject", s.dropped_bad_subject}, {"error", s.dropped_error}});
  prom::append_header(out, "mdhub_nats_snapshots_total",
                      "Book snapshots published on the snapshot subjects: first sync or resync, periodic, after a reconnect.",
                      "counter");
  labelled(out, "mdhub_nats_snapshots_total", "reason",
           {{"sync", s.snapshots_sync}, {"periodic", s.snapshots_periodic}, {"reconnect", s.snapshots_reconnect}});
  append_counter(out, "mdhub_nats_disconnects_total", "Connections to the NATS server lost.", s.disconnects);
  append_counter(out, "mdhub_nats_reconnects_total", "Reconnections to the NATS server.", s.reconnects);
  append_gauge(out, "mdhub_nats_queue_bytes", "Bytes waiting in the hand-off to the NATS publishing thread.",
               s.queue_bytes);
  append_gauge(out, "mdhub_nats_queue_capacity_bytes", "Size of the hand-off to the NATS publishing thread.",
               s.queue_capacity);
}

}  // namespace mdhub
