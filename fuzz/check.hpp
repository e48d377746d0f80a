#pragma once
// What every fuzz target checks beyond "no crash, no sanitizer report": a broken invariant
// aborts, which libFuzzer records as a crash with its input.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "feeds/common/events.hpp"
#include "feeds/common/instruments.hpp"
#include "feeds/common/json.hpp"
#include "feeds/common/venue.hpp"

namespace mdhub::fuzz {

inline void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
  }
}

inline std::string_view text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// What a venue target keeps across inputs, as a feed keeps it: one reader, the instrument
/// table, and the caller-owned output and discovery buffers.
struct Venue {
  explicit Venue(std::initializer_list<Instrument> instruments) {
    for (const Instrument& i : instruments) table.add(i);
  }
  /// Starts an input: the output holds one event of the caller's, which must survive errors.
  void begin() {
    out.clear();
    out.events.resize(1);
  }
  json::Reader reader;
  InstrumentTable table;
  ParseOut out;
  std::vector<Instrument> discovered;
};

/// Runs one venue parser call on `out` (which may already hold the caller's events): an
/// error says why and appends nothing; success appends events for instruments of the table
/// whose book levels lie inside out.levels.
template <class Parse>
void check_parse(ParseOut& out, size_t n_instruments, Parse&& parse) {
  const size_t events = out.events.size(), levels = out.levels.size();
  out.error.clear();
  if (parse() == ParseStatus::error) {
    require(!out.error.empty(), "an error has a message");
    require(out.events.size() == events && out.levels.size() == levels, "an error appends nothing");
    return;
  }
  for (size_t i = events; i < out.events.size(); ++i) {
    require(out.events[i].instrument < n_instruments, "events are for known instruments");
    if (const auto* b = std::get_if<BookMsg>(&out.events[i].body)) {
      require(size_t{b->level_begin} + b->level_count <= out.levels.size(), "book levels are in range");
    }
  }
}

/// Instrument lists from discovery: nothing on error.
template <class Parse>
void check_discovery(std::vector<Instrument>& out, Parse&& parse) {
  out.clear();
  std::string error;
  if (parse(error) == ParseStatus::error) {
    require(!error.empty(), "a discovery error has a message");
    require(out.empty(), "a discovery error lists no instrument");
  }
}

/// A venue's feed object around its parsers (routing by stream and poll, dedup, sequence and
/// merge state): the input as the discovery answer, then twice as every stream's frame and
/// every poll's answer (the repeat reaches the duplicate checks). A fresh feed per input,
/// so a crash reproduces from its input alone.
inline void check_feed(VenueFeed& feed, const InstrumentTable& table, std::string_view s, RecvTime t,
                       ParseOut& out) {
  std::vector<Instrument> inst;
  check_discovery(inst, [&](std::string& e) { return feed.parse_discovery(s, inst, e); });
  feed.start(table);
  const size_t streams = feed.streams().size(), polls = feed.polls().size();
  for (int round = 0; round < 2; ++round) {
    for (size_t i = 0; i < streams; ++i) check_parse(out, table.size(), [&] { return feed.on_frame(i, s, t, out); });
    for (size_t i = 0; i < polls; ++i) {
      (void)feed.poll_target(i);
      check_parse(out, table.size(), [&] { return feed.on_poll(i, s, t, out); });
      (void)feed.next_poll_in(i);
    }
  }
  for (uint32_t i = 0; i < table.size(); ++i) (void)feed.resync(i);
}

inline VenueConfig feed_config(const char* id, const char* rest_base, const char* ws_url) {
  VenueConfig c;
  c.id = id;
  c.rest_base = rest_base;
  c.ws_url = ws_url;
  return c;
}

}  // namespace mdhub::fuzz
