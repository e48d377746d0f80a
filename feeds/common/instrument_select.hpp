#pragma once
// Picks a venue's configured instruments out of its discovery listing. Shared by the live
// feed runtime and replay so both select exactly the same instruments. Pure function.
#include <string>
#include <string_view>
#include <vector>

#include "feeds/common/instruments.hpp"

namespace mdhub {

struct InstrumentSelection {
  InstrumentTable table;
  std::vector<std::string> missing;  ///< configured symbols the venue does not list
};

/// `symbols` empty = every listed instrument; otherwise each listed instrument whose canonical
/// or native name equals one of `symbols` (case-insensitive), in listing order.
InstrumentSelection select_instruments(std::vector<Instrument> all, const std::vector<std::string>& symbols);

}  // namespace mdhub
