#include "src/app/check_config.hpp"

#include <ostream>

#include "src/app/config.hpp"

namespace mdhub {

int check_config(const std::string& path, std::ostream& out, std::ostream& err) {
  const ConfigResult r = load_config(path);
  for (const auto& e : r.errors) err << e.str() << "\n";
  if (!r.errors.empty()) return 2;
  for (const auto& w : r.warnings) err << w.where << ": warning: " << w.message << "\n";
  out << path << ": ok (" << config_summary(r.config) << ")\n";
  return 0;
}

}  // namespace mdhub
