#pragma once
// The FxMarket of an Engine: a plain copy of what the fx computations read. Call on the
// engine's thread.
#include <string>

#include "src/engine/engine.hpp"
#include "src/fx/rates.hpp"

namespace mdhub::fx {

/// Every instrument's state as a rate source; the instruments of `base` also get their
/// book's best `depth` levels a side. `now_us`: wall clock, µs since the epoch.
FxMarket market_of(const Engine& e, const std::string& base, size_t depth, int64_t now_us);

}  // namespace mdhub::fx
