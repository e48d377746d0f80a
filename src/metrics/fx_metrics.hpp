#pragma once
// The cross-currency views' counters in the Prometheus text format (README "Metrics"):
// mdhub_fx_excluded_total{reason} and mdhub_fx_published_total{kind}. Any thread.
#include <string>

#include "src/metrics/exposition.hpp"
#include "src/publish/fx_http.hpp"

namespace mdhub {

inline void append_fx_metrics(std::string& out, const FxStats& s) {
  prom::append_header(out, "mdhub_fx_excluded_total",
                      "Venue conversions left out of an fx view, per computation that left one out, by reason",
                      "counter");
  for (size_t k = 0; k < kFxReasons.size(); ++k)
    out.append("mdhub_fx_excluded_total{reason=\"").append(kFxReasons[k]).append("\"} ")
        .append(std::to_string(s.excluded_count[k].load(std::memory_order_relaxed))).append("\n");
  prom::append_header(out, "mdhub_fx_published_total", "fx views answered (HTTP) or published (websocket), by kind",
                      "counter");
  for (size_t k = 0; k < kFxPublished.size(); ++k)
    out.append("mdhub_fx_published_total{kind=\"").append(kFxPublished[k]).append("\"} ")
        .append(std::to_string(s.published_count[k].load(std::memory_order_relaxed))).append("\n");
}

}  // namespace mdhub
