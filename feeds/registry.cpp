// The venue registry: one line per venue. Adding a venue touches its folder and this file.
#include "feeds/common/venue.hpp"

#ifdef MDHUB_HAVE_narkasa
#include "feeds/narkasa/narkasa.hpp"
#endif
#ifdef MDHUB_HAVE_btse
#include "feeds/btse/btse.hpp"
#endif
#ifdef MDHUB_HAVE_coinbtr
#include "feeds/coinbtr/coinbtr.hpp"
#endif
#ifdef MDHUB_HAVE_bitexbit
#include "feeds/bitexbit/bitexbit.hpp"
#endif
#ifdef MDHUB_HAVE_coinmotion
#include "feeds/coinmotion/coinmotion.hpp"
#endif

namespace mdhub {
namespace {
struct Entry {
  std::string_view id;
  std::unique_ptr<VenueFeed> (*make)(const VenueConfig&);
};
constexpr Entry kVenues[] = {
#ifdef MDHUB_HAVE_btse
    {"btse", &btse::make_feed},
#endif
#ifdef MDHUB_HAVE_narkasa
    {"narkasa", &narkasa::make_feed},
#endif
#ifdef MDHUB_HAVE_coinbtr
    {"coinbtr", &coinbtr::make_feed},
#endif
#ifdef MDHUB_HAVE_bitexbit
    {"bitexbit", &bitexbit::make_feed},
#endif
#ifdef MDHUB_HAVE_coinmotion
    {"coinmotion", &coinmotion::make_feed},
#endif
    {"", nullptr},
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

}  // namespace mdhub
