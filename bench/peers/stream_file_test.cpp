// The peers stream file: what the generator writes reads back to the same levels, applying
// it reproduces the model's final book, and a damaged file is refused with its line named.
#include "bench/peers/stream_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>

#include "book/l2_book.hpp"

namespace mdhub::bench {
namespace {

namespace fs = std::filesystem;

class PeersStreamFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mdhub-peers-stream-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  static std::string slurp(const std::string& p) {
    std::ifstream f(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), {}};
  }
  static void spit(const std::string& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

  fs::path dir_;
};

TEST_F(PeersStreamFileTest, LevelsAreExactDecimalText) {
  EXPECT_EQ(format_level(LevelUpdate{Side::bid, 5'925'245, 20'407}), "b 59252.45 0.020407");
  EXPECT_EQ(format_level(LevelUpdate{Side::ask, 5'935'100, 0}), "a 59351 0");
  EXPECT_EQ(format_level(LevelUpdate{Side::ask, 5'935'110, 100'000}), "a 59351.1 0.1");
}

TEST_F(PeersStreamFileTest, ReadsBackAndReplaysToTheModelsFinalBook) {
  const std::string p = path("s.txt");
  ASSERT_EQ(write_peers_stream(p, 7, 5000, 50), "");
  PeersStream s;
  ASSERT_EQ(read_peers_stream(p, s), "");
  ASSERT_EQ(s.snapshot.size(), 100u);
  ASSERT_EQ(s.updates.size(), 5000u);
  size_t deletes = 0;
  for (const auto& u : s.updates) deletes += u.qty == 0;
  EXPECT_GT(deletes, 0u);
  EXPECT_LT(deletes, s.updates.size());

  Book book;
  ASSERT_EQ(book.reset(s.snapshot, 1), BookError::none);
  uint64_t seq = 1;
  for (const auto& u : s.updates) {
    ++seq;
    ASSERT_EQ(book.apply(std::span(&u, 1), seq, seq - 1), BookError::none);
  }
  std::vector<LevelUpdate> got;
  for (Side side : {Side::bid, Side::ask})
    book.for_each(side, SIZE_MAX, [&](const Level& l) { got.push_back(LevelUpdate{side, l.price, l.qty}); });
  EXPECT_EQ(got, s.final_book);

  // One seed, one file; another seed, another stream.
  ASSERT_EQ(write_peers_stream(path("again.txt"), 7, 5000, 50), "");
  EXPECT_EQ(slurp(p), slurp(path("again.txt")));
  ASSERT_EQ(write_peers_stream(path("other.txt"), 8, 5000, 50), "");
  EXPECT_NE(slurp(p), slurp(path("other.txt")));
}

TEST_F(PeersStreamFileTest, DamagedFilesAreRefusedWithTheLine) {
  const std::string good = path("good.txt");
  ASSERT_EQ(write_peers_stream(good, 7, 100, 5), "");
  const std::string text = slurp(good);
  PeersStream s;

  const std::string bad = path("bad.txt");
  const size_t line3 = text.find('\n', text.find('\n') + 1) + 1;  // the first snapshot level
  spit(bad, text.substr(0, line3) + "b 1.2.3 4" + text.substr(text.find('\n', line3)));
  EXPECT_EQ(read_peers_stream(bad, s), bad + ":3: bad level line 'b 1.2.3 4'");

  spit(bad, text.substr(0, text.size() / 2));
  EXPECT_NE(read_peers_stream(bad, s).find("file ends inside section updates"), std::string::npos);

  spit(bad, "not a stream\n");
  EXPECT_EQ(read_peers_stream(bad, s), bad + ":0: not a peers stream file");
  EXPECT_EQ(read_peers_stream(path("missing.txt"), s), "cannot read " + path("missing.txt"));
}

}  // namespace
}  // namespace mdhub::bench
