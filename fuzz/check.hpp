#pragma once
// What every fuzz target checks beyond "no crash, no sanitizer report": a broken invariant
// aborts, which libFuzzer records as a crash with its input.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "feeds/common/events.hpp"
#include "feeds/common/instruments.hpp"

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

}  // namespace mdhub::fuzz
