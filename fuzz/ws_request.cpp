// Websocket API commands: the request envelope (op, id, channels), then each channel name.
// An error has a code and a message; an accepted subscribe/unsubscribe lists channels; a
// channel name that parses prints (name()) as one that parses to the same channel.
#include "fuzz/check.hpp"
#include "src/publish/ws_channels.hpp"
#include "src/publish/ws_request.hpp"

using namespace mdhub;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static json::Reader reader;
  const std::string_view text = fuzz::text(data, size);
  WsRequest req;
  WsRequestError err;
  if (!parse_ws_request(reader, text, req, err)) {
    fuzz::require((err.code == "bad_request" || err.code == "unknown_op") && !err.message.empty(),
                  "an error has a code and a message");
  } else {
    fuzz::require(req.op == "ping" || req.op == "list" || !req.channels.empty(), "subscriptions list channels");
  }
  // The raw input as one channel name too: most names never come through JSON escapes.
  std::vector<std::string> names = req.channels;
  names.emplace_back(text);
  for (const auto& n : names) {
    ChannelSpec spec;
    std::string error;
    if (!parse_channel(n, spec, error)) {
      fuzz::require(!error.empty(), "an error has a message");
      continue;
    }
    fuzz::require(spec.kind != ChannelKind::book_top || (spec.depth > 0 && spec.depth <= kMaxTopDepth),
                  "book<N> depth is bounded");
    const std::string name = spec.name();
    ChannelSpec again;
    fuzz::require(parse_channel(name, again, error), "name() parses");
    fuzz::require(again.name() == name, "name() is stable");
  }
  return 0;
}
