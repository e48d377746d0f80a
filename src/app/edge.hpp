#pragma once
// `mdhub edge`: serves what ingest nodes publish on the NATS bus with the same HTTP API,
// websocket API, dashboard and metrics as `run`, connecting to no venue (src/edge/).
#include "src/app/config.hpp"
#include "src/edge/edge_node.hpp"

namespace mdhub {

struct EdgeRunOptions {
  Config config;  ///< listen address, websocket limits, log level
  edge::EdgeOptions edge;
};

/// Runs until SIGINT/SIGTERM; returns the process exit code (2: bad NATS settings).
int run_edge(EdgeRunOptions opts);

}  // namespace mdhub
