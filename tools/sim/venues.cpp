// The registry of simulated venues: one line per venue.
#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "tools/sim/sim_venue.hpp"

namespace mdhub::sim {

const VenueDef& narkasa_venue();
const VenueDef& btse_venue();
const VenueDef& coinbtr_venue();
const VenueDef& bitexbit_venue();
const VenueDef& coinmotion_venue();

const std::vector<const VenueDef*>& venue_defs() {
  static const std::vector<const VenueDef*> defs{
      &narkasa_venue(),
      &btse_venue(),
      &coinbtr_venue(),
      &bitexbit_venue(),
      &coinmotion_venue(),
  };
  return defs;
}

std::vector<const VenueDef*> select_venues(const std::vector<std::string>& ids) {
  const auto& all = venue_defs();
  if (ids.empty()) return all;
  std::vector<const VenueDef*> out;
  for (const auto& id : ids) {
    auto it = std::find_if(all.begin(), all.end(), [&](const VenueDef* d) { return d->id == id; });
    if (it == all.end()) throw std::invalid_argument("unknown simulated venue '" + id + "'");
    if (std::find(out.begin(), out.end(), *it) == out.end()) out.push_back(*it);
  }
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace mdhub::sim
