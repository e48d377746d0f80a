#include "feeds/common/instruments.hpp"

#include <cctype>

namespace mdhub {

uint32_t InstrumentTable::add(Instrument inst) {
  if (auto it = native_.find(inst.native); it != native_.end()) return it->second;
  const auto id = static_cast<uint32_t>(items_.size());
  native_.emplace(inst.native, id);
  symbol_.emplace(inst.symbol, id);
  items_.push_back(std::move(inst));
  return id;
}

std::optional<uint32_t> InstrumentTable::by_native(std::string_view native) const {
  if (auto it = native_.find(native); it != native_.end()) return it->second;
  return std::nullopt;
}

std::optional<uint32_t> InstrumentTable::by_symbol(std::string_view symbol) const {
  if (auto it = symbol_.find(symbol); it != symbol_.end()) return it->second;
  return std::nullopt;
}

std::string canonical_symbol(std::string_view base, std::string_view quote) {
  std::string s;
  s.reserve(base.size() + quote.size() + 1);
  for (char c : base) s.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  s.push_back('-');
  for (char c : quote) s.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return s;
}

Instrument listed(std::string_view venue, std::string_view native, std::string_view base, std::string_view quote) {
  Instrument inst;
  inst.venue = std::string(venue);
  inst.native = std::string(native);
  inst.base = std::string(base);
  inst.quote = std::string(quote);
  inst.symbol = canonical_symbol(base, quote);
  return inst;
}

bool bad_instrument(const InstrumentTable& table, uint32_t instrument, std::string& err) {
  if (instrument < table.size()) return false;
  err = "instrument id out of range";
  return true;
}

std::string symbol_key(std::string_view name) {
  std::string k(name);
  for (char& c : k) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return k;
}

namespace {
bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(a[i])) != std::toupper(static_cast<unsigned char>(b[i]))) return false;
  return true;
}
}  // namespace

bool names_instrument(const Instrument& inst, std::string_view name) {
  return iequals(name, inst.symbol) || iequals(name, inst.native);
}

}  // namespace mdhub
