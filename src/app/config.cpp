#include "src/app/config.hpp"

#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "src/net/host_port.hpp"

namespace mdhub {
namespace {

class Checker {
 public:
  Checker(const std::string& source, std::vector<ConfigError>& errors) : source_(source), errors_(errors) {}

  void error(const toml::node* n, std::string msg) {
    std::string where = source_;
    if (n && n->source().begin) {
      where += ":" + std::to_string(n->source().begin.line) + ":" + std::to_string(n->source().begin.column);
    }
    errors_.push_back({std::move(where), std::move(msg)});
  }

  /// Reports keys of `t` that are not in `known`.
  void only(const toml::table& t, const std::string& ctx, std::initializer_list<std::string_view> known) {
    for (auto&& [k, v] : t) {
      bool ok = false;
      for (auto kk : known) ok = ok || kk == k.str();
      if (!ok) error(&v, "unknown key '" + std::string(k.str()) + "' in " + ctx);
    }
  }

  void str(const toml::table& t, std::string_view key, std::string& out) {
    if (auto* n = t.get(key)) {
      if (auto v = n->value<std::string>()) out = *v;
      else error(n, "'" + std::string(key) + "' must be a string");
    }
  }
  void boolean(const toml::table& t, std::string_view key, bool& out) {
    if (auto* n = t.get(key)) {
      if (auto v = n->value<bool>()) out = *v;
      else error(n, "'" + std::string(key) + "' must be true or false");
    }
  }
  template <class Int>
  void integer(const toml::table& t, std::string_view key, Int& out, int64_t lo, int64_t hi) {
    if (auto* n = t.get(key)) {
      auto v = n->value<int64_t>();
      if (!v || !n->is_integer()) {
        error(n, "'" + std::string(key) + "' must be an integer");
      } else if (*v < lo || *v > hi) {
        error(n, "'" + std::string(key) + "' must be between " + std::to_string(lo) + " and " + std::to_string(hi));
      } else {
        out = static_cast<Int>(*v);
      }
    }
  }
  void number(const toml::table& t, std::string_view key, double& out, double lo, double hi) {
    if (auto* n = t.get(key)) {
      auto v = n->value<double>();
      if (!v) error(n, "'" + std::string(key) + "' must be a number");
      else if (*v < lo || *v > hi) error(n, "'" + std::string(key) + "' out of range");
      else out = *v;
    }
  }
  void strings(const toml::table& t, std::string_view key, std::vector<std::string>& out) {
    auto* n = t.get(key);
    if (!n) return;
    auto* arr = n->as_array();
    if (!arr) return error(n, "'" + std::string(key) + "' must be an array of strings");
    for (auto& e : *arr) {
      if (auto v = e.value<std::string>()) out.push_back(*v);
      else error(&e, "'" + std::string(key) + "' must contain only strings");
    }
  }
  void url(const toml::table& t, std::string_view key, std::string& out,
           std::initializer_list<std::string_view> schemes) {
    str(t, key, out);
    if (out.empty()) return;
    bool ok = false;
    for (auto s : schemes) ok = ok || out.rfind(std::string(s) + "://", 0) == 0;
    if (!ok) {
      std::string list;
      for (auto s : schemes) list += (list.empty() ? "" : ", ") + std::string(s) + "://";
      error(t.get(key), "'" + std::string(key) + "' must start with " + list);
    }
  }

