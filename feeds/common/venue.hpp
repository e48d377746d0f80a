#pragma once
// The interface every venue implements: pure protocol logic with no I/O, no clock and no
// logging. The feed runtime (runner.hpp) owns the sockets and timers and calls into it; the
// replayer calls the same functions with recorded frames, so a replay parses exactly what
// the live run parsed. One VenueFeed per venue instance; not thread-safe.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/common/events.hpp"
#include "feeds/common/instruments.hpp"
#include "feeds/common/options.hpp"

namespace mdhub {

/// Per-venue settings from the config file ([venues.<id>] table).
struct VenueConfig {
  std::string id;                    ///< venue id: btse, narkasa, coinbtr, bitexbit, coinmotion
  bool enabled = true;
  std::string rest_base;             ///< REST base URL, e.g. https://api.narkasa.com/v3/api
  std::string ws_url;                ///< primary websocket URL (empty for REST-only venues)
  std::map<std::string, std::string> urls;  ///< further named URLs (btse: "oss_url")
  std::vector<std::string> symbols;  ///< canonical or native names; empty = every instrument
  std::vector<std::string> channels; ///< book, bbo, trades, ticker, candles; empty = all
  /// [venues.<id>.options] as text (integers in decimal, booleans true/false); read them through
  /// the declared OptionSpecs below, never by name.
  std::map<std::string, std::string> options;
  double rate_limit_rps = 5;         ///< REST token bucket refill
  int rate_limit_burst = 5;
  std::string api_key_env, api_secret_env;  ///< names of env variables, never the secret
  std::string ca_file;               ///< extra CA bundle for TLS (tests, private CAs)

  bool channel_enabled(std::string_view ch) const;
  /// The option's value, or its default when unset. A value the declaration does not accept
  /// (only possible when the map was filled in code or read from an old recording: the config
  /// check refuses it) gives the default, an integer out of range is clamped into it.
  int64_t int_option(const OptionSpec& o) const { return int_option(o, o.int_default); }
  /// Same, with a default that depends on the rest of the config (e.g. with or without a websocket).
  int64_t int_option(const OptionSpec& o, int64_t dflt) const;
  bool bool_option(const OptionSpec& o) const;
  std::string str_option(const OptionSpec& o) const;
};

using Millis = std::chrono::milliseconds;

/// Levels a side a book audit compares (VenueFeed::audit_target): the top of the book, which
/// every venue's REST depth and streamed window cover. An audit asks for twice as many, so
/// that a REST answer cut at its depth is told from a side that ends there.
inline constexpr size_t kAuditLevels = 10;

/// What a venue can publish, by its nature (not by the config's channel list): declared once
/// per venue by its VenueFeed, read by the engine and the publishers so that a request for
/// something the venue cannot provide gets an error instead of silence.
struct VenueCapabilities {
  bool book = true;    ///< an order book (and so book<N> and a BBO derived from it)
  bool bbo = true;     ///< top of book, from the book or the venue's own L1/quotes
  bool trades = true;
  bool ticker = true;
  /// Intervals the venue publishes candles at itself (bit i = CandleInterval i). Trades add
  /// candles built locally at every interval.
  uint16_t venue_candles = (1u << kCandleIntervals) - 1;

  bool venue_candle(CandleInterval i) const { return (venue_candles >> static_cast<int>(i)) & 1u; }
  static uint16_t candle_bit(CandleInterval i) { return static_cast<uint16_t>(1u << static_cast<int>(i)); }
  /// Candles at `i` exist: published by the venue or built from its trades.
  bool candles(CandleInterval i) const { return trades || venue_candle(i); }
  /// "book, book<N>, bbo, trades, ticker, candles.<interval>" cut to what this venue has, in
  /// the websocket's kind names ("bbo and ticker" for a quote-only broker).
  std::string describe() const;
  /// "1m" or "1m and 5m": the venue's own candle intervals ("no" when none).
  std::string describe_venue_candles() const;
};

/// One websocket connection the venue wants.
struct StreamPlan {
  std::string name;                  ///< e.g. "oss", "trades": logs and metrics label
  std::string url;
  std::vector<std::string> subscribe;  ///< text frames sent after every (re)connect
  std::string ping_text;             ///< app-level ping frame; empty = protocol pings only
  Millis ping_interval{20000};
  Millis idle_timeout{60000};        ///< reconnect when nothing arrives for this long
};

/// One periodic REST request.
struct PollPlan {
  std::string name;                  ///< e.g. "depth", "trades": logs and metrics label
  Millis interval{1000};             ///< <= 0: never on a timer, only when a resync asks
};

/// What to do to resynchronise one instrument.
struct ResyncAction {
  int stream = -1;                   ///< stream to send `frames` on (-1: none)
  std::vector<std::string> frames;
  int poll = -1;                     ///< poll to run at once (-1: none)
};

class VenueFeed {
 public:
  virtual ~VenueFeed() = default;
  virtual std::string_view venue() const = 0;

