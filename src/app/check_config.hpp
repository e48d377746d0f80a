#pragma once
// `mdhub check-config FILE`: validates a config without running it.
#include <iosfwd>
#include <string>

namespace mdhub {

/// Writes the errors (`FILE:LINE:COL: message`, line order) to `err` and returns 2; else any
/// warnings (`FILE: warning: message`) to `err`, "FILE: ok (1 venue, 1 enabled)" to `out`,
/// and returns 0.
int check_config(const std::string& path, std::ostream& out, std::ostream& err);

}  // namespace mdhub
