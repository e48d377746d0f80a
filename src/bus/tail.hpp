#pragma once
// `mdhub tail --nats URL SUBJECT`: prints the payload of every message on SUBJECT
// (wildcards allowed) to stdout, one per line, until SIGINT/SIGTERM (exit 0). A way to watch
// the bus without the nats CLI.
#include <string>

namespace mdhub::bus {

/// Returns the process exit code: 0 after a signal, 2 for a bad subject or settings.
int run_tail(const std::string& url, const std::string& subject, const std::string& creds_env);

}  // namespace mdhub::bus
