#include "src/app/config.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "src/net/access.hpp"
#include "src/net/host_port.hpp"

namespace mdhub {
namespace {

/// Edit distance (insertions, deletions, substitutions, adjacent swaps), for typo hints.
size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

/// "; did you mean 'channels'?" for the nearest of `known` within a third of its length, else "".
template <class Names>
std::string did_you_mean(std::string_view key, const Names& known) {
  std::string_view best;
  size_t best_d = SIZE_MAX;
  for (auto k : known) {
    const size_t dist = distance(key, k);
    if (dist < best_d && dist * 3 <= std::max<size_t>(k.size(), 3)) {
      best = k;
      best_d = dist;
    }
  }
  return best.empty() ? std::string() : "; did you mean '" + std::string(best) + "'?";
}

/// 0.01 -> "0.01", 100000 -> "100000" (no trailing zeros, no exponent for config-sized bounds).
std::string shortest(double v) {
  std::ostringstream s;
  s.precision(15);
  s << std::noshowpoint << v;
  return s.str();
}

class Checker {
 public:
  Checker(const std::string& source, std::vector<ConfigError>& errors) : source_(source), errors_(errors) {}

  void error(const toml::node* n, std::string msg) {
    std::string where = source_;
    uint32_t line = 0, column = 0;
    if (n && n->source().begin) {
      line = n->source().begin.line;
      column = n->source().begin.column;
      where += ":" + std::to_string(line) + ":" + std::to_string(column);
    }
    errors_.push_back({std::move(where), std::move(msg), line, column});
  }

  /// Reports keys of `t` that are not in `known`, with the nearest known key as a hint.
  void only(const toml::table& t, const std::string& ctx, std::initializer_list<std::string_view> known) {
    for (auto&& [k, v] : t) {
      bool ok = false;
      for (auto kk : known) ok = ok || kk == k.str();
      if (!ok) error(&v, "unknown key '" + std::string(k.str()) + "' in " + ctx + did_you_mean(k.str(), known));
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
      else if (*v < lo || *v > hi) error(n, "'" + std::string(key) + "' must be between " + shortest(lo) + " and " + shortest(hi));
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
      size_t i = 0;
      for (auto s : schemes) {
        if (i++) list += i == schemes.size() ? " or " : ", ";
        list += std::string(s) + "://";
      }
      error(t.get(key), "'" + std::string(key) + "' must start with " + list);
    }
  }

