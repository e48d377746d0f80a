#pragma once
// The venue simulator (`mdhub sim`): serves each simulated venue's real wire protocol under
// /<venue>/ on one port, driven by a seeded market, plus control and truth under /sim/
// (truth books, pause/resume, faults, status). Runs entirely on the io_context it is given:
// construct, call and destroy it from that context's thread.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace mdhub::sim {

struct Options {
  uint64_t seed = 1;
  std::string faults;         ///< initial fault SPEC (validated)
  bool tls = false;           ///< serve https/wss with a self-signed cert
  std::string tls_dir = ".";  ///< where the cert/key/CA files are written / read
  std::vector<std::string> venues;  ///< empty = all simulated venues
  double rate = 0;            ///< market steps per second over all instruments; 0 = natural pace
  /// Protocol variants, "venue.key" -> value (see parse_variants); absent keys take the
  /// venue's default.
  std::map<std::string, std::string> variants;
};

/// Parses a `--variant` LIST, `venue.key=value[,...]` (later items win), into `out`. False,
/// `out` untouched, and `error` naming the item for a malformed item or an unknown venue,
/// key or value.
bool parse_variants(std::string_view list, std::map<std::string, std::string>& out, std::string& error);
/// Checks every entry of `variants` as parse_variants does.
bool check_variants(const std::map<std::string, std::string>& variants, std::string& error);
/// One line per variant, "  venue.key=a|b|c (default a): help", without a final newline.
std::string variants_help();

class Simulator {
 public:
  /// Throws std::invalid_argument on a bad fault spec, an unknown venue or variant, and
  /// std::runtime_error if the TLS files cannot be created.
  Simulator(boost::asio::io_context& io, Options opts);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  /// Serves and starts the market; returns the bound port (port 0 picks one). Throws
  /// std::runtime_error if the address cannot be bound.
  uint16_t listen(const std::string& host, uint16_t port);
  /// Stops the market, closes every connection and cancels every timer. Idempotent.
  void stop();

  /// The mdhub config (TOML) that points every simulated venue at a simulator on host:port,
  /// with every channel and instrument the simulator serves enabled. With tls, ensures the
  /// cert files exist in tls_dir (creating them if missing, reusing them otherwise) and
  /// names the CA file.
  static std::string config_toml(const std::string& host, uint16_t port, const Options& opts);

  /// Parses and installs a fault SPEC; false + error message on a bad spec, including a
  /// scope naming a venue or symbol this simulator does not serve (empty clears).
  bool set_faults(std::string_view spec, std::string& error);

  /// Same as POST /sim/pause and /sim/resume.
  void pause();
  void resume();
  bool paused() const;

  /// Ids of the venues this simulator serves.
  std::vector<std::string> venues() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace mdhub::sim
