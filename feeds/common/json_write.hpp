#pragma once
// Writing JSON: the one escape every renderer, the simulator and the server's error bodies
// use. Pure and header-only (no simdjson), so any layer can include it.
#include <string>
#include <string_view>

namespace mdhub {

/// Appends `s` JSON-escaped (no surrounding quotes).
inline void json_escape(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20) {
          out += "\\u00";
          out.push_back(kHex[u >> 4]);
          out.push_back(kHex[u & 0xF]);
        } else {
          out.push_back(c);
        }
    }
  }
}

}  // namespace mdhub
