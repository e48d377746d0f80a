// The venue registry: one line per venue (and its headers). Adding a venue touches its
// folder, this table and the simulator's (src/sim/venues.cpp).
#include "feeds/common/venue.hpp"

#include "feeds/narkasa/narkasa.hpp"
#include "feeds/narkasa/options.hpp"
#include "feeds/btse/btse.hpp"
#include "feeds/btse/options.hpp"
#include "feeds/coinbtr/coinbtr.hpp"
#include "feeds/coinbtr/options.hpp"
#include "feeds/bitexbit/bitexbit.hpp"
#include "feeds/bitexbit/options.hpp"
#include "feeds/coinmotion/coinmotion.hpp"
#include "feeds/coinmotion/options.hpp"

namespace mdhub {
namespace {
struct Entry {
  std::string_view id;
  std::unique_ptr<VenueFeed> (*make)(const VenueConfig&);
  std::span<const OptionSpec> options;  ///< the venue's own (options.hpp in its folder)
};
constexpr Entry kVenues[] = {
    {"btse", &btse::make_feed, btse::opt::kAll},
    {"narkasa", &narkasa::make_feed, narkasa::opt::kAll},
    {"coinbtr", &coinbtr::make_feed, coinbtr::opt::kAll},
    {"bitexbit", &bitexbit::make_feed, bitexbit::opt::kAll},
    {"coinmotion", &coinmotion::make_feed, coinmotion::opt::kAll},
};
}  // namespace

std::unique_ptr<VenueFeed> make_feed(const VenueConfig& cfg) {
  for (const auto& e : kVenues)
    if (e.id == cfg.id) return e.make(cfg);
  return nullptr;
}

std::vector<std::string_view> known_venues() {
  std::vector<std::string_view> v;
  for (const auto& e : kVenues) v.push_back(e.id);
  return v;
}

std::vector<OptionSpec> declared_options(std::string_view id) {
  std::vector<OptionSpec> out;
  for (const auto& e : kVenues) {
    if (e.id != id) continue;
    out.assign(std::begin(common_opt::kAll), std::end(common_opt::kAll));
    out.insert(out.end(), e.options.begin(), e.options.end());
  }
  return out;
}

}  // namespace mdhub
