// Recording reader: the input is one segment file, read as it is (damage handling) and
// again with its checksums made valid, so that mutations reach the decompressor and the
// record decoder instead of stopping at a CRC. Every record returned lies in the reader's
// buffer (ASan checks the views), the counts add up, and reading always ends.
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "fuzz/check.hpp"
#include "src/record/crc32c.hpp"
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

uint32_t get32(const std::vector<uint8_t>& b, size_t at) {
  uint32_t v;
  std::memcpy(&v, b.data() + at, 4);
  return v;
}

void put_crc(std::vector<uint8_t>& b, size_t at, size_t from, size_t n) {
  const uint32_t c = record::crc32c(b.data() + from, n);
  std::memcpy(b.data() + at, &c, 4);
}

/// The segment header's and each block's checksums recomputed (FORMAT.md), walking blocks
/// by their comp_len from the header's end; records keep theirs (the reader skips checking).
std::vector<uint8_t> with_valid_checksums(const uint8_t* data, size_t size) {
  std::vector<uint8_t> b(data, data + size);
  if (size < 40 || std::memcmp(b.data(), "MDHUBREC", 8) != 0) return b;
  const size_t header_len = b[10] | (size_t{b[11]} << 8);
  if (header_len < 40 || header_len > size) return b;
  put_crc(b, header_len - 4, 0, header_len - 4);
  size_t off = header_len;
  while (off + 52 <= size && std::memcmp(b.data() + off, "MDBK", 4) == 0) {
    const size_t comp = get32(b, off + 4);
    if (comp > size - off - 52) break;
    put_crc(b, off + 44, off + 52, comp);
    put_crc(b, off + 48, off, 48);
    off += 52 + comp;
  }
  return b;
}

void read_all(TempSegment& seg, const uint8_t* data, size_t size, bool verify_records) {
  seg.write(data, size);
  record::ReaderOptions opt;
  opt.verify_records = verify_records;
  record::RecordingReader reader(std::move(opt));
  const auto opened = reader.open(seg.path);
  fuzz::require(opened && *opened == 1, "a file opens as one segment");
  record::Record r;
  uint64_t records = 0, bytes = 0;
  while (reader.next(r)) {
    ++records;
    bytes += r.payload.size() + r.venue.size();
  }
  fuzz::require(reader.stats().records == records, "stats count the records returned");
  fuzz::require(bytes < (uint64_t{1} << 32), "payloads are bounded");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static TempSegment seg;
  read_all(seg, data, size, true);
  const std::vector<uint8_t> fixed = with_valid_checksums(data, size);
  read_all(seg, fixed.data(), fixed.size(), false);
  return 0;
}
