// `mdhub sim --print-config`: the mdhub config that points every simulated venue here.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "src/sim/sim_venue.hpp"
#include "src/sim/simulator.hpp"
#include "src/sim/tls.hpp"

namespace mdhub::sim {
namespace {

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + quoted(items[i]);
  return out + "]";
}

// A comment per reason the chosen variants leave some of `d`'s instruments unserved:
// "# not served (REASON): SYM, SYM". The symbols stay listed, so that one config fits every
// variant; the hub says which it could not find.
std::string unserved_note(const VenueDef& d, const Options& opts) {
  if (!d.unserved) return {};
  const auto variant = [&](std::string_view key) -> const std::string& {
    if (auto it = opts.variants.find(d.id + "." + std::string(key)); it != opts.variants.end()) return it->second;
    static const std::string none;
    const VariantDef* v = find_variant(d, key);
    return v ? v->values.front() : none;
  };
  std::vector<std::pair<std::string, std::vector<std::string>>> by_reason;
  for (const auto& inst : d.instruments) {
    std::string why = d.unserved(inst, variant);
    if (why.empty()) continue;
    auto it = std::find_if(by_reason.begin(), by_reason.end(), [&](const auto& r) { return r.first == why; });
    if (it == by_reason.end()) it = by_reason.insert(by_reason.end(), {std::move(why), {}});
    it->second.push_back(inst.symbol);
  }
  std::string out;
  for (const auto& [why, syms] : by_reason) {
    out += "# not served (" + why + "):";
    for (size_t i = 0; i < syms.size(); ++i) out += (i ? ", " : " ") + syms[i];
    out += "\n";
  }
  return out;
}

}  // namespace

std::string Simulator::config_toml(const std::string& host, uint16_t port, const Options& opts) {
  const auto defs = select_venues(opts.venues);
  std::string ca;
  if (opts.tls) ca = ensure_tls_files(opts.tls_dir).ca;
  const std::string hostport = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
  const std::string http = (opts.tls ? "https://" : "http://") + hostport;
  const std::string ws = (opts.tls ? "wss://" : "ws://") + hostport;

  std::string out = "# mdhub config for a simulator at " + hostport + "\n";
  out += "listen = \"127.0.0.1:8080\"\n";
  for (const VenueDef* d : defs) {
    const std::string prefix = "/" + d->id;
    std::vector<std::string> symbols;
    for (const auto& inst : d->instruments) symbols.push_back(inst.symbol);
    out += "\n[venues." + d->id + "]\n";
    out += "enabled = true\n";
    out += "rest_base = " + quoted(http + prefix + d->rest_path) + "\n";
    if (!d->ws_path.empty()) out += "ws_url = " + quoted(ws + prefix + d->ws_path) + "\n";
    out += "channels = " + list(d->channels) + "\n";
    out += "symbols = " + list(symbols) + "\n";
    out += unserved_note(*d, opts);
    if (opts.tls) out += "ca_file = " + quoted(ca) + "\n";
    if (!d->urls.empty()) {
      out += "[venues." + d->id + ".urls]\n";
      for (const auto& [name, path] : d->urls) out += name + " = " + quoted(ws + prefix + path) + "\n";
    }
    if (!d->feed_options.empty()) {
      out += "[venues." + d->id + ".options]\n";
      for (const auto& [key, value] : d->feed_options) out += key + " = " + value + "\n";
    }
  }
  // The venues' own conversion pairs give most rates; USDC is pegged to USD so that the
  // USDC and EUR books (coinmotion's USDC-EUR links them) have a path to USD too.
  out += "\n[fx]\npegs = [\"USDC=USD\"]\n";
  return out;
}

}  // namespace mdhub::sim
