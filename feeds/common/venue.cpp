#include "feeds/common/venue.hpp"

#include <algorithm>
#include <charconv>

namespace mdhub {

bool VenueConfig::channel_enabled(std::string_view ch) const {
  return channels.empty() || std::find(channels.begin(), channels.end(), ch) != channels.end();
}

std::string VenueConfig::option(const std::string& key, std::string dflt) const {
  auto it = options.find(key);
  return it == options.end() ? dflt : it->second;
}

bool VenueConfig::option_bool(const std::string& key, bool dflt) const {
  auto it = options.find(key);
  if (it == options.end()) return dflt;
  return it->second == "true" || it->second == "1" || it->second == "yes";
}

int64_t VenueConfig::option_int(const std::string& key, int64_t dflt) const {
  auto it = options.find(key);
  if (it == options.end()) return dflt;
  int64_t v = dflt;
  const auto& s = it->second;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc{} && p == s.data() + s.size() ? v : dflt;
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
