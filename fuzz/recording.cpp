// Recording reader: the input is one segment file. Every record it returns lies in the
// reader's buffer (ASan checks the views), the counts add up, and reading always ends.
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "fuzz/check.hpp"
#include "src/record/reader.hpp"

using namespace mdhub;

namespace {

/// One temporary segment file per process, rewritten for each input.
struct TempSegment {
  std::string path;
  int fd = -1;
  TempSegment() {
    const char* dir = std::getenv("TMPDIR");
    path = std::string(dir && *dir ? dir : "/tmp") + "/mdhub-fuzz-XXXXXX.mdrec";
    fd = mkstemps(path.data(), 6);
    fuzz::require(fd >= 0, "temporary segment file");
  }
  ~TempSegment() {
    close(fd);
    unlink(path.c_str());
  }
  void write(const uint8_t* data, size_t size) {
    fuzz::require(ftruncate(fd, 0) == 0, "truncate temporary segment");
    size_t done = 0;
    while (done < size) {
      const ssize_t w = pwrite(fd, data + done, size - done, static_cast<off_t>(done));
      fuzz::require(w > 0, "write temporary segment");
      done += static_cast<size_t>(w);
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static TempSegment seg;
  seg.write(data, size);
  record::RecordingReader reader;
  const auto opened = reader.open(seg.path);
  fuzz::require(opened && *opened == 1, "a file opens as one segment");
  record::Record r;
  uint64_t records = 0, bytes = 0;
  while (reader.next(r)) {
    ++records;
    bytes += r.payload.size() + r.venue.size();
    fuzz::require(records <= size, "no more records than input bytes");
  }
  fuzz::require(reader.stats().records == records, "stats count the records returned");
  fuzz::require(bytes < (uint64_t{1} << 32), "payloads are bounded");
  return 0;
}
