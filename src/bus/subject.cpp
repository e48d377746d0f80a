#include "src/bus/subject.hpp"

#include <algorithm>

namespace mdhub::bus {

bool valid_token(std::string_view t) {
  return !t.empty() && std::none_of(t.begin(), t.end(), [](char ch) {
    const auto u = static_cast<unsigned char>(ch);
    return ch == '.' || ch == '*' || ch == '>' || u <= ' ' || u == 127;
  });
}

std::optional<std::string> subject(std::string_view prefix, std::string_view kind, std::string_view venue,
                                   std::string_view symbol) {
  if (!valid_token(venue) || !valid_token(symbol)) return std::nullopt;
  std::string s;
  s.reserve(prefix.size() + kind.size() + venue.size() + symbol.size() + 3);
  s.append(prefix).append(".").append(kind).append(".").append(venue).append(".").append(symbol);
  return s;
}

}  // namespace mdhub::bus
