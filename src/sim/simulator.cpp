#include "src/sim/simulator.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <stdexcept>

#include "feeds/common/clock.hpp"
#include "src/sim/faults.hpp"
#include "src/sim/fx_truth.hpp"
#include "src/sim/jsonw.hpp"
#include "src/sim/market.hpp"
#include "src/sim/sim_venue.hpp"
#include "src/sim/tls.hpp"

namespace mdhub::sim {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

net::HttpResponse json(unsigned status, std::string body) { return {status, "application/json", std::move(body), {}, false}; }

net::HttpResponse error(unsigned status, std::string_view code, std::string_view message) {
  return json(status, jsonw::error(code, message));
}

}  // namespace

struct Simulator::Impl final : Context, std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, Options o) : io_(io), opts(std::move(o)), faults_(io, opts.seed), timer(io) {}

  // Second construction phase: routes capture weak references to this.
  void init() {
    defs = select_venues(opts.venues);
    if (std::string verr; !check_variants(opts.variants, verr)) throw std::invalid_argument("--variant " + verr);
    for (const VenueDef* d : defs) {
      FaultVenue& fv = fault_venues.emplace_back();
      fv.id = d->id;
      if (find_variant(*d, "retry_after")) fv.retry_after = variant(d->id, "retry_after");
      for (const auto& i : d->instruments) fv.symbols.emplace_back(i.symbol, i.native);
    }
    faults_.set_venues(fault_venues);
    FaultSpec spec;
    std::string err;
    if (!parse_faults(opts.faults, spec, err)) throw std::invalid_argument("--faults: " + err);
    faults_.set(spec);
    std::vector<InstrumentSpec> specs;
    for (size_t v = 0; v < defs.size(); ++v)
      for (size_t i = 0; i < defs[v]->instruments.size(); ++i) {
        specs.push_back(defs[v]->instruments[i]);
        owner.emplace_back(v, i);
      }
    market_ = std::make_unique<Market>(opts.seed, std::move(specs), wall_us());
    market_->set_rate(opts.rate);
    net::ServerOptions so;
    so.max_ws_frame_out = 32u << 20;  // room for the oversize fault's frame
    so.ws_queue_bytes = 64u << 20;
    if (opts.tls) {
      const TlsFiles files = ensure_tls_files(opts.tls_dir);
      so.tls_cert_file = files.cert;
      so.tls_key_file = files.key;
    }
    server = std::make_unique<net::Server>(io_, so);
    install_control();
    uint32_t next = 0;
    for (const VenueDef* d : defs) {
      std::vector<uint32_t> ids;
      for (size_t i = 0; i < d->instruments.size(); ++i) ids.push_back(next++);
      venues.push_back(d->make(*this, std::move(ids)));
    }
  }

  bool parse_faults(std::string_view text, FaultSpec& spec, std::string& err) const {
    return parse_fault_spec(text, fault_venues, spec, err);
  }

  // ---- Context ------------------------------------------------------------------------
  asio::io_context& io() override { return io_; }
  Market& market() override { return *market_; }
  Faults& faults() override { return faults_; }
  bool paused() const override { return paused_; }
  int64_t now_us() const override { return wall_us(); }
  std::weak_ptr<void> alive() const override { return token; }
  const std::string& variant(std::string_view venue, std::string_view key) const override {
    std::string name(venue);
    name += '.';
    name += key;
    if (auto it = opts.variants.find(name); it != opts.variants.end()) return it->second;
    for (const VenueDef* d : defs)
      if (d->id == venue)
        if (const VariantDef* v = find_variant(*d, key)) return v->values.front();
    static const std::string none;
    return none;
  }

  void route(std::string path, net::HttpHandler handler) override {
    std::weak_ptr<Impl> weak = weak_from_this();
    server->route(std::move(path), [weak, h = std::move(handler)](const net::HttpRequest& req, net::Respond respond) {
      auto self = weak.lock();
      if (!self || self->stopped) return respond(error(503, "stopped", "simulator stopped"));
      ++self->rest_requests;
      h(req, [weak, respond, target = self->faults_.target(req)](net::HttpResponse r) {
        if (auto s = weak.lock(); s && !s->stopped) s->faults_.respond(target, respond, std::move(r));
        else respond(std::move(r));
      });
    });
  }

  void websocket(std::string path, net::WsHandler h) override {
    std::weak_ptr<Impl> weak = weak_from_this();
    auto live = [weak] {
      auto s = weak.lock();
      return s && !s->stopped;
    };
    net::WsHandler w;
    if (h.on_open) w.on_open = [live, f = h.on_open](const std::shared_ptr<net::WsSession>& s) { if (live()) f(s); };
    if (h.on_message)
      w.on_message = [live, f = h.on_message](const std::shared_ptr<net::WsSession>& s, std::string_view t) {
        if (live()) f(s, t);
      };
    if (h.on_writable) w.on_writable = [live, f = h.on_writable](const std::shared_ptr<net::WsSession>& s) { if (live()) f(s); };
    if (h.on_close) w.on_close = [live, f = h.on_close](const std::shared_ptr<net::WsSession>& s) { if (live()) f(s); };
    server->websocket(std::move(path), std::move(w));
  }

  // ---- market clock -------------------------------------------------------------------
  // Virtual time runs with the wall clock while the market runs and stands still while it
  // is paused; the market steps on it, so its content does not depend on timer latency.
  int64_t virtual_now() const {
    return virtual_base_us + std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - resumed_at).count();
  }

  void schedule() {
    if (!running || paused_ || stopped) return;
    const uint64_t gen = ++generation;
    const int64_t due = market_->next_due_us();
    timer.expires_at(resumed_at + std::chrono::microseconds(std::max<int64_t>(0, due - virtual_base_us)));
    timer.async_wait([weak = weak_from_this(), gen](const boost::system::error_code& ec) {
      auto self = weak.lock();
      if (ec || !self || gen != self->generation) return;
      self->tick();
    });
  }

  void tick() {
    if (!running || paused_ || stopped) return;
    market_->advance(virtual_now(), wall_us(), [this](const Step& s) {
      ++steps;
      const auto [v, local] = owner[s.instrument];
      venues[v]->on_step(local, s);
    });
    schedule();
  }

  void pause() {
    if (paused_ || stopped) return;
    if (running) virtual_base_us = virtual_now();
    paused_ = true;
    ++generation;
    timer.cancel();
    // Whatever is pending goes out now, so every venue's published state equals its book.
    for (auto& v : venues) v->flush();
    faults_.flush();
  }

  void resume() {
    if (!paused_ || stopped) return;
    paused_ = false;
    resumed_at = Clock::now();
    schedule();
  }

  void stop() {
    if (stopped) return;
    stopped = true;
    running = false;
    ++generation;
    timer.cancel();
    for (auto& v : venues) v->stop();
    faults_.stop();
    if (server) server->stop(1001);
    token.reset();
  }

  // ---- /sim/* -------------------------------------------------------------------------
  void install_control() {
    std::weak_ptr<Impl> weak = weak_from_this();
    auto handle = [weak](net::HttpResponse (Impl::*fn)(const net::HttpRequest&)) {
      return [weak, fn](const net::HttpRequest& req, net::Respond respond) {
        auto self = weak.lock();
        if (!self || self->stopped) return respond(error(503, "stopped", "simulator stopped"));
        respond(((*self).*fn)(req));
      };
    };
    server->route("/sim/truth/", handle(&Impl::on_truth));
    server->route("/sim/pause", handle(&Impl::on_pause));
    server->route("/sim/resume", handle(&Impl::on_resume));
    server->route("/sim/faults", handle(&Impl::on_faults));
    server->route("/sim/status", handle(&Impl::on_status));
  }

  net::HttpResponse on_truth(const net::HttpRequest& req) {
    if (req.method != "GET") return error(405, "method_not_allowed", "use GET");
    const std::string_view rest = std::string_view(req.path).substr(std::string_view("/sim/truth/").size());
    const size_t slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size())
      return error(404, "not_found", "expected /sim/truth/{venue}/{symbol}");
    const std::string_view venue = rest.substr(0, slash), symbol = rest.substr(slash + 1);
    if (venue == "fx" || venue == "premium") return on_truth_fx(req, venue == "fx", symbol);
    size_t depth = static_cast<size_t>(-1);
    if (const std::string* d = req.param("depth")) {
      auto [p, ec] = std::from_chars(d->data(), d->data() + d->size(), depth);
      if (ec != std::errc{} || p != d->data() + d->size() || depth == 0)
        return error(400, "bad_depth", "depth must be a positive integer");
    }
    bool at_seq = false;
    uint64_t seq = 0;
    if (const std::string* q = req.param("seq")) {
      auto [p, ec] = std::from_chars(q->data(), q->data() + q->size(), seq);
      if (ec != std::errc{} || p != q->data() + q->size())
        return error(400, "bad_seq", "seq must be a non-negative integer");
      at_seq = true;
    }
    TruthBook tb;
    size_t v = 0;
    while (v < defs.size() && defs[v]->id != venue) ++v;
    if (v == defs.size()) return error(404, "unknown_venue", "unknown venue '" + std::string(venue) + "'");
    if (!venues[v]->truth(symbol, tb))
      return error(404, "unknown_symbol", "unknown symbol '" + std::string(symbol) + "' on " + std::string(venue));
    if (at_seq) {
      const SimVenue& hist = *venues[v];
      uint64_t first = 0, last = 0;
      // The symbol is known (truth() found it): no range means no history at all.
      if (!hist.history_range(symbol, first, last))
        return error(400, "seq_unsupported", std::string(venue) + " keeps no truth history");
      tb = TruthBook{};
      if (!hist.truth_at(symbol, seq, tb))
        return error(404, "seq_unavailable",
                     "seq " + std::to_string(seq) + " of " + std::string(venue) + " " + std::string(symbol) +
                         " is not in the kept history [" + std::to_string(first) + ", " + std::to_string(last) + "]");
    }
    JsonW w;
    w.obj().key("venue").str(venue).key("symbol").str(tb.symbol).key("seq");
    if (tb.has_seq) w.num(static_cast<int64_t>(tb.seq));
    else w.null();
    w.key("ts_exchange").dec(tb.ts_exchange_us, 0).key("ts_received").dec(tb.ts_received_us, 0);
    for (const auto* side : {&tb.bids, &tb.asks}) {
      w.key(side == &tb.bids ? "bids" : "asks").arr();
      for (size_t i = 0; i < side->size() && i < depth; ++i)
        w.arr().sdec((*side)[i].price, tb.price_scale).sdec((*side)[i].qty, tb.qty_scale).end();
      w.end();
    }
    return json(200, w.end().take());
  }

  // The cross-currency views, from the same truth books as above.
  net::HttpResponse on_truth_fx(const net::HttpRequest& req, bool book, std::string_view what) {
    fx::Params params;
    std::string err;
    if (!fx::parse_params(req.param("price_scale"), req.param("depth"), req.param("pegs"), req.param("rates"),
                          req.param("prefer"), params, err))
      return error(400, "bad_param", err);
    std::string_view base = what, quote;
    if (book) {
      const size_t dash = what.find('-');
      if (dash == std::string_view::npos) return error(400, "bad_param", "expected /sim/truth/fx/BASE-QUOTE");
      base = what.substr(0, dash);
      quote = what.substr(dash + 1);
    } else {
      const std::string* q = req.param("quote");
      if (!q) return error(400, "bad_param", "quote is required (?quote=USD)");
      quote = *q;
    }
    std::vector<fx::Source> sources;
    for (size_t v = 0; v < defs.size(); ++v) {
      const bool has_book = std::find(defs[v]->channels.begin(), defs[v]->channels.end(), "book") != defs[v]->channels.end();
      for (const InstrumentSpec& inst : defs[v]->instruments) {
        TruthBook tb;
        if (!venues[v]->truth(inst.symbol, tb)) continue;  // not served under the chosen variants
        sources.push_back({defs[v]->id, tb.symbol, inst.base, inst.quote, has_book, tb.price_scale, tb.qty_scale,
                           std::move(tb.bids), std::move(tb.asks)});
      }
    }
    const fx::Answer a = book ? fx::book(sources, base, quote, params) : fx::premium(sources, base, quote, params);
    return json(a.status, a.body);
  }

  net::HttpResponse on_pause(const net::HttpRequest& req) {
    if (req.method != "POST") return error(405, "method_not_allowed", "use POST");
    pause();
    return json(200, R"({"paused":true})");
  }

  net::HttpResponse on_resume(const net::HttpRequest& req) {
    if (req.method != "POST") return error(405, "method_not_allowed", "use POST");
    resume();
    return json(200, R"({"paused":false})");
  }

  net::HttpResponse on_faults(const net::HttpRequest& req) {
    if (req.method == "POST") {
      FaultSpec spec;
      std::string err;
      if (!parse_faults(req.body, spec, err)) return error(400, "bad_fault_spec", err);
      faults_.set(spec);
    } else if (req.method != "GET") {
      return error(405, "method_not_allowed", "use GET or POST");
    }
    JsonW w;
    return json(200, w.obj().key("faults").str(faults_.spec().to_string()).end().take());
  }

  net::HttpResponse on_status(const net::HttpRequest&) {
    JsonW w;
    w.obj().key("paused").boolean(paused_).key("seed").num(static_cast<int64_t>(opts.seed));
    w.key("faults").str(faults_.spec().to_string()).key("steps").num(static_cast<int64_t>(steps));
    w.key("rest_requests").num(static_cast<int64_t>(rest_requests));
    w.key("ws_sessions").num(static_cast<int64_t>(server->ws_sessions())).key("venues").arr();
    for (const VenueDef* d : defs) w.str(d->id);
    // The reading each served venue speaks, defaults included.
    w.end().key("variants").obj();
    for (const VenueDef* d : defs)
      for (const VariantDef& v : d->variants) w.key(d->id + "." + v.key).str(variant(d->id, v.key));
    w.end().key("faults_injected").obj();
    for (size_t k = 0; k < kFaultKinds; ++k)
      w.key(to_string(static_cast<FaultKind>(k))).num(static_cast<int64_t>(faults_.counts()[k]));
    return json(200, w.end().end().take());
  }

  asio::io_context& io_;
  Options opts;
  Faults faults_;
  asio::steady_timer timer;
  std::vector<const VenueDef*> defs;
  std::vector<FaultVenue> fault_venues;
  std::unique_ptr<Market> market_;
  std::unique_ptr<net::Server> server;
  std::vector<std::unique_ptr<SimVenue>> venues;
  std::vector<std::pair<size_t, size_t>> owner;  // market id -> venue, local index
  std::shared_ptr<int> token = std::make_shared<int>(0);
  bool running = false, paused_ = false, stopped = false;
  int64_t virtual_base_us = 0;
  Clock::time_point resumed_at{};
  uint64_t generation = 0, steps = 0, rest_requests = 0;
};

Simulator::Simulator(asio::io_context& io, Options opts) : impl_(std::make_shared<Impl>(io, std::move(opts))) {
  impl_->init();
}

Simulator::~Simulator() { stop(); }

uint16_t Simulator::listen(const std::string& host, uint16_t port) {
  const uint16_t bound = impl_->server->listen(host, port);
  if (!impl_->running) {
    impl_->running = true;
    impl_->resumed_at = Clock::now();
    impl_->schedule();
  }
  return bound;
}

void Simulator::stop() { impl_->stop(); }

bool Simulator::set_faults(std::string_view spec, std::string& error) {
  FaultSpec fs;
  if (!impl_->parse_faults(spec, fs, error)) return false;
  impl_->faults_.set(fs);
  return true;
}

void Simulator::pause() { impl_->pause(); }
void Simulator::resume() { impl_->resume(); }
bool Simulator::paused() const { return impl_->paused_; }

std::vector<std::string> Simulator::venues() const {
  std::vector<std::string> out;
  for (const VenueDef* d : impl_->defs) out.push_back(d->id);
  return out;
}

}  // namespace mdhub::sim
