// Websocket API channel names (the pure part of a client's subscribe/unsubscribe): what
// parses has a name that parses to the same channel.
#include "src/app/ws_channels.hpp"
#include "fuzz/check.hpp"

using namespace mdhub;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ChannelSpec spec;
  std::string error;
  if (!parse_channel(fuzz::text(data, size), spec, error)) {
    fuzz::require(!error.empty(), "an error has a message");
    return 0;
  }
  fuzz::require(spec.kind != ChannelKind::book_top || (spec.depth > 0 && spec.depth <= kMaxTopDepth),
                "book<N> depth is bounded");
  const std::string name = spec.name();
  ChannelSpec again;
  fuzz::require(parse_channel(name, again, error), "name() parses");
  fuzz::require(again.name() == name, "name() is stable");
  return 0;
}
