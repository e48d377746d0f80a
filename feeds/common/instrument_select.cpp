#include "feeds/common/instrument_select.hpp"

#include <algorithm>

namespace mdhub {

InstrumentSelection select_instruments(std::vector<Instrument> all, const std::vector<std::string>& symbols) {
  InstrumentSelection sel;
  if (symbols.empty()) {
    for (auto& inst : all) sel.table.add(std::move(inst));
    return sel;
  }
  for (auto& inst : all) {
    const bool wanted = std::any_of(symbols.begin(), symbols.end(), [&](const std::string& s) { return names_instrument(inst, s); });
    if (wanted) sel.table.add(std::move(inst));
  }
  for (const auto& s : symbols) {
    const bool found =
        std::any_of(sel.table.all().begin(), sel.table.all().end(), [&](const Instrument& inst) { return names_instrument(inst, s); });
    if (!found) sel.missing.push_back(s);
  }
  return sel;
}

}  // namespace mdhub
