#include "feeds/common/sink.hpp"

namespace mdhub {

std::string_view to_string(FeedState s) {
  switch (s) {
    case FeedState::starting: return "starting";
    case FeedState::discovering: return "discovering";
    case FeedState::connecting: return "connecting";
    case FeedState::live: return "live";
    case FeedState::down: return "down";
    case FeedState::stopped: return "stopped";
  }
  return "?";
}

void FeedStats::detect(std::string_view name) {
  for (auto& [n, count] : detected)
    if (n == name) {
      ++count;
      return;
    }
  detected.emplace_back(std::string(name), 1);
}

}  // namespace mdhub
