// Config loader: any text gives a config or errors, each with a position and a message.
#include "src/app/config.hpp"
#include "fuzz/check.hpp"

using namespace mdhub;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ConfigResult r = parse_config(fuzz::text(data, size), "fuzz.toml");
  for (const auto& e : r.errors) {
    fuzz::require(e.where.rfind("fuzz.toml", 0) == 0, "errors name the source");
    fuzz::require(!e.message.empty(), "errors have a message");
  }
  return 0;
}
