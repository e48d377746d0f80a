// The pieces of the venue framework every simulated venue links (sim_venue.hpp).
#include <cctype>
#include <string>

#include "src/sim/sim_venue.hpp"

namespace mdhub::sim {

const VariantDef* find_variant(const VenueDef& def, std::string_view key) {
  for (const auto& v : def.variants)
    if (v.key == key) return &v;
  return nullptr;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace mdhub::sim
