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
/// "a", "a and b", "a, b and c"
std::string join_and(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += i + 1 == items.size() ? " and " : ", ";
    out += items[i];
  }
  return out;
}
}  // namespace

std::string VenueCapabilities::describe() const {
  std::vector<std::string> k;
  if (book) {
    k.emplace_back("book");
    k.emplace_back("book<N>");
  }
  if (bbo) k.emplace_back("bbo");
  if (trades) k.emplace_back("trades");
  if (ticker) k.emplace_back("ticker");
  if (trades) k.emplace_back("candles.<interval>");
  else if (venue_candles) k.emplace_back("candles at " + describe_venue_candles());
  return k.empty() ? std::string("nothing") : join_and(k);
}

std::string VenueCapabilities::describe_venue_candles() const {
  std::vector<std::string> iv;
  for (int i = 0; i < kCandleIntervals; ++i)
    if (venue_candle(static_cast<CandleInterval>(i))) iv.emplace_back(interval_name(static_cast<CandleInterval>(i)));
  return iv.empty() ? std::string("no") : join_and(iv);
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
