// Decimal parser: first byte picks the scale and rounding, the rest is the text. What parses
// formats back to text that parses to the same mantissa; exact implies half_even agrees;
// rescaling up and back is lossless.
#include "book/decimal.hpp"
#include "fuzz/check.hpp"

using namespace mdhub;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const int scale = data[0] % (kMaxScale + 1);
  const Rounding rounding = (data[0] & 0x80) ? Rounding::half_even : Rounding::exact;
  const std::string_view s = fuzz::text(data + 1, size - 1);
  const auto r = parse_decimal(s, scale, rounding);
  if (!r) {
    fuzz::require(to_string(r.error()) != nullptr, "errors have a name");
    return 0;
  }
  const int64_t m = *r;
  char buf[32];
  const size_t n = format_decimal(m, scale, buf);
  fuzz::require(n > 0 && n <= 24, "a parsed value formats");
  const auto back = parse_decimal(std::string_view(buf, n), scale, Rounding::exact);
  fuzz::require(back && *back == m, "format then parse is the identity");
  if (rounding == Rounding::exact) {
    const auto even = parse_decimal(s, scale, Rounding::half_even);
    fuzz::require(even && *even == m, "exact and half_even agree on exact input");
  }
  for (int to = scale + 1; to <= kMaxScale; ++to) {
    const auto up = rescale(m, scale, to);
    if (!up) break;
    const auto down = rescale(*up, to, scale);
    fuzz::require(down && *down == m, "rescale up and back is lossless");
  }
  return 0;
}
