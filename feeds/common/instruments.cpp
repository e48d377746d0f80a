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

}  // namespace mdhub