 private:
  const std::string& source_;
  std::vector<ConfigError>& errors_;
};

// [venues.<id>.options]: every key must be declared for that venue (feeds/common/options.hpp
// and the venue's options.hpp) and its value of the declared kind, in range.
void parse_options(Checker& c, const std::string& id, const toml::table& t, VenueConfig& v) {
  const std::vector<OptionSpec> specs = declared_options(id);
  for (auto&& [k, val] : t) {
    const std::string key(k.str());
    const auto spec = std::find_if(specs.begin(), specs.end(), [&](const OptionSpec& o) { return o.name == key; });
    if (spec == specs.end()) {
      std::string msg = "unknown option '" + key + "' for venue " + id;
      // Suggest the closest declared name when it is plausibly a typo of it.
      const OptionSpec* best = nullptr;
      size_t best_d = std::max<size_t>(2, key.size() / 3) + 1;
      for (const auto& o : specs) {
        const size_t d = option_name_distance(key, o.name);
        if (d < best_d) best = &o, best_d = d;
      }
      if (best) msg += "; did you mean '" + std::string(best->name) + "'?";
      c.error(&val, std::move(msg));
      continue;
    }
    bool ok = false;
    switch (spec->kind) {
      case OptionSpec::Kind::integer:
        if (auto i = val.value_exact<int64_t>(); i && spec->accepts(*i)) v.options[key] = std::to_string(*i), ok = true;
        break;
      case OptionSpec::Kind::boolean:
        if (auto b = val.value_exact<bool>()) v.options[key] = *b ? "true" : "false", ok = true;
        break;
      case OptionSpec::Kind::choice:
        // A choice that reads as a number (bitexbit's ohlcv_timeframe = 5) may be written as one.
        if (auto sv = val.value_exact<std::string>(); sv && spec->accepts(*sv)) v.options[key] = *sv, ok = true;
        else if (auto i = val.value_exact<int64_t>(); i && spec->accepts(std::to_string(*i)))
          v.options[key] = std::to_string(*i), ok = true;
        break;
      case OptionSpec::Kind::text:
        if (auto sv = val.value_exact<std::string>()) v.options[key] = *sv, ok = true;
        break;
    }
    if (!ok) c.error(&val, "option '" + key + "' for venue " + id + " must be " + spec->expects());
  }
  const int64_t base = v.int_option(common_opt::backoff_base_ms), cap = v.int_option(common_opt::backoff_cap_ms);
  if (cap < base) {
    const toml::node* at = t.get(common_opt::backoff_cap_ms.name);
    c.error(at ? at : t.get(common_opt::backoff_base_ms.name),
            "option 'backoff_cap_ms' for venue " + id + " must not be below backoff_base_ms (" + std::to_string(base) + ")");
  }
}

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
    c.error(&node, "unknown venue '" + id + "' (known: " + list + ")" + did_you_mean(id, known_venues()));
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
      if (known) parse_options(c, id, *ot, v);
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

bool parse_duration_s(std::string_view text, int64_t& seconds) {
  if (text == "0") return seconds = 0, true;
  if (text.size() < 2 || text.size() > 12) return false;
  int64_t n = 0;
  for (char ch : text.substr(0, text.size() - 1)) {
    if (ch < '0' || ch > '9') return false;
    n = n * 10 + (ch - '0');
  }
  switch (text.back()) {
    case 's': seconds = n; break;
    case 'm': seconds = n * 60; break;
    case 'h': seconds = n * 3600; break;
    case 'd': seconds = n * 86400; break;
    default: return false;
  }
  return true;
}

bool valid_subject_prefix(std::string_view p) {
  if (p.empty() || p.front() == '.' || p.back() == '.' || p.find("..") != std::string_view::npos) return false;
  return std::none_of(p.begin(), p.end(), [](char ch) {
    return ch == '*' || ch == '>' || static_cast<unsigned char>(ch) <= ' ' || ch == 127;
  });
}

bool valid_stream_name(std::string_view s) {
  return !s.empty() && std::none_of(s.begin(), s.end(), [](char ch) {
    return ch == '.' || ch == '*' || ch == '>' || ch == '/' || ch == '\\' || static_cast<unsigned char>(ch) <= ' ' ||
           ch == 127;
  });
}

/// [fx]: the cross-currency book's settings, its static rates and configured paths.
void parse_fx(Checker& c, const toml::node& n, Config& cfg) {
  const auto* t = n.as_table();
  if (!t) return c.error(&n, "'fx' must be a table");
  fx::FxConfig& fx = cfg.fx;
  c.only(*t, "[fx]", {"price_scale", "max_age_ms", "publish_interval_ms", "channel_depth", "prefer", "via", "pegs", "rates", "paths"});
  c.integer(*t, "price_scale", fx.price_scale, 0, 12);
  c.integer(*t, "max_age_ms", fx.max_age_ms, 0, 86'400'000);
  c.integer(*t, "publish_interval_ms", fx.publish_interval_ms, 10, 10000);
  c.integer(*t, "channel_depth", fx.channel_depth, 1, 5000);
  c.strings(*t, "prefer", fx.prefer);
  if (t->get("via")) fx.via.clear();  // replaces the default list
  c.strings(*t, "via", fx.via);
  c.strings(*t, "pegs", fx.pegs);
  if (auto* r = t->get("rates")) {
    if (auto* rt = r->as_table()) {
      for (auto&& [k, val] : *rt) {
        if (auto s = val.value<std::string>(); s && val.is_string()) fx.rates.emplace_back(std::string(k.str()), *s);
        else c.error(&val, "[fx.rates] '" + std::string(k.str()) + "' must be a decimal string (\"1.08\")");
      }
    } else {
      c.error(r, "[fx] 'rates' must be a table of \"FROM-TO\" = \"rate\"");
    }
  }
  if (auto* p = t->get("paths")) {
    if (auto* pt = p->as_table()) {
      for (auto&& [k, val] : *pt) {
        std::vector<std::string> via;
        const auto* arr = val.as_array();
        bool ok = arr != nullptr;
        if (arr) {
          for (auto& e : *arr) {
            if (auto s = e.value<std::string>()) via.push_back(*s);
            else ok = false;
          }
        }
        if (ok) fx.paths.emplace_back(std::string(k.str()), std::move(via));
        else c.error(&val, "[fx.paths] '" + std::string(k.str()) + "' must be an array of currencies ([\"USDT\"])");
      }
    } else {
      c.error(p, "[fx] 'paths' must be a table of \"FROM-TO\" = [intermediate currencies]");
    }
  }
  if (const std::string msg = fx::validate(fx); !msg.empty()) c.error(&n, msg);
}

ConfigResult parse_config(std::string_view text, const std::string& source) {
  ConfigResult r;
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    r.errors.push_back({source + ":" + std::to_string(e.source().begin.line) + ":" +
                            std::to_string(e.source().begin.column),
                        std::string(e.description()), e.source().begin.line, e.source().begin.column});
    return r;
  }
  Checker c(source, r.errors);
  Config& cfg = r.config;
  c.only(root, "the top level", {"listen", "log_level", "server", "recording", "nats", "ws", "fx", "venues"});
  c.str(root, "listen", cfg.listen);
  {
    std::string host;
    uint16_t port = 0;
    if (!net::split_host_port(cfg.listen, host, port)) c.error(root.get("listen"), "'listen' must be HOST:PORT");
  }
  c.str(root, "log_level", cfg.log_level);
  static const std::set<std::string, std::less<>> kLevels = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  if (!kLevels.count(cfg.log_level)) c.error(root.get("log_level"), "'log_level' must be one of trace, debug, info, warn, error, critical or off");
  if (auto* n = root.get("server")) {
    if (auto* t = n->as_table()) {
      c.only(*t, "[server]", {"auth_token_env", "allowed_origins", "max_connections_per_ip", "header_timeout_ms",
                              "render_threads", "render_queue"});
      c.str(*t, "auth_token_env", cfg.server.auth_token_env);
      c.strings(*t, "allowed_origins", cfg.server.allowed_origins);
      for (const auto& o : cfg.server.allowed_origins) {
        if (!o.starts_with("http://") && !o.starts_with("https://"))
          c.error(t->get("allowed_origins"), "allowed origin '" + o + "' must start with http:// or https://");
      }
      c.integer(*t, "max_connections_per_ip", cfg.server.max_connections_per_ip, 0, 100000);
      c.integer(*t, "header_timeout_ms", cfg.server.header_timeout_ms, 100, 600000);
      c.integer(*t, "render_threads", cfg.server.render_threads, 1, 16);
      c.integer(*t, "render_queue", cfg.server.render_queue, 1, 1024);
    } else {
      c.error(n, "'server' must be a table");
    }
  }
  // A warning, not an error: `--auth-token-env` may supply the token (as `run` checks).
  if (auto* n = root.get("listen")) {
    if (auto msg = exposure_error(cfg.listen, cfg.server.auth_token_env); !msg.empty()) {
      const auto at = n->source().begin;
      r.warnings.push_back({source + ":" + std::to_string(at.line) + ":" + std::to_string(at.column),
                            msg + " (mdhub run refuses it without --auth-token-env)", at.line, at.column});
    }
  }
  if (auto* n = root.get("recording")) {
    if (auto* t = n->as_table()) {
      c.only(*t, "[recording]",
             {"dir", "rotate_mb", "rotate_minutes", "fsync_ms", "zstd_level", "max_total_mb", "keep_hours", "retry_ms"});
      c.str(*t, "dir", cfg.recording.dir);
      int64_t mb = static_cast<int64_t>(cfg.recording.rotate_bytes >> 20), minutes = cfg.recording.rotate_seconds / 60;
      c.integer(*t, "rotate_mb", mb, 1, 1 << 20);
      c.integer(*t, "rotate_minutes", minutes, 1, 7 * 24 * 60);
      c.integer(*t, "fsync_ms", cfg.recording.fsync_ms, 1, 60000);
      c.integer(*t, "zstd_level", cfg.recording.zstd_level, -7, 9);
      c.integer(*t, "max_total_mb", cfg.recording.max_total_mb, 0, int64_t{1} << 30);
      c.integer(*t, "keep_hours", cfg.recording.keep_hours, 0, 10 * 365 * 24);
      c.integer(*t, "retry_ms", cfg.recording.retry_ms, 100, 600000);
      if (cfg.recording.max_total_mb != 0 && cfg.recording.max_total_mb < mb)
        c.error(t->get("max_total_mb"), "'max_total_mb' must be 0 (no limit) or at least 'rotate_mb' (" + std::to_string(mb) + ")");
      cfg.recording.rotate_bytes = static_cast<uint64_t>(mb) << 20;
      cfg.recording.rotate_seconds = minutes * 60;
    } else {
      c.error(n, "'recording' must be a table");
    }
  }
  if (auto* n = root.get("nats")) {
    if (auto* t = n->as_table()) {
      c.only(*t, "[nats]", {"url", "subject_prefix", "jetstream", "stream", "max_age", "max_bytes", "creds_env",
                            "snapshot_interval_ms", "queue_bytes"});
      c.url(*t, "url", cfg.nats.url, {"nats"});
      c.str(*t, "subject_prefix", cfg.nats.subject_prefix);
      if (!valid_subject_prefix(cfg.nats.subject_prefix))
        c.error(t->get("subject_prefix"), "'subject_prefix' must be subject tokens separated by '.' (no empty token, "
                                          "no space, '*' or '>')");
      c.boolean(*t, "jetstream", cfg.nats.jetstream);
      c.str(*t, "stream", cfg.nats.stream);
      if (!valid_stream_name(cfg.nats.stream))
        c.error(t->get("stream"), "'stream' must be a non-empty name without spaces, '.', '*', '>', '/' or '\\'");
      if (auto* a = t->get("max_age")) {
        const auto v = a->value_exact<std::string>();
        if (!v || !parse_duration_s(*v, cfg.nats.max_age_s))
          c.error(a, "'max_age' must be a duration such as \"90s\", \"30m\", \"24h\" or \"7d\" (\"0\": no limit)");
      }
      c.integer(*t, "max_bytes", cfg.nats.max_bytes, 0, int64_t{1} << 50);
      c.str(*t, "creds_env", cfg.nats.creds_env);
      c.integer(*t, "snapshot_interval_ms", cfg.nats.snapshot_interval_ms, 100, 3600000);
      c.integer(*t, "queue_bytes", cfg.nats.queue_bytes, 64 << 10, int64_t{1} << 32);
    } else {
      c.error(n, "'nats' must be a table");
    }
  }
  if (auto* n = root.get("ws")) {
    if (auto* t = n->as_table()) {
      c.only(*t, "[ws]", {"max_clients", "max_subscriptions", "max_frame_bytes", "queue_bytes", "max_lag_ms",
                          "socket_send_buffer", "publish_threads", "command_rate", "command_burst"});
      c.integer(*t, "max_clients", cfg.ws.max_clients, 1, 100000);
      c.integer(*t, "max_subscriptions", cfg.ws.max_subscriptions, 1, 100000);
      c.integer(*t, "max_frame_bytes", cfg.ws.max_frame_bytes, 256, 16 << 20);
      c.integer(*t, "queue_bytes", cfg.ws.queue_bytes, 64 << 10, 1ll << 32);
      c.integer(*t, "max_lag_ms", cfg.ws.max_lag_ms, 0, 60'000);
      c.integer(*t, "socket_send_buffer", cfg.ws.socket_send_buffer, 0, 64 << 20);
      c.integer(*t, "publish_threads", cfg.ws.publish_threads, 0, 64);
      c.number(*t, "command_rate", cfg.ws.command_rate, 0.1, 100000);
      c.integer(*t, "command_burst", cfg.ws.command_burst, 1, 100000);
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
  if (auto* n = root.get("fx")) parse_fx(c, *n, cfg);
  // A venue named in prefer but not configured is harmless (an edge serves venues it has no
  // table for) but likely a typo: said by check-config.
  if (const auto* prefer = root.at_path("fx.prefer").node()) {
    for (const auto& v : cfg.fx.prefer) {
      if (std::none_of(cfg.venues.begin(), cfg.venues.end(), [&](const VenueConfig& vc) { return vc.id == v; }))
        r.warnings.push_back({source + ":" + std::to_string(prefer->source().begin.line) + ":" +
                                  std::to_string(prefer->source().begin.column),
                              "[fx] prefer names '" + v + "', which is not a configured venue",
                              prefer->source().begin.line, prefer->source().begin.column});
    }
  }
  // TOML tables iterate by key; a reader fixes a file top to bottom.
  std::stable_sort(r.errors.begin(), r.errors.end(), [](const ConfigError& a, const ConfigError& b) {
    const auto pos = [](const ConfigError& e) {
      return std::pair(e.line ? e.line : UINT32_MAX, e.column);
    };
    return pos(a) < pos(b);
  });
  if (r.errors.empty() && std::none_of(cfg.venues.begin(), cfg.venues.end(), [](const VenueConfig& v) { return v.enabled; }))
    r.warnings.push_back({source, "no venue is enabled (mdhub run refuses such a config): add a [venues.<id>] table "
                                  "with enabled = true", 0, 0});
  return r;
}

std::string exposure_error(const std::string& listen, const std::string& auth_token_env) {
  std::string host;
  uint16_t port = 0;
  if (!auth_token_env.empty() || !net::split_host_port(listen, host, port) || net::is_loopback_host(host)) return {};
  return "listening on " + listen + " (not a loopback address) needs an auth token: set auth_token_env in "
         "[server] (or --auth-token-env) to the name of an environment variable holding it, or listen on "
         "127.0.0.1";
}

std::string config_summary(const Config& cfg) {
  const size_t n = cfg.venues.size();
  const auto enabled = std::count_if(cfg.venues.begin(), cfg.venues.end(), [](const VenueConfig& v) { return v.enabled; });
  return std::to_string(n) + (n == 1 ? " venue, " : " venues, ") + std::to_string(enabled) + " enabled";
}

ConfigResult load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ConfigResult r;
    r.errors.push_back({path, "cannot open the file", 0, 0});
    return r;
  }
  std::ostringstream s;
  s << in.rdbuf();
  return parse_config(s.str(), path);
}

}  // namespace mdhub
