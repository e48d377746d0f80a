#pragma once
// A NATS connection as mdhub uses it: connect options (URL, client name, credentials file
// named by an environment variable), reconnect forever, and the few calls the bus needs.
// Callbacks run on libnats' own threads: hand their work to the network thread. JetStream
// reads block (at most `js_wait_ms`): never call them on the network thread.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mdhub::nats {

struct Settings {
  std::string url;          ///< nats://host:port (a comma list of servers is accepted)
  std::string name;         ///< client name the server shows
  std::string creds_env;    ///< names an environment variable holding a .creds file path; "" = none
  int64_t reconnect_wait_ms = 500;
  int64_t js_wait_ms = 1000;  ///< JetStream API requests
};

struct Events {
  std::function<void()> connected;     ///< first connection (also when it came late)
  std::function<void()> disconnected;  ///< lost; libnats reconnects by itself
  std::function<void()> reconnected;
};

/// One message: subject and payload, valid during the call only.
using Handler = std::function<void(std::string_view subject, std::string_view data)>;

class Connection {
 public:
  Connection();
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Starts connecting; a server that is not up yet is retried forever (`events.connected`
  /// runs once it is). False with `err` on bad settings (URL, credentials).
  bool open(const Settings& s, Events events, std::string& err);
  /// Subscribes `subject` (wildcards allowed); kept across reconnects.
  bool subscribe(const std::string& subject, Handler h, std::string& err);
  bool connected() const;

  enum class Got : uint8_t { found, not_found, failed };
  /// The last message of `subject` in JetStream stream `stream`.
  Got last_message(const std::string& stream, const std::string& subject, std::string& data, std::string& err);
  /// The subjects of `stream` that match `filter` (stream info with a subjects filter).
  bool stream_subjects(const std::string& stream, const std::string& filter, std::vector<std::string>& out,
                       std::string& err);
  /// Closes the connection: blocked JetStream reads return at once, nothing more arrives.
  /// Safe from any thread; the objects stay until close().
  void shutdown();
  /// shutdown(), then frees everything; no callback runs after it returns. Call once no
  /// other thread uses the connection.
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mdhub::nats
