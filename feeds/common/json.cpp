#include "feeds/common/json.hpp"

#include <algorithm>
#include <cctype>
#include <limits>

#include "feeds/common/json_write.hpp"

namespace mdhub::json {

static_assert(kFramePadding >= simdjson::SIMDJSON_PADDING, "FrameView room must cover simdjson's padding");

simdjson::simdjson_result<od::document> Reader::iterate(std::string_view text) { return iterate(text, 0); }

simdjson::simdjson_result<od::document> Reader::iterate(std::string_view text, size_t room) {
  in_place_ = room >= simdjson::SIMDJSON_PADDING;
  if (in_place_) return parser_.iterate(text.data(), text.size(), text.size() + room);
  // Otherwise one padded copy, reused from frame to frame.
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

void escape(std::string& out, std::string_view s) { json_escape(s, out); }

std::string json_error(simdjson::error_code e) {
  return std::string("bad JSON: ") + simdjson::error_message(e);
}

std::string shape_error(simdjson::error_code e, std::string_view want) {
  if (e != simdjson::INCORRECT_TYPE) return json_error(e);
  std::string m = "expected ";
  m += want;
  return m;
}

// simdjson reports the position as out of bounds once the whole document was consumed;
// anything else means bytes after the top-level value.
bool consumed_all(od::document& doc) { return doc.current_location().error() != simdjson::SUCCESS; }

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string upper(std::string_view s) {
  std::string r(s);
  for (char& c : r)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return r;
}

namespace {
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool push_digit(int64_t& v, int d) {
  if (v > (std::numeric_limits<int64_t>::max() - d) / 10) return false;
  v = v * 10 + d;
  return true;
}
}  // namespace

bool scaled_trunc(std::string_view s, int digits, int64_t& out) {
  if (digits < 0 || digits > kMaxScale) return false;
  size_t i = 0;
  int64_t v = 0;
  bool any = false;
  for (; i < s.size() && is_digit(s[i]); ++i) {
    any = true;
    if (!push_digit(v, s[i] - '0')) return false;
  }
  int taken = 0;
  if (i < s.size() && s[i] == '.') {
    for (++i; i < s.size() && is_digit(s[i]); ++i) {
      any = true;
      if (taken < digits) {
        if (!push_digit(v, s[i] - '0')) return false;
        ++taken;
      }
    }
  }
  if (!any) return false;
  if (i != s.size()) {
    if (s[i] != 'e' && s[i] != 'E') return false;
    auto r = parse_decimal(s, digits, Rounding::half_even);
    if (!r || *r < 0) return false;
    out = *r;
    return true;
  }
  for (; taken < digits; ++taken)
    if (!push_digit(v, 0)) return false;
  out = v;
  return true;
}

Got field(od::object& o, std::string_view key, od::value& v, od::json_type& t) {
  const auto err = o.find_field_unordered(key).get(v);
  if (err == simdjson::NO_SUCH_FIELD) return Got::absent;
  if (err || v.type().get(t)) return Got::bad;
  if (t != od::json_type::null) return Got::value;
  // type() only looks at the first byte: `nul`, `nope` must not pass for null.
  bool is_null = false;
  return !v.is_null().get(is_null) && is_null ? Got::absent : Got::bad;
}

Got text_field(od::object& o, std::string_view key, std::string_view& s) {
  od::value v;
  od::json_type t;
  const Got g = field(o, key, v, t);
  if (g != Got::value) return g;
  if (t != od::json_type::string && t != od::json_type::number) return Got::bad;
  return text(v, s) ? Got::value : Got::bad;
}

Got string_field(od::object& o, std::string_view key, std::string_view& s) {
  od::value v;
  od::json_type t;
  const Got g = field(o, key, v, t);
  if (g != Got::value) return g;
  if (t != od::json_type::string) return Got::bad;
  return text(v, s) ? Got::value : Got::bad;
}

Got int_field(od::object& o, std::string_view key, int64_t& n) {
  od::value v;
  od::json_type t;
  const Got g = field(o, key, v, t);
  if (g != Got::value) return g;
  return integer(v, n) ? Got::value : Got::bad;
}

bool optional_text(od::object& o, std::string_view key, std::string_view& out) {
  out = {};
  const Got g = text_field(o, key, out);
  if (g == Got::absent) out = {};
  return g != Got::bad;
}

bool get_uint(od::object& o, std::string_view key, uint64_t& v) {
  od::value val;
  int64_t i = 0;
  if (o[key].get(val) || !integer(val, i) || i < 0) return false;
  v = static_cast<uint64_t>(i);
  return true;
}

bool decimal_field(od::object& o, std::string_view key, int scale, bool required, Wording w,
                   int64_t& v, std::string& err) {
  auto r = optional_decimal(o, key, scale);
  if (!r) {
    if (w == Wording::bad_key) {
      err = "bad ";
      err += key;
      err += " (";
      err += to_string(r.error());
      err += ')';
    } else {
      err = key;
      err += ": ";
      err += to_string(r.error());
    }
    return false;
  }
  if (required && *r == kNone) {
    err = "missing ";
    err += key;
    return false;
  }
  v = *r;
  return true;
}

bool get_decimal(od::object& o, std::string_view key, int scale, int64_t& v, std::string& err) {
  return decimal_field(o, key, scale, false, Wording::bad_key, v, err);
}

bool require_decimal(od::object& o, std::string_view key, int scale, int64_t& v,
                     std::string& err) {
  return decimal_field(o, key, scale, true, Wording::bad_key, v, err);
}

bool get_ms(od::object& o, std::string_view key, int64_t& us, std::string& err) {
  // A millisecond value read at scale 3 is its microsecond mantissa, exactly.
  return decimal_field(o, key, 3, false, Wording::bad_key, us, err);
}

bool decimal_value(od::value v, std::string_view what, int scale, int64_t& out,
                   std::string& err) {
  auto r = decimal(v, scale);
  if (!r) {
    err = what;
    err += ": ";
    err += to_string(r.error());
    return false;
  }
  out = *r;
  return true;
}

ParseStatus Txn::fail(std::string message) {
  out_.events.resize(events_);
  out_.levels.resize(levels_);
  out_.detected.resize(detected_);
  out_.error = std::move(message);
  return ParseStatus::error;
}

ParseStatus Txn::fail(std::string_view venue, std::string_view what, std::string_view err) {
  std::string m(venue);
  m += ' ';
  m += what;
  m += ": ";
  m += err;
  return fail(std::move(m));
}

bool open_object(Reader& reader, std::string_view body, od::document& doc, od::object& root, std::string& err) {
  if (!reader.iterate(body).get(doc) && !doc.get_object().get(root)) return true;
  err = "body is not a JSON object";
  return false;
}

bool open_array(Reader& reader, std::string_view body, od::document& doc, od::array& arr, std::string& err) {
  if (!reader.iterate(body).get(doc) && !doc.get_array().get(arr)) return true;
  err = "body is not a JSON array";
  return false;
}

Event make_event(EventKind kind, uint32_t instrument, int64_t ts_us, RecvTime t) {
  Event e;
  e.kind = kind;
  e.instrument = instrument;
  e.ts_exchange_us = ts_us;
  e.recv = t;
  return e;
}

void push_book(ParseOut& out, BookMsg::Type type, size_t level_begin, uint32_t instrument,
               int64_t ts_us, RecvTime t, uint64_t seq, uint64_t prev_seq) {
  Event e = make_event(EventKind::book, instrument, ts_us, t);
  BookMsg b;
  b.type = type;
  b.level_begin = static_cast<uint32_t>(level_begin);
  b.level_count = static_cast<uint32_t>(out.levels.size() - level_begin);
  b.seq = seq;
  b.prev_seq = prev_seq;
  e.body = b;
  out.events.push_back(e);
}

bool merge_book(std::vector<LevelUpdate>& levels, size_t begin, size_t cap) {
  std::sort(levels.begin() + static_cast<std::ptrdiff_t>(begin), levels.end(),
            [](const LevelUpdate& a, const LevelUpdate& b) {
              if (a.side != b.side) return a.side == Side::bid;
              return a.side == Side::bid ? a.price > b.price : a.price < b.price;
            });
  size_t w = begin;
  for (size_t r = begin; r < levels.size(); ++r) {
    const LevelUpdate l = levels[r];
    if (w > begin && levels[w - 1].side == l.side && levels[w - 1].price == l.price) {
      if (__builtin_add_overflow(levels[w - 1].qty, l.qty, &levels[w - 1].qty)) return false;
    } else {
      levels[w++] = l;
    }
  }
  levels.resize(w);
  // Zero sizes mean "no level" in a full book: dropped after merging, before the cap.
  size_t kept = begin, per_side = 0;
  for (size_t r = begin; r < levels.size(); ++r) {
    const LevelUpdate l = levels[r];
    if (r > begin && levels[r - 1].side != l.side) per_side = 0;
    if (l.qty == 0 || (cap != 0 && per_side >= cap)) continue;
    ++per_side;
    levels[kept++] = l;
  }
  levels.resize(kept);
  return true;
}

}  // namespace mdhub::json
