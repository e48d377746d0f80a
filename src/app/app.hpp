#pragma once
// The `mdhub run` process: feeds, engine, HTTP/websocket API, and the optional in-process
// simulator of the demo, on one network thread, with graceful shutdown on SIGINT/SIGTERM.
#include <string>

#include "src/app/config.hpp"

namespace mdhub {

struct RunOptions {
  Config config;
  bool demo = false;  ///< start the simulator in-process and aggregate it
};

/// Runs until SIGINT/SIGTERM; returns the process exit code.
int run_hub(RunOptions opts);

}  // namespace mdhub
