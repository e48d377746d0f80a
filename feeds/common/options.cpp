#include "feeds/common/options.hpp"

#include <algorithm>
#include <vector>

namespace mdhub {

std::string OptionSpec::expects() const {
  switch (kind) {
    case Kind::integer: {
      std::string range = "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
      return zero_off ? "0 (off) or " + range : range;
    }
    case Kind::boolean: return "true or false";
    case Kind::choice: {
      std::string s = choices.size() > 2 ? "one of " : "";
      for (size_t i = 0; i < choices.size(); ++i) {
        if (i) s += i + 1 == choices.size() ? " or " : ", ";
        s += choices[i];
      }
      return s;
    }
    case Kind::text: return "a string";
  }
  return {};
}

bool OptionSpec::accepts(std::string_view v) const {
  if (kind == Kind::text) return true;
  return std::find(choices.begin(), choices.end(), v) != choices.end();
}

size_t option_name_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment distance: a swapped pair of letters counts as one typo.
  const size_t n = a.size(), m = b.size();
  std::vector<size_t> d((n + 1) * (m + 1));
  const auto at = [&](size_t i, size_t j) -> size_t& { return d[i * (m + 1) + j]; };
  for (size_t i = 0; i <= n; ++i) at(i, 0) = i;
  for (size_t j = 0; j <= m; ++j) at(0, j) = j;
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
    }
  }
  return at(n, m);
}

}  // namespace mdhub
