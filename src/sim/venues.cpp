// The table of simulated venues: one line per venue (and its declaration); each venue's
// VenueDef is defined in its folder, feeds/<venue>/sim/.
#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <string>

#include "src/sim/sim_venue.hpp"
#include "src/sim/simulator.hpp"

namespace mdhub::sim {

const VenueDef& narkasa_venue();
const VenueDef& btse_venue();
const VenueDef& coinbtr_venue();
const VenueDef& bitexbit_venue();
const VenueDef& coinmotion_venue();

const std::vector<const VenueDef*>& venue_defs() {
  static const std::vector<const VenueDef*> defs{
      &narkasa_venue(),
      &btse_venue(),
      &coinbtr_venue(),
      &bitexbit_venue(),
      &coinmotion_venue(),
  };
  return defs;
}

std::vector<const VenueDef*> select_venues(const std::vector<std::string>& ids) {
  const auto& all = venue_defs();
  if (ids.empty()) return all;
  std::vector<const VenueDef*> out;
  for (const auto& id : ids) {
    auto it = std::find_if(all.begin(), all.end(), [&](const VenueDef* d) { return d->id == id; });
    if (it == all.end()) throw std::invalid_argument("unknown simulated venue '" + id + "'");
    if (std::find(out.begin(), out.end(), *it) == out.end()) out.push_back(*it);
  }
  return out;
}

namespace {

// "venue.key" = value against the registry; the error names the item.
bool check_one(std::string_view name, std::string_view value, std::string& error) {
  const std::string item = std::string(name) + "=" + std::string(value);
  const size_t dot = name.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == name.size()) {
    error = "'" + item + "': expected venue.key=value";
    return false;
  }
  const std::string_view venue = name.substr(0, dot), key = name.substr(dot + 1);
  const auto& all = venue_defs();
  auto it = std::find_if(all.begin(), all.end(), [&](const VenueDef* d) { return d->id == venue; });
  if (it == all.end()) {
    error = "'" + item + "': unknown venue '" + std::string(venue) + "'";
    return false;
  }
  const VariantDef* v = find_variant(**it, key);
  if (!v) {
    error = "'" + item + "': unknown key '" + std::string(key) + "' for " + std::string(venue);
    return false;
  }
  if (std::find(v->values.begin(), v->values.end(), value) == v->values.end()) {
    error = "'" + item + "': unknown value '" + std::string(value) + "' (one of";
    for (const auto& x : v->values) error += " " + x;
    error += ")";
    return false;
  }
  return true;
}

}  // namespace

bool parse_variants(std::string_view list, std::map<std::string, std::string>& out, std::string& error) {
  std::map<std::string, std::string> parsed = out;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      error = "'" + std::string(item) + "': expected venue.key=value";
      return false;
    }
    if (!check_one(item.substr(0, eq), item.substr(eq + 1), error)) return false;
    parsed[std::string(item.substr(0, eq))] = std::string(item.substr(eq + 1));
  }
  out = std::move(parsed);
  return true;
}

bool check_variants(const std::map<std::string, std::string>& variants, std::string& error) {
  for (const auto& [name, value] : variants)
    if (!check_one(name, value, error)) return false;
  return true;
}

std::string variants_help() {
  std::string out;
  for (const VenueDef* d : venue_defs())
    for (const auto& v : d->variants) {
      out += "  " + d->id + "." + v.key + "=";
      for (size_t i = 0; i < v.values.size(); ++i) out += (i ? "|" : "") + v.values[i];
      out += " (default " + v.values.front() + "): " + v.help + "\n";
    }
  if (!out.empty()) out.pop_back();
  return out;
}

}  // namespace mdhub::sim
