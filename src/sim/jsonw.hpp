#pragma once
// A minimal JSON writer for the simulator's payloads: commas are tracked, decimals are
// written exactly from fixed-point mantissas (as JSON numbers or as strings, shortest or
// padded to a venue's precision). Not thread-safe; one per message being built.
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "book/decimal.hpp"
#include "feeds/common/json.hpp"

namespace mdhub::sim {

class JsonW {
 public:
  JsonW& obj() { return open('{', '}'); }
  JsonW& arr() { return open('[', ']'); }
  /// Closes the innermost object or array.
  JsonW& end() {
    s_ += close_.back();
    close_.pop_back();
    first_.pop_back();
    return *this;
  }
  JsonW& key(std::string_view k) {
    sep();
    quote(k);
    s_ += ':';
    after_key_ = true;
    return *this;
  }
  JsonW& str(std::string_view v) { sep(); quote(v); return *this; }
  JsonW& num(int64_t v) {
    sep();
    char b[24];
    auto r = std::to_chars(b, b + sizeof b, v);
    s_.append(b, r.ptr);
    return *this;
  }
  JsonW& boolean(bool v) { sep(); s_ += v ? "true" : "false"; return *this; }
  JsonW& null() { sep(); s_ += "null"; return *this; }
  JsonW& raw(std::string_view json) { sep(); s_ += json; return *this; }
  /// Decimal as a JSON number (shortest exact form); kNone -> null.
  JsonW& dec(int64_t m, int scale) { return m == kNone ? null() : raw(decimal(m, scale, -1)); }
  /// Decimal as a JSON string; `digits` >= 0 pads the fraction to that many digits.
  JsonW& sdec(int64_t m, int scale, int digits = -1) {
    if (m == kNone) return null();
    sep();
    s_ += '"';
    s_ += decimal(m, scale, digits);
    s_ += '"';
    return *this;
  }
  /// Decimal as a JSON number padded to `digits` fraction digits (e.g. 36235.0).
  JsonW& fdec(int64_t m, int scale, int digits) { return m == kNone ? null() : raw(decimal(m, scale, digits)); }

  const std::string& text() const { return s_; }
  std::string take() { return std::move(s_); }

  /// Exact decimal text of m/10^scale; `digits` >= 0 pads the fraction with zeros.
  static std::string decimal(int64_t m, int scale, int digits) {
    char b[48];
    std::string out(b, format_decimal(m, scale, b));
    if (digits <= 0) return out;
    const auto dot = out.find('.');
    const int have = dot == std::string::npos ? 0 : static_cast<int>(out.size() - dot - 1);
    if (dot == std::string::npos) out += '.';
    out.append(static_cast<size_t>(digits > have ? digits - have : 0), '0');
    return out;
  }

 private:
  JsonW& open(char o, char c) {
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
  void quote(std::string_view v) {
    s_ += '"';
    json::escape(s_, v);
    s_ += '"';
  }

  std::string s_;
  std::vector<bool> first_;
  std::vector<char> close_;
  bool after_key_ = false;
};

}  // namespace mdhub::sim
