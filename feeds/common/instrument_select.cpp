#include "feeds/common/instrument_select.hpp"

#include <algorithm>
#include <cctype>

namespace mdhub {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool names(const Instrument& inst, std::string_view s) { return iequals(s, inst.symbol) || iequals(s, inst.native); }

}  // namespace

InstrumentSelection select_instruments(std::vector<Instrument> all, const std::vector<std::string>& symbols) {
  InstrumentSelection sel;
  if (symbols.empty()) {
    for (auto& inst : all) sel.table.add(std::move(inst));
    return sel;
  }
  for (auto& inst : all) {
    const bool wanted = std::any_of(symbols.begin(), symbols.end(), [&](const std::string& s) { return names(inst, s); });
    if (wanted) sel.table.add(std::move(inst));
  }
  for (const auto& s : symbols) {
    const bool found =
        std::any_of(sel.table.all().begin(), sel.table.all().end(), [&](const Instrument& inst) { return names(inst, s); });
    if (!found) sel.missing.push_back(s);
  }
  return sel;
}

}  // namespace mdhub
