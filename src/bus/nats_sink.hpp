#pragma once
// The NATS sink of `mdhub run --nats URL` (DESIGN.md "Scale-out"): every normalized event,
// rendered exactly as the websocket API renders it on its channel, is published under
// <prefix>.<kind>.<venue>.<symbol>; each book's full state also goes to
// <prefix>.snapshot.<venue>.<symbol> (first sync and resync, every snapshot_interval_ms while
// it changes, and after a reconnect before its next update).
//
// Threads: the observer side runs on the network thread, renders each message once and
// hands it over a bounded single-producer ring to one publishing thread that owns the
// libnats connection. A full ring drops the message and counts it; the network thread never
// waits on the bus. libnats reconnects forever and buffers publishes meanwhile.
#include <cstdint>
#include <memory>
#include <string>

#include "src/engine/engine.hpp"

namespace boost::asio {
class io_context;
}

namespace mdhub::bus {

struct SinkSettings {
  std::string url;
  std::string subject_prefix = "md";
  bool jetstream = true;          ///< create-or-update the two streams on every (re)connect
  std::string stream = "MD";      ///< events; snapshots in <stream>_SNAPSHOT
  int64_t max_age_s = 0;          ///< events stream limits; 0 = none
  int64_t max_bytes = 0;
  std::string creds_env;
  int64_t snapshot_interval_ms = 5000;
  int64_t queue_bytes = 16 << 20;
};

/// Counters, readable from any thread.
struct SinkStats {
  bool connected = false;
  bool streams_ready = false;      ///< the streams were created or updated since the last (re)connect
  uint64_t published = 0;          ///< messages handed to libnats
  uint64_t dropped_queue_full = 0; ///< the hand-off ring was full
  uint64_t dropped_disconnected = 0;  ///< disconnected and the reconnect buffer full
  uint64_t dropped_bad_subject = 0;   ///< a venue or symbol that cannot be a subject token
  uint64_t dropped_error = 0;      ///< any other publish error
  uint64_t snapshots_sync = 0, snapshots_periodic = 0, snapshots_reconnect = 0;
  uint64_t disconnects = 0, reconnects = 0;
  uint64_t queue_bytes = 0, queue_capacity = 0;
};

class NatsSink final : public EngineObserver {
 public:
  /// `io` runs the engine (the network thread): the snapshot timer runs there.
  NatsSink(boost::asio::io_context& io, const Engine& engine, SinkSettings s);
  ~NatsSink() override;
  NatsSink(const NatsSink&) = delete;
  NatsSink& operator=(const NatsSink&) = delete;

  /// Connects (an unreachable server is retried in the background) and starts the publishing
  /// thread and the snapshot timer. False with `error` when the settings cannot work.
  bool start(std::string& error);
  /// Stops the timer, publishes what the ring holds, flushes and disconnects; idempotent.
  void close();
  SinkStats stats() const;

  void on_instrument_added(const InstrumentState&) override;
  void on_book(const InstrumentState&, bool snapshot, std::span<const LevelUpdate>) override;
  void on_trade(const InstrumentState&, const TradeRecord&) override;
  void on_ticker(const InstrumentState&) override;
  void on_bbo(const InstrumentState&) override;
  void on_candle(const InstrumentState&, const CandleRecord&) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mdhub::bus