  /// REST target (path + query, appended to rest_base) that lists the instruments.
  virtual std::string discovery_target() const = 0;
  /// Parses the discovery response into instruments (venue, symbol, native, base, quote,
  /// scales filled in).
  virtual ParseStatus parse_discovery(std::string_view body, std::vector<Instrument>& out,
                                      std::string& error) = 0;
  /// After parse_discovery: the REST target of the listing's next page, or "" when that
  /// page was the last (the default: listings of one page). The instruments of all pages
  /// make the discovery.
  virtual std::string discovery_next() { return {}; }

  /// Called once the selected instruments are known (after discovery, before plans).
  virtual void start(const InstrumentTable& table) = 0;
  virtual std::vector<StreamPlan> streams() = 0;
  virtual std::vector<PollPlan> polls() = 0;
  /// Target for the next run of poll `index` (may depend on state, e.g. a since-id).
  virtual std::string poll_target(size_t index) = 0;

  /// A websocket text frame from stream `stream` (with the room its buffer has past it, which
  /// a parser may use to read it in place; see FrameView).
  virtual ParseStatus on_frame(size_t stream, FrameView frame, RecvTime t,
                               ParseOut& out) = 0;
  /// A REST response (HTTP 2xx body) for poll `index`.
  virtual ParseStatus on_poll(size_t index, std::string_view body, RecvTime t,
                              ParseOut& out) = 0;
  /// How to resynchronise one instrument whose book failed validation.
  virtual ResyncAction resync(uint32_t instrument) = 0;
  /// After a successful run of poll `index`: run it again after this delay instead of its
  /// interval (e.g. more pages to fetch); nullopt keeps the interval.
  virtual std::optional<Millis> next_poll_in(size_t /*index*/) { return std::nullopt; }
  /// Whether websocket stream `stream` (index into streams()) carries order-book data, so
  /// that losing its connection makes the books unreliable; asked after start(). The
  /// default, true, is always safe: a venue with book-free streams (e.g. trades only)
  /// overrides it to spare needless resyncs when one of those drops.
  virtual bool stream_has_books(size_t /*stream*/) const { return true; }
  /// REST target (appended to rest_base) of a depth snapshot of `instrument`, to check its
  /// streamed book against now and then (audit_interval_ms); "" (the default) when the venue
  /// streams no book for it or has no REST depth: nothing to audit.
  virtual std::string audit_target(uint32_t /*instrument*/) { return {}; }
  /// Parses an audit_target answer into one book event (snapshot or replace) of `instrument`,
  /// for comparison only: nothing of it is applied.
  virtual ParseStatus parse_audit(uint32_t /*instrument*/, std::string_view /*body*/, RecvTime /*t*/,
                                  ParseOut& /*out*/) {
    return ParseStatus::ignored;
  }
  /// What this venue publishes (its candle intervals as configured); the default claims
  /// everything, so a venue must narrow it to what it really has.
  virtual VenueCapabilities capabilities() const { return {}; }
};

/// Creates the feed for `cfg.id`; nullptr for an unknown venue id (see feeds/registry.cpp).
std::unique_ptr<VenueFeed> make_feed(const VenueConfig& cfg);
/// Venue ids known to the registry.
std::vector<std::string_view> known_venues();
/// Every option `[venues.<id>.options]` may set: the common runtime knobs, then the venue's
/// own; empty for an unknown venue id.
std::vector<OptionSpec> declared_options(std::string_view id);

}  // namespace mdhub
