#pragma once
// Rate-limited logging: at most `burst` lines per kind per window; the rest are counted and
// reported with the next line that gets through, so a flapping venue cannot flood the disk.
#include <spdlog/spdlog.h>

#include <chrono>
#include <string>
#include <unordered_map>

namespace mdhub {

class RateLimitedLog {
 public:
  explicit RateLimitedLog(int burst = 5, std::chrono::seconds window = std::chrono::seconds(60))
      : burst_(burst), window_(window) {}

  template <class... Args>
  void info(const std::string& kind, spdlog::format_string_t<Args...> fmt, Args&&... args) {
    log(spdlog::level::info, kind, fmt, std::forward<Args>(args)...);
  }
  template <class... Args>
  void warn(const std::string& kind, spdlog::format_string_t<Args...> fmt, Args&&... args) {
    log(spdlog::level::warn, kind, fmt, std::forward<Args>(args)...);
  }

  /// True when a line of `kind` may be written now (and counts it).
  bool allow(const std::string& kind, uint64_t& suppressed) {
    auto now = std::chrono::steady_clock::now();
    auto& s = slots_[kind];
    if (now - s.start >= window_) {
      s.start = now;
      s.count = 0;
    }
    if (s.count >= burst_) {
      ++s.suppressed;
      return false;
    }
    ++s.count;
    suppressed = s.suppressed;
    s.suppressed = 0;
    return true;
  }

 private:
  template <class... Args>
  void log(spdlog::level::level_enum lvl, const std::string& kind, spdlog::format_string_t<Args...> fmt,
           Args&&... args) {
    uint64_t suppressed = 0;
    if (!allow(kind, suppressed)) return;
    if (suppressed) spdlog::log(lvl, "({} similar lines suppressed)", suppressed);
    spdlog::log(lvl, fmt, std::forward<Args>(args)...);
  }

  struct Slot {
    std::chrono::steady_clock::time_point start{};
    int count = 0;
    uint64_t suppressed = 0;
  };
  int burst_;
  std::chrono::seconds window_;
  std::unordered_map<std::string, Slot> slots_;
};

}  // namespace mdhub
