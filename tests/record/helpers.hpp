#pragma once
// Test helpers: temporary directories and reading a whole recording.
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "src/record/reader.hpp"

namespace mdhub::record::test {

/// A fresh directory removed with its contents at scope exit.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("mdhub-record-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

/// An owned copy of a Record.
struct Owned {
  RecordType type;
  RawKind kind;
  uint8_t flags;
  uint32_t feed;
  int32_t index;
  uint64_t seq;
  RecvTime t;
  std::string venue, payload;
  size_t file;
  uint64_t block_offset;
};

struct ReadAll {
  std::vector<Owned> records;
  std::vector<ReadIssue> issues;
  ReaderStats stats;
  std::vector<std::string> files;
};

inline ReadAll read_all(const std::string& path, bool skip_repeats = true) {
  ReadAll r;
  RecordingReader reader;
  auto opened = reader.open(path);
  if (!opened) return r;
  Record rec;
  while (reader.next(rec)) {
    if (skip_repeats && rec.repeat()) continue;
    r.records.push_back(Owned{rec.type, rec.kind, rec.flags, rec.feed, rec.index, rec.seq, rec.t,
                              std::string(rec.venue), std::string(rec.payload), rec.file,
                              rec.block_offset});
  }
  r.issues = reader.issues();
  r.stats = reader.stats();
  r.files = reader.files();
  return r;
}

inline std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

inline void spit(const std::string& path, std::string_view data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
}

}  // namespace mdhub::record::test
