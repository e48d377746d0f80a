#include "feeds/common/json.hpp"

namespace mdhub::json {

simdjson::simdjson_result<od::document> Reader::iterate(std::string_view text) {
  // One padded copy per frame: cheaper than reasoning about the padding of every caller's
  // buffer, and the copy is reused.
  buf_.assign(text);
  buf_.append(simdjson::SIMDJSON_PADDING, '\0');
  return parser_.iterate(buf_.data(), text.size(), buf_.size());
}

namespace {
std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}
}  // namespace

Result<int64_t, DecimalError> decimal(od::value v, int scale, Rounding rounding) {
  od::json_type t;
  if (v.type().get(t)) return Unexpected{DecimalError::syntax};
  if (t == od::json_type::string) {
    std::string_view s;
    if (v.get_string().get(s)) return Unexpected{DecimalError::syntax};
    return parse_decimal(s, scale, rounding);
  }
  if (t == od::json_type::number) {
    return parse_decimal(trim_right(v.raw_json_token()), scale, rounding);
  }
  return Unexpected{DecimalError::syntax};
}

Result<int64_t, DecimalError> optional_decimal(od::object& obj, std::string_view key, int scale,
                                               Rounding rounding) {
  od::value v;
  auto err = obj[key].get(v);
  if (err == simdjson::NO_SUCH_FIELD) return kNone;
  if (err) return Unexpected{DecimalError::syntax};
  bool is_null = false;
  if (!v.is_null().get(is_null) && is_null) return kNone;
  return decimal(v, scale, rounding);
}

bool integer(od::value v, int64_t& out) {
  od::json_type t;
  if (v.type().get(t)) return false;
  if (t == od::json_type::number) return !v.get_int64().get(out);
  if (t == od::json_type::string) {
    return !v.get_int64_in_string().get(out);
  }
  return false;
}

bool text(od::value v, std::string_view& out) {
  od::json_type t;
  if (v.type().get(t)) return false;
  if (t == od::json_type::string) return !v.get_string().get(out);
  if (t == od::json_type::number) {
    out = trim_right(v.raw_json_token());
    return true;
  }
  return false;
}

void escape(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char c : s) {
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
          out.push_back(kHex[u & 15]);
        } else {
          out.push_back(c);
        }
    }
  }
}

}  // namespace mdhub::json
