// mdhub: one binary, several subcommands (DESIGN.md "Command line").
// Exit codes: 0 ok, 2 usage or config error, 1 runtime failure.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <algorithm>
#include <csignal>
#include <iostream>

#include "src/app/app.hpp"
#include "src/app/edge.hpp"
#include "src/app/check_config.hpp"
#include "src/app/export.hpp"
#include "src/app/replay.hpp"
#include "src/app/config.hpp"
#include "src/bus/tail.hpp"
#include "src/net/server.hpp"
#include "src/sim/simulator.hpp"

namespace {

using namespace mdhub;

// One message for every --listen flag, with the range a port may take.
bool valid_listen(const std::string& addr, std::string& host, uint16_t& port) {
  if (net::split_host_port(addr, host, port)) return true;
  std::cerr << "--listen must be HOST:PORT with a port from 0 to 65535 (IPv6 as [ADDR]:PORT), got '" << addr << "'\n";
  return false;
}

// `mdhub [run options]` is `mdhub run [run options]`: a first argument that is an option of
// `run` (not --help/--version, which belong to the top level) selects `run`.
std::vector<std::string> with_default_subcommand(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  static constexpr std::string_view run_options[] = {"--config", "--listen", "--record", "--nats", "--auth-token-env"};
  if (!args.empty()) {
    const std::string_view first = args.front();
    const std::string_view name = first.substr(0, first.find('='));
    for (auto o : run_options) {
      if (name == o) {
        args.insert(args.begin(), "run");
        break;
      }
    }
  }
  std::reverse(args.begin(), args.end());  // CLI11 parses a vector from its back
  return args;
}

int config_errors(const std::vector<ConfigError>& errors) {
  for (const auto& e : errors) std::cerr << e.str() << "\n";
  return 2;
}


int cmd_sim(const std::string& listen, sim::Options o, const std::string& variants, bool print_config) {
  std::string host;
  uint16_t port = 0;
  if (!valid_listen(listen, host, port)) return 2;
  if (std::string err; !sim::parse_variants(variants, o.variants, err)) {
    std::cerr << "--variant: " << err << "\n";
    return 2;
  }
  if (print_config) {
    try {
      std::cout << sim::Simulator::config_toml(host, port, o);
    } catch (const std::invalid_argument& e) {
      std::cerr << e.what() << "\n";
      return 2;
    }
    return 0;
  }
  boost::asio::io_context io;
  std::unique_ptr<sim::Simulator> s;
  try {
    s = std::make_unique<sim::Simulator>(io, o);
  } catch (const std::invalid_argument& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
  try {
    port = s->listen(host, port);
  } catch (const std::exception& e) {
    std::cerr << "cannot listen on " << listen << ": " << e.what() << "\n";
    return 1;
  }
  spdlog::info("simulator serving on {}://{}:{}/ (seed {})", o.tls ? "https" : "http", host, port, o.seed);
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) {
    s->stop();
    io.stop();
  });
  io.run();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"mdhub: real-time crypto market-data aggregator.\n"
               "With no subcommand, or with run's options only, mdhub runs `run`.",
               "mdhub"};
  app.require_subcommand(0, 1);
  app.set_version_flag("--version", std::string("mdhub ") + MDHUB_VERSION);

  std::string config_path, listen, record_dir, nats_url, auth_token_env;
  auto* run = app.add_subcommand("run", "aggregate the configured venues (no config: the built-in demo)");
  run->add_option("--config", config_path, "TOML config file")->check(CLI::ExistingFile);
  run->add_option("--listen", listen, "HTTP/websocket address HOST:PORT (default 127.0.0.1:8080)");
  run->add_option("--record", record_dir, "record every raw frame to this directory");
  run->add_option("--auth-token-env", auth_token_env,
                  "environment variable holding the token /ws and /api/ require (needed off loopback; "
                  "overrides [server] auth_token_env)");
  run->add_option("--nats", nats_url, "publish every event to this NATS server (nats://HOST:PORT), JetStream "
                  "streams included; overrides [nats] url");

  std::string tail_url, tail_subject, tail_creds_env;
  auto* tail = app.add_subcommand("tail", "print the payload of every message on a NATS subject, one per line");
  tail->add_option("--nats", tail_url, "NATS server URL (nats://HOST:PORT)")->required();
  tail->add_option("SUBJECT", tail_subject, "subject, wildcards allowed (md.book.btse.*, md.>)")->required();
  tail->add_option("--creds-env", tail_creds_env, "name of an environment variable holding a creds file path");

  std::string sim_listen = "127.0.0.1:9000", sim_config, sim_variants;
  sim::Options sim_opts;
  bool sim_print = false;
  auto* simc = app.add_subcommand("sim", "the venue simulator: every venue's wire protocol on loopback");
  simc->add_option("--config", sim_config, "simulator config (reserved; the defaults serve every venue)");
  simc->add_option("--listen", sim_listen, "address HOST:PORT (default 127.0.0.1:9000)");
  simc->add_option("--seed", sim_opts.seed, "random seed (default 1)");
  simc->add_option("--faults", sim_opts.faults, "fault SPEC: kind:rate[@venue[/SYMBOL]],... e.g. gap:0.01,http429:0.05,dup:0.05@btse/BTC-USD");
  simc->add_option("--venues", sim_opts.venues, "only these venues, comma list (default: all)")->delimiter(',');
  simc->add_option("--rate", sim_opts.rate, "market steps per second over all instruments, each a book change "
                   "(default: the natural pace, about 20 per instrument)")->check(CLI::Range(0.0, 1e7));
  simc->add_option("--variant", sim_variants,
                   "protocol readings, a comma list of venue.key=value (e.g. narkasa.depth=full):\n" +
                       sim::variants_help());
  simc->add_flag("--tls", sim_opts.tls, "serve https/wss with a certificate from a generated CA (sim-ca.pem in --tls-dir)");
  simc->add_option("--tls-dir", sim_opts.tls_dir, "where the certificate files are written (default .)");
  simc->add_flag("--print-config", sim_print, "print an mdhub config for this simulator and exit");

  std::string check_path;
  auto* check = app.add_subcommand("check-config", "validate a config file (line-precise errors)");
  check->add_option("FILE", check_path, "config file")->required();

  std::string replay_from, replay_speed = "1", replay_listen = "127.0.0.1:8080", replay_token_env;
  bool replay_exit = false, replay_books = false;
  auto* replay = app.add_subcommand("replay", "replay a recording through the parsers and engine, and serve it");
  replay->add_option("--from", replay_from, "recording directory (or one segment file)")->required();
  replay->add_option("--speed", replay_speed, "X times recorded speed, or max (default 1)");
  replay->add_option("--listen", replay_listen, "HTTP/websocket address HOST:PORT (default 127.0.0.1:8080)");
  replay->add_option("--auth-token-env", replay_token_env,
                     "environment variable holding the token /ws and /api/ require (needed off loopback)");
  replay->add_flag("--exit-at-end", replay_exit, "exit at the end, printing a summary and each book's hash");
  replay->add_flag("--print-books", replay_books, "with --exit-at-end: each book in full (JSON) after its hash");

  std::string edge_config, edge_listen, edge_nats, edge_stream, edge_creds_env, edge_token_env;
  std::vector<std::string> edge_venues, edge_symbols;
  auto* edgec = app.add_subcommand("edge", "serve what ingest nodes publish on NATS (no venue connections)");
  edgec->add_option("--nats", edge_nats, "NATS server URL, e.g. nats://10.0.0.5:4222 (or [nats] url in --config)");
  edgec->add_option("--listen", edge_listen, "HTTP/websocket address HOST:PORT (default 127.0.0.1:8080)");
  edgec->add_option("--venues", edge_venues, "only these venues, comma list (default: every venue on the bus)")
      ->delimiter(',');
  edgec->add_option("--symbols", edge_symbols, "only these canonical symbols, comma list (default: all)")->delimiter(',');
  edgec->add_option("--config", edge_config, "TOML config: listen, log_level, [ws], [server], [nats] url, subject_prefix, stream, creds_env")
      ->check(CLI::ExistingFile);
  edgec->add_option("--stream", edge_stream, "JetStream stream the ingest nodes publish to (default [nats] stream, MD; snapshots "
                    "in <stream>_SNAPSHOT)");
  edgec->add_option("--creds-env", edge_creds_env, "environment variable holding the path of a NATS .creds file");
  edgec->add_option("--auth-token-env", edge_token_env,
                    "environment variable holding the token /ws and /api/ require (needed off loopback; "
                    "overrides [server] auth_token_env)");

  ExportOptions export_opts;
  auto* exportc = app.add_subcommand("export", "write a recording's normalized events to stdout");
  exportc->add_option("--from", export_opts.from, "recording directory (or one segment file)")->required();
  exportc->add_option("--format", export_opts.format, "jsonl or csv (default jsonl)")
      ->check(CLI::IsMember({"jsonl", "csv"}));
  exportc->add_option("--kind", export_opts.kinds, "comma list of book,trade(s),ticker,bbo,candle(s) (default all)");

  try {
    app.parse(with_default_subcommand(argc, argv));
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }

  // Every command logs in one format to stderr: stdout carries data only (events, book
  // hashes, a printed config).
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("", std::make_shared<spdlog::sinks::stderr_color_sink_mt>()));
  if (*check) return check_config(check_path, std::cout, std::cerr);
  if (*simc) return cmd_sim(sim_listen, sim_opts, sim_variants, sim_print);
  if (*exportc) return run_export(export_opts);
  if (*tail) return bus::run_tail(tail_url, tail_subject, tail_creds_env);
  if (*edgec) {
    EdgeRunOptions eo;
    if (!edge_config.empty()) {
      auto r = load_config(edge_config);
      if (!r.errors.empty()) return config_errors(r.errors);
      eo.config = std::move(r.config);
    }
    if (!edge_listen.empty()) {
      std::string h;
      uint16_t p;
      if (!valid_listen(edge_listen, h, p)) return 2;
      eo.config.listen = edge_listen;
    }
    if (!edge_nats.empty()) eo.config.nats.url = edge_nats;
    if (!edge_token_env.empty()) eo.config.server.auth_token_env = edge_token_env;
    if (eo.config.nats.url.empty()) {
      std::cerr << "edge needs --nats URL (or [nats] url in the config)\n";
      return 2;
    }
    eo.edge.nats.url = eo.config.nats.url;
    eo.edge.nats.name = "mdhub edge";
    // The flags win over [nats] in the config, as for run.
    eo.edge.nats.creds_env = edge_creds_env.empty() ? eo.config.nats.creds_env : edge_creds_env;
    eo.edge.prefix = eo.config.nats.subject_prefix;
    eo.edge.stream = edge_stream.empty() ? eo.config.nats.stream : edge_stream;
    for (const auto& v : edge_venues) {
      if (!edge::valid_venue(v)) {
        std::cerr << "--venues: '" << v << "' is not a venue id (lower-case letters, digits, _)\n";
        return 2;
      }
    }
    for (auto& s : edge_symbols) {
      s = symbol_key(s);
      if (!edge::valid_symbol(s)) {
        std::cerr << "--symbols: '" << s << "' is not a canonical symbol (BASE-QUOTE)\n";
        return 2;
      }
    }
    eo.edge.venues = edge_venues;
    eo.edge.symbols = edge_symbols;
    spdlog::set_level(spdlog::level::from_str(eo.config.log_level));
    return run_edge(std::move(eo));
  }
  if (*replay) {
    ReplayOptions ro;
    ro.from = replay_from;
    ro.exit_at_end = replay_exit;
    ro.print_books = replay_books;
    ro.listen = replay_listen;
    ro.config.server.auth_token_env = replay_token_env;
    std::string h;
    uint16_t p;
    if (!valid_listen(replay_listen, h, p)) return 2;
    if (replay_speed == "max") {
      ro.speed = 0;
    } else {
      try {
        size_t used = 0;
        ro.speed = std::stod(replay_speed, &used);
        if (used != replay_speed.size() || !(ro.speed > 0)) throw std::invalid_argument("speed");
      } catch (const std::exception&) {
        std::cerr << "--speed must be a positive number or max, got '" << replay_speed << "'\n";
        return 2;
      }
    }
    return run_replay(ro);
  }

  RunOptions opts;
  if (!config_path.empty()) {
    auto r = load_config(config_path);
    if (!r.errors.empty()) return config_errors(r.errors);
    opts.config = std::move(r.config);
  } else {
    opts.demo = true;
  }
  if (!listen.empty()) {
    std::string h;
    uint16_t p;
    if (!valid_listen(listen, h, p)) return 2;
    opts.config.listen = listen;
  }
  if (!record_dir.empty()) opts.config.recording.dir = record_dir;
  if (!auth_token_env.empty()) opts.config.server.auth_token_env = auth_token_env;
  if (!nats_url.empty()) {
    if (nats_url.rfind("nats://", 0) != 0) {
      std::cerr << "--nats must start with nats://, got '" << nats_url << "'\n";
      return 2;
    }
    opts.config.nats.url = nats_url;
  }
  spdlog::set_level(spdlog::level::from_str(opts.config.log_level));
  return run_hub(std::move(opts));
}
