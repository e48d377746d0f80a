#pragma once
// The simulator's payload writer is the shared one (feeds/common/json_write.hpp): commas
// tracked per nesting level, decimals exact from fixed-point mantissas.
#include "feeds/common/json_write.hpp"

namespace mdhub::sim {

using JsonW = JsonWriter;

}  // namespace mdhub::sim