 private:
  const std::string& source_;
  std::vector<ConfigError>& errors_;
};

const std::set<std::string, std::less<>> kChannels = {"book", "bbo", "trades", "ticker", "candles"};

void parse_venue(Checker& c, const std::string& id, const toml::node& node, Config& cfg) {
  auto* t = node.as_table();
  if (!t) return c.error(&node, "venues." + id + " must be a table");
  const std::string ctx = "[venues." + id + "]";
  c.only(*t, ctx, {"enabled", "rest_base", "ws_url", "urls", "symbols", "channels", "options",
                   "rate_limit_rps", "rate_limit_burst", "api_key_env", "api_secret_env", "ca_file"});
  VenueConfig v;
  v.id = id;
  bool known = false;
  for (auto k : known_venues()) known = known || k == id;
  if (!known) {
    std::string list;
    for (auto k : known_venues()) list += (list.empty() ? "" : ", ") + std::string(k);
    c.error(&node, "unknown venue '" + id + "' (known: " + list + ")");
  }
  c.boolean(*t, "enabled", v.enabled);
  c.url(*t, "rest_base", v.rest_base, {"http", "https"});
  c.url(*t, "ws_url", v.ws_url, {"ws", "wss"});
  if (auto* u = t->get("urls")) {
    if (auto* ut = u->as_table()) {
      for (auto&& [k, val] : *ut) {
        if (auto s = val.value<std::string>()) v.urls[std::string(k.str())] = *s;
        else c.error(&val, "urls." + std::string(k.str()) + " must be a string");
      }
    } else {
      c.error(u, "'urls' must be a table");
    }
  }
  c.strings(*t, "symbols", v.symbols);
  c.strings(*t, "channels", v.channels);
  for (auto& ch : v.channels) {
    if (!kChannels.count(ch)) c.error(t->get("channels"), "unknown channel '" + ch + "' (known: book, bbo, trades, ticker, candles)");
  }
  if (auto* o = t->get("options")) {
    if (auto* ot = o->as_table()) {
      for (auto&& [k, val] : *ot) {
        std::ostringstream s;
        if (auto sv = val.value_exact<std::string>()) v.options[std::string(k.str())] = *sv;
        else if (auto b = val.value_exact<bool>()) v.options[std::string(k.str())] = *b ? "true" : "false";
        else if (auto i = val.value_exact<int64_t>()) v.options[std::string(k.str())] = std::to_string(*i);
        else if (auto d = val.value_exact<double>()) { s << *d; v.options[std::string(k.str())] = s.str(); }
        else c.error(&val, "options." + std::string(k.str()) + " must be a string, number or boolean");
      }
    } else {
      c.error(o, "'options' must be a table");
    }
  }
  c.number(*t, "rate_limit_rps", v.rate_limit_rps, 0.01, 100000);
  c.integer(*t, "rate_limit_burst", v.rate_limit_burst, 1, 100000);
  c.str(*t, "api_key_env", v.api_key_env);
  c.str(*t, "api_secret_env", v.api_secret_env);
  c.str(*t, "ca_file", v.ca_file);
  if (!v.ca_file.empty() && !std::ifstream(v.ca_file)) c.error(t->get("ca_file"), "ca_file '" + v.ca_file + "' cannot be read");
  if (v.enabled && v.rest_base.empty()) c.error(&node, ctx + " needs rest_base");
  cfg.venues.push_back(std::move(v));
}

}  // namespace

ConfigResult parse_config(std::string_view text, const std::string& source) {
  ConfigResult r;
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    r.errors.push_back({source + ":" + std::to_string(e.source().begin.line) + ":" +
                            std::to_string(e.source().begin.column),
                        std::string(e.description())});
    return r;
  }
  Checker c(source, r.errors);
  Config& cfg = r.config;
  c.only(root, "the top level", {"listen", "log_level", "recording", "nats", "ws", "venues"});
  c.str(root, "listen", cfg.listen);
  {
    std::string host;
    uint16_t port = 0;
    if (!net::split_host_port(cfg.listen, host, port)) c.error(root.get("listen"), "'listen' must be HOST:PORT");
  }
  c.str(root, "log_level", cfg.log_level);
  static const std::set<std::string, std::less<>> kLevels = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  if (!kLevels.count(cfg.log_level)) c.error(root.get("log_level"), "'log_level' must be one of trace, debug, info, warn, error, critical, off");
  if (auto* n = root.get("recording")) {
    if (auto* t = n->as_table()) {
      c.only(*t, "[recording]", {"dir", "rotate_mb", "rotate_minutes", "fsync_ms", "zstd_level"});
      c.str(*t, "dir", cfg.recording.dir);
      int64_t mb = static_cast<int64_t>(cfg.recording.rotate_bytes >> 20), minutes = cfg.recording.rotate_seconds / 60;
      c.integer(*t, "rotate_mb", mb, 1, 1 << 20);
      c.integer(*t, "rotate_minutes", minutes, 1, 7 * 24 * 60);
      c.integer(*t, "fsync_ms", cfg.recording.fsync_ms, 1, 60000);
      c.integer(*t, "zstd_level", cfg.recording.zstd_level, -7, 9);
      cfg.recording.rotate_bytes = static_cast<uint64_t>(mb) << 20;
      cfg.recording.rotate_seconds = minutes * 60;
    } else {
      c.error(n, "'recording' must be a table");
    }
  }
  if (auto* n = root.get("nats")) {
    if (auto* t = n->as_table()) {
      c.only(*t, "[nats]", {"url", "subject_prefix"});
      c.url(*t, "url", cfg.nats.url, {"nats"});
      c.str(*t, "subject_prefix", cfg.nats.subject_prefix);
    } else {
      c.error(n, "'nats' must be a table");
    }
  }
  if (auto* n = root.get("ws")) {
    if (auto* t = n->as_table()) {
      c.only(*t, "[ws]", {"max_clients", "max_subscriptions", "max_frame_bytes", "queue_bytes"});
      c.integer(*t, "max_clients", cfg.ws.max_clients, 1, 100000);
      c.integer(*t, "max_subscriptions", cfg.ws.max_subscriptions, 1, 100000);
      c.integer(*t, "max_frame_bytes", cfg.ws.max_frame_bytes, 256, 16 << 20);
      c.integer(*t, "queue_bytes", cfg.ws.queue_bytes, 64 << 10, 1ll << 32);
    } else {
      c.error(n, "'ws' must be a table");
    }
  }
  if (auto* n = root.get("venues")) {
    if (auto* t = n->as_table()) {
      for (auto&& [k, v] : *t) parse_venue(c, std::string(k.str()), v, cfg);
    } else {
      c.error(n, "'venues' must be a table of [venues.<id>] tables");
    }
  }
  return r;
}

ConfigResult load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ConfigResult r;
    r.errors.push_back({path, "cannot open the file"});
    return r;
  }
  std::ostringstream s;
  s << in.rdbuf();
  return parse_config(s.str(), path);
}

}  // namespace mdhub
