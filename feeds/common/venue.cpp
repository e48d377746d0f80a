#include "feeds/common/venue.hpp"

#include <algorithm>
#include <charconv>

namespace mdhub {

bool VenueConfig::channel_enabled(std::string_view ch) const {
  return channels.empty() || std::find(channels.begin(), channels.end(), ch) != channels.end();
}

int64_t VenueConfig::int_option(const OptionSpec& o, int64_t dflt) const {
  auto it = options.find(std::string(o.name));
  if (it == options.end()) return dflt;
  int64_t v = 0;
  const auto& s = it->second;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return dflt;
  if (o.accepts(v)) return v;
  return o.zero_off && v <= 0 ? 0 : std::clamp(v, o.lo, o.hi);
}

bool VenueConfig::bool_option(const OptionSpec& o) const {
  auto it = options.find(std::string(o.name));
  if (it == options.end()) return o.bool_default;
  if (it->second == "true" || it->second == "1" || it->second == "yes") return true;
  if (it->second == "false" || it->second == "0" || it->second == "no") return false;
  return o.bool_default;
}

std::string VenueConfig::str_option(const OptionSpec& o) const {
  auto it = options.find(std::string(o.name));
  return it == options.end() || !o.accepts(it->second) ? std::string(o.str_default) : it->second;
}

namespace {
constexpr std::string_view kIntervalNames[kCandleIntervals] = {"1m", "3m", "5m", "15m", "30m",
                                                               "1h", "2h", "4h", "1d"};
constexpr int64_t kIntervalSeconds[kCandleIntervals] = {60,   180,  300,   900,  1800,
                                                        3600, 7200, 14400, 86400};
}  // namespace

int64_t interval_seconds(CandleInterval i) { return kIntervalSeconds[static_cast<int>(i)]; }
std::string_view interval_name(CandleInterval i) { return kIntervalNames[static_cast<int>(i)]; }
bool parse_interval(std::string_view name, CandleInterval& out) {
  for (int i = 0; i < kCandleIntervals; ++i) {
    if (kIntervalNames[i] == name) {
      out = static_cast<CandleInterval>(i);
      return true;
    }
  }
  return false;
}

}  // namespace mdhub
