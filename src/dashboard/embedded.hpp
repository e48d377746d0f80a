#pragma once
// The table of embedded asset files, generated at build time by embed.cmake. Private to
// the dashboard library; immutable, so safe to read from any thread.
#include <cstddef>

namespace mdhub::dashboard::detail {

struct EmbeddedFile {
  const char* path;           ///< relative to the assets folder, '/'-separated
  const unsigned char* data;  ///< `size` bytes followed by a NUL
  size_t size;
};

extern const EmbeddedFile kEmbeddedFiles[];
extern const size_t kEmbeddedFileCount;

}  // namespace mdhub::dashboard::detail
