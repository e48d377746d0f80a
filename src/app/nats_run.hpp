#pragma once
// Wiring of the NATS sink into `mdhub run`: settings from [nats], and its Prometheus metrics.
#include <memory>
#include <string>

#include "src/app/config.hpp"
#include "src/bus/nats_sink.hpp"

namespace mdhub {

bus::SinkSettings sink_settings(const NatsConfig& c);

/// mdhub_nats_connected, mdhub_nats_published_total, mdhub_nats_dropped_total{reason},
/// mdhub_nats_snapshots_total{reason}, mdhub_nats_reconnects_total, mdhub_nats_queue_bytes.
void append_nats_metrics(std::string& out, const bus::SinkStats& s);

}  // namespace mdhub
