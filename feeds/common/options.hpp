#pragma once
// Declared venue options ([venues.<id>.options]). Each option is declared once, next to the
// code that reads it: name, kind (integer with a range, boolean, one of a few strings, free
// text) and default. The config check validates against the declarations and the feeds read
// through them (VenueConfig::int_option & co.), so the two cannot drift apart.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace mdhub {

struct OptionSpec {
  enum class Kind : uint8_t { integer, boolean, choice, text };
  std::string_view name{};
  Kind kind = Kind::integer;
  int64_t lo = 0, hi = 0;                      ///< integer: allowed range
  bool zero_off = false;                       ///< integer: 0 ("off") is allowed besides [lo, hi]
  int64_t int_default = 0;
  bool bool_default = false;
  std::string_view str_default{};              ///< choice and text
  std::span<const std::string_view> choices{}; ///< choice: the accepted values

  /// What a valid value looks like, e.g. "an integer from 10 to 600000", "one of ms, s".
  std::string expects() const;
  bool accepts(int64_t v) const { return (zero_off && v == 0) || (v >= lo && v <= hi); }
  bool accepts(std::string_view v) const;
};

constexpr OptionSpec int_option(std::string_view name, int64_t dflt, int64_t lo, int64_t hi) {
  return {.name = name, .kind = OptionSpec::Kind::integer, .lo = lo, .hi = hi, .int_default = dflt};
}
/// An integer where 0 means off (poll intervals, pings) and anything else must be in [lo, hi].
constexpr OptionSpec int_or_off_option(std::string_view name, int64_t dflt, int64_t lo, int64_t hi) {
  return {.name = name, .kind = OptionSpec::Kind::integer, .lo = lo, .hi = hi, .zero_off = true,
          .int_default = dflt};
}
constexpr OptionSpec bool_option(std::string_view name, bool dflt) {
  return {.name = name, .kind = OptionSpec::Kind::boolean, .bool_default = dflt};
}
constexpr OptionSpec choice_option(std::string_view name, std::string_view dflt,
                                   std::span<const std::string_view> choices) {
  return {.name = name, .kind = OptionSpec::Kind::choice, .str_default = dflt, .choices = choices};
}
constexpr OptionSpec text_option(std::string_view name, std::string_view dflt) {
  return {.name = name, .kind = OptionSpec::Kind::text, .str_default = dflt};
}

/// The runtime knobs every venue has (read by the feed runner, src/runtime/runner.cpp;
/// stale_after_ms by the process, for the engine: how long the feed may be not live before
/// its books are stale).
namespace common_opt {
inline constexpr OptionSpec rest_timeout_ms = int_option("rest_timeout_ms", 10000, 100, 600000);
inline constexpr OptionSpec connect_timeout_ms = int_option("connect_timeout_ms", 10000, 100, 600000);
inline constexpr OptionSpec backoff_base_ms = int_option("backoff_base_ms", 500, 10, 600000);
inline constexpr OptionSpec backoff_cap_ms = int_option("backoff_cap_ms", 30000, 10, 3600000);
inline constexpr OptionSpec backoff_reset_ms = int_option("backoff_reset_ms", 30000, 100, 3600000);
inline constexpr OptionSpec down_after = int_option("down_after", 3, 1, 1000);
inline constexpr OptionSpec stale_after_ms = int_option("stale_after_ms", 5000, 100, 3600000);
/// How often a running feed reads the venue's listing again to follow instruments listed
/// since (0: never).
inline constexpr OptionSpec discovery_interval_ms = int_or_off_option("discovery_interval_ms", 3600000, 100, 604800000);
/// Every book checked against a REST snapshot this often (0: never); venues without both a
/// streamed book and REST depth have nothing to audit.
inline constexpr OptionSpec audit_interval_ms = int_or_off_option("audit_interval_ms", 60000, 100, 86400000);
inline constexpr OptionSpec kAll[] = {rest_timeout_ms,   connect_timeout_ms,    backoff_base_ms,
                                      backoff_cap_ms,    backoff_reset_ms,      down_after,
                                      stale_after_ms,    discovery_interval_ms, audit_interval_ms};
}  // namespace common_opt

/// Poll intervals: 0 = not on a timer, else at least 50 ms (at most an hour).
constexpr OptionSpec poll_ms_option(std::string_view name, int64_t dflt) {
  return int_or_off_option(name, dflt, 50, 3600000);
}

/// Edit distance between two option names (insert, delete, substitute, swap neighbours).
size_t option_name_distance(std::string_view a, std::string_view b);

}  // namespace mdhub
