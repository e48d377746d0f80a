// The venue registry: one line per venue. Adding a venue touches its folder and this file.
#include "feeds/common/venue.hpp"

#ifdef MDHUB_HAVE_narkasa
#include "feeds/narkasa/narkasa.hpp"
#include "feeds/narkasa/options.hpp"
#endif
#ifdef MDHUB_HAVE_btse
#include "feeds/btse/btse.hpp"
#include "feeds/btse/options.hpp"
#endif
#ifdef MDHUB_HAVE_coinbtr
#include "feeds/coinbtr/coinbtr.hpp"
#include "feeds/coinbtr/options.hpp"
#endif
#ifdef MDHUB_HAVE_bitexbit
#include "feeds/bitexbit/bitexbit.hpp"
#include "feeds/bitexbit/options.hpp"
#endif
#ifdef MDHUB_HAVE_coinmotion
#include "feeds/coinmotion/coinmotion.hpp"
#include "feeds/coinmotion/options.hpp"
#endif

namespace mdhub {
namespace {
struct Entry {
  std::string_view id;
  std::unique_ptr<VenueFeed> (*make)(const VenueConfig&);
  std::span<const OptionSpec> options;  ///< the venue's own (options.hpp in its folder)
};
constexpr Entry kVenues[] = {
#ifdef MDHUB_HAVE_btse
    {"btse", &btse::make_feed, btse::opt::kAll},
#endif
#ifdef MDHUB_HAVE_narkasa
    {"narkasa", &narkasa::make_feed, narkasa::opt::kAll},
#endif
#ifdef MDHUB_HAVE_coinbtr
    {"coinbtr", &coinbtr::make_feed, coinbtr::opt::kAll},
#endif
#ifdef MDHUB_HAVE_bitexbit
    {"bitexbit", &bitexbit::make_feed, bitexbit::opt::kAll},
#endif
#ifdef MDHUB_HAVE_coinmotion
    {"coinmotion", &coinmotion::make_feed, coinmotion::opt::kAll},
#endif
    {"", nullptr, {}},
};
}  // namespace

std::unique_ptr<VenueFeed> make_feed(const VenueConfig& cfg) {
  for (const auto& e : kVenues)
    if (e.make && e.id == cfg.id) return e.make(cfg);
  return nullptr;
}

std::vector<std::string_view> known_venues() {
  std::vector<std::string_view> v;
  for (const auto& e : kVenues)
    if (e.make) v.push_back(e.id);
  return v;
}

std::vector<OptionSpec> declared_options(std::string_view id) {
  std::vector<OptionSpec> out;
  for (const auto& e : kVenues) {
    if (!e.make || e.id != id) continue;
    out.assign(std::begin(common_opt::kAll), std::end(common_opt::kAll));
    out.insert(out.end(), e.options.begin(), e.options.end());
  }
  return out;
}

}  // namespace mdhub
