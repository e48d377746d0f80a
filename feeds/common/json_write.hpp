#pragma once
// Writing JSON: the one escape, the field writers and the error body that every renderer,
// the simulator and the server use. Pure and header-only (no simdjson), so any layer can
// include it. Decimals are written exactly from fixed-point mantissas (book/decimal.hpp).
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "book/decimal.hpp"

namespace mdhub {

/// Appends `s` JSON-escaped (no surrounding quotes). Runs that need no escape are appended
/// whole: keys and names are plain ASCII, and this is on the publishing path.
inline void json_escape(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t run = 0;  // start of the pending run of plain characters
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out.push_back(kHex[u >> 4]);
        out.push_back(kHex[u & 0xF]);
    }
  }
  out.append(s.data() + run, s.size() - run);
}

namespace jsonw {

/// Appends `"k":` (with a leading comma unless `first`).
inline void key(std::string& out, std::string_view k, bool first = false) {
  if (!first) out += ',';
  out += '"';
  json_escape(k, out);
  out += "\":";
}

/// Appends `s` quoted and escaped.
inline void str(std::string& out, std::string_view s) {
  out += '"';
  json_escape(s, out);
  out += '"';
}

/// Appends the integer `v`.
inline void integer(std::string& out, int64_t v) {
  char b[24];
  const auto r = std::to_chars(b, b + sizeof b, v);
  out.append(b, r.ptr);
}

/// Appends the exact text of m/10^scale (m != kNone); `digits` > 0 pads the fraction
/// with zeros to that many digits (36235 -> 36235.0 for 1).
inline void decimal(std::string& out, int64_t m, int scale, int digits = -1) {
  char b[48];
  const size_t n = format_decimal(m, scale, b);
  out.append(b, n);
  if (digits <= 0) return;
  const std::string_view t(b, n);
  const auto dot = t.find('.');
  const int have = dot == std::string_view::npos ? 0 : static_cast<int>(n - dot - 1);
  if (dot == std::string_view::npos) out += '.';
  if (digits > have) out.append(static_cast<size_t>(digits - have), '0');
}

/// The payload format's decimal: a quoted exact decimal ("1.5"), null for kNone.
inline void dec(std::string& out, int64_t m, int scale, int digits = -1) {
  if (m == kNone) {
    out += "null";
    return;
  }
  out += '"';
  decimal(out, m, scale, digits);
  out += '"';
}

/// The payload format's integer: the number, null for kNone.
inline void num(std::string& out, int64_t v) {
  if (v == kNone) out += "null";
  else integer(out, v);
}

/// The error body every interface answers with: {"error":{"code":..,"message":..}}.
inline std::string error(std::string_view code, std::string_view message) {
  std::string out = "{\"error\":{";
  key(out, "code", true);
  str(out, code);
  key(out, "message");
  str(out, message);
  out += "}}";
  return out;
}

}  // namespace jsonw

/// A JSON document built in calls (`w.obj().key("a").num(1).end()`): commas are tracked
/// per nesting level. Not thread-safe; one per message being built.
class JsonWriter {
 public:
  JsonWriter& obj() { return open('{', '}'); }
  JsonWriter& arr() { return open('[', ']'); }
  /// Closes the innermost object or array.
  JsonWriter& end() {
    s_ += close_.back();
    close_.pop_back();
    first_.pop_back();
    return *this;
  }
  JsonWriter& key(std::string_view k) {
    sep();
    jsonw::str(s_, k);
    s_ += ':';
    after_key_ = true;
    return *this;
  }
  JsonWriter& str(std::string_view v) { sep(); jsonw::str(s_, v); return *this; }
  JsonWriter& num(int64_t v) { sep(); jsonw::integer(s_, v); return *this; }
  JsonWriter& boolean(bool v) { sep(); s_ += v ? "true" : "false"; return *this; }
  JsonWriter& null() { sep(); s_ += "null"; return *this; }
  JsonWriter& raw(std::string_view json) { sep(); s_ += json; return *this; }
  /// Decimal as a JSON number (shortest exact form); kNone -> null.
  JsonWriter& dec(int64_t m, int scale) { return fdec(m, scale, -1); }
  /// Decimal as a JSON string; `digits` >= 0 pads the fraction to that many digits.
  JsonWriter& sdec(int64_t m, int scale, int digits = -1) { sep(); jsonw::dec(s_, m, scale, digits); return *this; }
  /// Decimal as a JSON number padded to `digits` fraction digits (e.g. 36235.0).
  JsonWriter& fdec(int64_t m, int scale, int digits) {
    if (m == kNone) return null();
    sep();
    jsonw::decimal(s_, m, scale, digits);
    return *this;
  }

  const std::string& text() const { return s_; }
  std::string take() { return std::move(s_); }

  /// Exact decimal text of m/10^scale; `digits` >= 0 pads the fraction with zeros.
  static std::string decimal(int64_t m, int scale, int digits) {
    std::string out;
    jsonw::decimal(out, m, scale, digits);
    return out;
  }

 private:
  JsonWriter& open(char o, char c) {
    sep();
    s_ += o;
    first_.push_back(true);
    close_.push_back(c);
    return *this;
  }
  void sep() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (first_.empty()) return;
    if (!first_.back()) s_ += ',';
    first_.back() = false;
  }

  std::string s_;
  std::vector<bool> first_;
  std::vector<char> close_;
  bool after_key_ = false;
};

}  // namespace mdhub
