#pragma once
// Self-signed TLS material for the simulator: a CA and a server certificate for 127.0.0.1,
// ::1 and localhost (EC P-256, OpenSSL 3), written as sim-ca.pem, sim-cert.pem and
// sim-key.pem. Thread-safe (no shared state); files are replaced atomically.
#include <string>

namespace mdhub::sim {

struct TlsFiles {
  std::string ca, cert, key;  ///< absolute paths
};

/// Returns the files in `dir`, creating all three if any is missing. Throws
/// std::runtime_error with a clear message on failure.
TlsFiles ensure_tls_files(const std::string& dir);

}  // namespace mdhub::sim
