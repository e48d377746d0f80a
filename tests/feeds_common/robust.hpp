#pragma once
// Robustness harness shared by the venue parser tests: every fixture of a venue, cut at every
// length and with single bytes corrupted, goes through the venue's parsers; each must end in
// no crash and either a clear error with nothing appended or consistent events.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>

#include "feeds/common/events.hpp"

namespace mdhub::test {

/// A parser's outcome on ParseOut that held `events_before`/`levels_before` entries: an error
/// has a message and appended nothing; success appended events for known instruments whose
/// book levels lie inside out.levels.
inline void check_parse(ParseStatus st, const ParseOut& out, size_t events_before, size_t levels_before,
                        size_t n_inst) {
  if (st == ParseStatus::error) {
    ASSERT_FALSE(out.error.empty());
    ASSERT_EQ(out.events.size(), events_before);
    ASSERT_EQ(out.levels.size(), levels_before);
    return;
  }
  for (size_t i = events_before; i < out.events.size(); ++i) {
    ASSERT_LT(out.events[i].instrument, n_inst);
    if (const auto* b = std::get_if<BookMsg>(&out.events[i].body)) {
      ASSERT_LE(size_t{b->level_begin} + b->level_count, out.levels.size());
    }
  }
}

/// Calls `each(std::string_view)` with every prefix of every file in `dir` and with every
/// copy of it that has one byte replaced by one of `"}],x-`. Returns how many inputs it made.
template <class F>
size_t for_each_corruption(const std::string& dir, F&& each) {
  size_t inputs = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(f.path(), std::ios::binary);
    EXPECT_TRUE(in.good()) << f.path();
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    for (size_t n = 0; n <= text.size(); ++n, ++inputs) each(std::string_view(text).substr(0, n));
    for (size_t i = 0; i < text.size(); ++i) {
      for (char c : {'"', '}', ']', ',', 'x', '-'}) {
        std::string m = text;
        m[i] = c;
        each(std::string_view(m));
        ++inputs;
      }
    }
  }
  return inputs;
}

}  // namespace mdhub::test
