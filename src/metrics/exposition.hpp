#pragma once
// Small writers of the Prometheus text exposition format (version 0.0.4) for metric
// producers that append text through MetricsSources::extra (the recorder) instead of
// going through the prometheus-cpp registry. Pure functions; any thread.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace mdhub::prom {

/// `ns` as exact decimal seconds: 50000 -> "0.00005", 2500000000 -> "2.5", 0 -> "0".
inline std::string seconds_text(uint64_t ns) {
  std::string out = std::to_string(ns / 1'000'000'000);
  uint64_t frac = ns % 1'000'000'000;
  if (frac == 0) return out;
  std::string digits = std::to_string(frac);
  digits.insert(0, 9 - digits.size(), '0');
  while (digits.back() == '0') digits.pop_back();
  return out.append(".").append(digits);
}

inline void append_header(std::string& out, std::string_view name, std::string_view help, std::string_view type) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

inline void append_counter(std::string& out, std::string_view name, std::string_view help, uint64_t v) {
  append_header(out, name, help, "counter");
  out.append(name).append(" ").append(std::to_string(v)).append("\n");
}

inline void append_gauge(std::string& out, std::string_view name, std::string_view help, uint64_t v) {
  append_header(out, name, help, "gauge");
  out.append(name).append(" ").append(std::to_string(v)).append("\n");
}

/// An unlabelled histogram in seconds. `counts` holds one (non-cumulative) count per bound
/// plus the +Inf overflow last; bounds and sum are in ns. Nothing is written on a size
/// mismatch: a malformed histogram would make the whole scrape fail.
inline void append_histogram(std::string& out, std::string_view name, std::string_view help,
                             std::span<const int64_t> bounds_ns, std::span<const uint64_t> counts,
                             uint64_t sum_ns) {
  if (counts.size() != bounds_ns.size() + 1) return;
  append_header(out, name, help, "histogram");
  uint64_t cum = 0;
  for (size_t i = 0; i < bounds_ns.size(); ++i) {
    cum += counts[i];
    out.append(name).append("_bucket{le=\"").append(seconds_text(static_cast<uint64_t>(bounds_ns[i])));
    out.append("\"} ").append(std::to_string(cum)).append("\n");
  }
  cum += counts.back();
  out.append(name).append("_bucket{le=\"+Inf\"} ").append(std::to_string(cum)).append("\n");
  out.append(name).append("_sum ").append(seconds_text(sum_ns)).append("\n");
  out.append(name).append("_count ").append(std::to_string(cum)).append("\n");
}

}  // namespace mdhub::prom
