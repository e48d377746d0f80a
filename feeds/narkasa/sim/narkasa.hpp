#pragma once
// Narkasa internals shared by its websocket side (narkasa.cpp) and its REST side
// (narkasa_rest.cpp): payload pieces common to pushes and answers. Not a public header.
#include <cstdint>
#include <string_view>
#include <vector>

#include "book/types.hpp"
#include "src/net/server.hpp"
#include "src/sim/jsonw.hpp"
#include "src/sim/market.hpp"

namespace mdhub::sim::narkasa {

inline constexpr size_t kDepthLevels = 50;

struct IntervalDef {
  std::string_view name;
  int64_t seconds;
};
inline constexpr IntervalDef kIntervals[] = {{"m1", 60},   {"m3", 180},   {"m5", 300},   {"m15", 900},  {"m30", 1800},
                                             {"h1", 3600}, {"h2", 7200},  {"h4", 14400}, {"d1", 86400}};

/// `[{"price":..,"amount":..(,"count":..)}, ...]`, numbers as JSON numbers.
void book_levels(JsonW& w, const std::vector<Level>& levels, int ps, int qs, bool count);
/// The 24 h statistics shared by /market/markets, /market/24h, allTickers and ticker;
/// `full` adds changePercent and openTime, which the single-market push leaves out.
void ticker_fields(JsonW& w, const Market& m, uint32_t id, bool full);
/// openTime, open, low, high, close, volume of one candle.
void candle_fields(JsonW& w, const Candle& c, int ps, int qs);
/// Answers GET /narkasa/v3/api/... from the market's current state; `ids` are the venue's
/// instruments.
net::HttpResponse rest(const Market& m, const std::vector<uint32_t>& ids, const net::HttpRequest& req, int64_t now_us);

}  // namespace mdhub::sim::narkasa
