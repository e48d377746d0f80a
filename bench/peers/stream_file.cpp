#include "bench/peers/stream_file.hpp"

#include <cstdio>
#include <fstream>
#include <string_view>

#include "bench/book/delta_stream.hpp"
#include "book/decimal.hpp"

namespace mdhub::bench {
namespace {

constexpr std::string_view kMagic = "mdhub-peers-stream 1 ";

// "<word> <count>": the count, or SIZE_MAX when the line is not that section header.
size_t section_count(std::string_view line, std::string_view word) {
  if (line.size() <= word.size() + 1 || line.substr(0, word.size()) != word || line[word.size()] != ' ')
    return SIZE_MAX;
  const auto n = parse_decimal(line.substr(word.size() + 1), 0);
  return n && *n >= 0 ? static_cast<size_t>(*n) : SIZE_MAX;
}

bool parse_level(std::string_view line, LevelUpdate& u) {
  if (line.size() < 5 || (line[0] != 'b' && line[0] != 'a') || line[1] != ' ') return false;
  const size_t sp = line.find(' ', 2);
  if (sp == std::string_view::npos) return false;
  const auto price = parse_decimal(line.substr(2, sp - 2), kPeersPriceScale);
  const auto qty = parse_decimal(line.substr(sp + 1), kPeersQtyScale);
  if (!price || !qty) return false;
  u = LevelUpdate{line[0] == 'b' ? Side::bid : Side::ask, *price, *qty};
  return true;
}

}  // namespace

std::string format_level(const LevelUpdate& u) {
  std::string s(u.side == Side::bid ? "b " : "a ");
  s += format_decimal(u.price, kPeersPriceScale);
  s += ' ';
  s += format_decimal(u.qty, kPeersQtyScale);
  return s;
}

std::string write_peers_stream(const std::string& path, uint64_t seed, size_t updates, int levels_per_side) {
  const DeltaStream s = make_stream(seed, updates, 5'925'250, 5, levels_per_side, 1);
  // Written next to the target and renamed, so a reader never sees half a file.
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) return "cannot write " + tmp;
    f << kMagic << "seed=" << seed << " updates=" << s.levels.size() << " levels_per_side=" << levels_per_side
      << " price_scale=" << kPeersPriceScale << " qty_scale=" << kPeersQtyScale << '\n';
    f << "snapshot " << s.snapshot.size() << '\n';
    for (const auto& u : s.snapshot) f << format_level(u) << '\n';
    f << "updates " << s.levels.size() << '\n';
    for (const auto& u : s.levels) f << format_level(u) << '\n';
    f << "final " << s.final_bids.size() + s.final_asks.size() << '\n';
    for (auto [p, q] : s.final_bids) f << format_level(LevelUpdate{Side::bid, p, q}) << '\n';
    for (auto [p, q] : s.final_asks) f << format_level(LevelUpdate{Side::ask, p, q}) << '\n';
    if (!f.flush()) return "cannot write " + tmp;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return "cannot rename " + tmp + " to " + path;
  return {};
}

std::string read_peers_stream(const std::string& path, PeersStream& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return "cannot read " + path;
  std::string line;
  size_t line_no = 0;
  auto where = [&] { return path + ":" + std::to_string(line_no); };
  if (!std::getline(f, line) || !line.starts_with(kMagic)) return where() + ": not a peers stream file";
  ++line_no;
  for (auto [word, dest] : {std::pair{"snapshot", &out.snapshot}, std::pair{"updates", &out.updates},
                            std::pair{"final", &out.final_book}}) {
    ++line_no;
    if (!std::getline(f, line)) return where() + ": missing section " + word;
    const size_t n = section_count(line, word);
    if (n == SIZE_MAX) return where() + ": expected '" + word + " <count>'";
    dest->clear();
    dest->reserve(n);
    for (size_t i = 0; i < n; ++i) {
      ++line_no;
      LevelUpdate u{};
      if (!std::getline(f, line)) return where() + ": file ends inside section " + word;
      if (!parse_level(line, u)) return where() + ": bad level line '" + line + "'";
      dest->push_back(u);
    }
  }
  return {};
}

}  // namespace mdhub::bench
