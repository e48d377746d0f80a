#pragma once
// A websocket API client command (`{"op":...,"id":...,"channels":[...]}`) parsed apart from
// the server, so its checks can be tested and fuzzed without a socket or an engine. Pure;
// the Reader is the caller's.
#include <string>
#include <string_view>
#include <vector>

#include "feeds/common/json.hpp"

namespace mdhub {

struct WsRequest {
  std::string op;  ///< ping, list, subscribe or unsubscribe
  std::string id;  ///< the id's JSON token as sent (number or string), empty when absent
  std::vector<std::string> channels;  ///< subscribe/unsubscribe: at least one (names unchecked)
};

struct WsRequestError {
  std::string id;  ///< the id when it came before the fault, else empty
  std::string code;  ///< bad_request or unknown_op
  std::string message;
};

/// False with `err` set when `text` is not a command the API understands.
bool parse_ws_request(json::Reader& reader, std::string_view text, WsRequest& out, WsRequestError& err);

}  // namespace mdhub
