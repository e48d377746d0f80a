#pragma once
// The cross-currency HTTP endpoints (README "Cross-currency book"):
//   GET /api/v1/book/fx/{BASE}-{QUOTE}?depth=N   the fx book
//   GET /api/v1/premium/{BASE}?quote=Q           the premium view
// computed on request from the engine's state on the network thread (nothing is kept for
// pairs nobody asks about).
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string_view>

#include "src/engine/engine.hpp"
#include "src/fx/views.hpp"
#include "src/net/server.hpp"

namespace mdhub {

inline constexpr std::array<std::string_view, 5> kFxReasons = {"no_fx_path", "rate_stale", "rate_too_old", "overflow",
                                                               "book_unavailable"};
inline constexpr std::array<std::string_view, 5> kFxPublished = {"http_book", "http_premium", "ws_book", "ws_bbo",
                                                                 "ws_premium"};

/// Counters of the fx views, read by the metrics (mdhub_fx_excluded_total{reason},
/// mdhub_fx_published_total{kind}). Written on the network thread; atomics so a scrape on
/// another thread reads whole values.
struct FxStats final : fx::ExclusionCounter {
  std::array<std::atomic<uint64_t>, kFxReasons.size()> excluded_count{};
  std::array<std::atomic<uint64_t>, kFxPublished.size()> published_count{};
  std::atomic<uint64_t> computed{0};  ///< fx views the websocket channels computed (only subscribed ones)
  void excluded_one(std::string_view reason);
  void excluded(const std::string& reason) override { excluded_one(reason); }
  void published_one(std::string_view kind);
};

/// Registers the two routes on `server`. `now_us` is the clock ages are measured on (the
/// wall clock live, the recording's clock in a replay). `engine` and `stats` must outlive
/// the server; `cfg` is copied.
void install_fx_http_api(net::Server& server, const Engine& engine, const fx::FxConfig& cfg, FxStats& stats,
                         std::function<int64_t()> now_us);

}  // namespace mdhub
