#include "src/edge/edge_node.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>

#include "feeds/common/clock.hpp"

namespace mdhub::edge {

namespace asio = boost::asio;

namespace {
bool wanted(const std::vector<std::string>& list, std::string_view name) {
  return list.empty() || std::any_of(list.begin(), list.end(), [&](const std::string& x) {
           return symbol_key(x) == symbol_key(name);
         });
}

/// An instrument known only by its canonical name on the bus (valid_symbol: BASE-QUOTE).
Instrument bus_instrument(std::string_view venue, std::string_view symbol, int ps, int qs) {
  const auto dash = symbol.find('-');
  Instrument i = listed(venue, symbol, symbol.substr(0, dash), symbol.substr(dash + 1));
  i.price_scale = ps;
  i.qty_scale = qs;
  return i;
}
}  // namespace

EdgeNode::EdgeNode(asio::io_context& io, Engine& engine, EdgeOptions opts)
    : io_(io), engine_(engine), opts_(std::move(opts)) {
  for (const auto& v : opts_.venues) (void)feed_of(v);
}

EdgeNode::~EdgeNode() { stop(); }

bool EdgeNode::start(std::string& err) {
  reader_ = std::thread([this] { reader_loop(); });
  auto alive = alive_;
  // Each libnats callback only moves its work onto the network thread.
  nats::Events ev;
  ev.connected = [this, alive] { asio::post(io_, [this, alive] { if (*alive) on_connection(true, false); }); };
  ev.disconnected = [this, alive] { asio::post(io_, [this, alive] { if (*alive) on_connection(false, false); }); };
  ev.reconnected = [this, alive] { asio::post(io_, [this, alive] { if (*alive) on_connection(true, true); }); };
  if (!conn_.open(opts_.nats, std::move(ev), err)) return false;
  return conn_.subscribe(opts_.prefix + ".>", [this, alive](std::string_view subject, std::string_view data) {
    // Bounded: a network thread that falls behind loses messages (counted; a lost book
    // update is a gap, which re-reads the snapshot), never memory.
    const size_t cost = subject.size() + data.size() + kMessageOverhead;
    if (queued_bytes_.fetch_add(cost) + cost > kMaxQueuedBytes) {
      queued_bytes_.fetch_sub(cost);
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    asio::post(io_, [this, alive, cost, subject = std::string(subject), data = std::string(data), t = now()] {
      queued_bytes_.fetch_sub(cost);
      if (*alive) on_message(subject, data, t);
    });
  }, err);
}

void EdgeNode::stop() {
  if (!*alive_) return;
  *alive_ = false;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  conn_.shutdown();  // a read in flight returns now
  if (reader_.joinable()) reader_.join();
  conn_.close();
  for (auto& f : feeds_) set_state(f, FeedState::stopped);
}

// ---- feeds and symbols -----------------------------------------------------------------

EdgeNode::Feed* EdgeNode::feed_of(std::string_view venue) {
  if (auto it = by_venue_.find(venue); it != by_venue_.end()) return &feeds_[it->second];
  if (!opts_.venues.empty() && std::find(opts_.venues.begin(), opts_.venues.end(), venue) == opts_.venues.end())
    return nullptr;
  if (feeds_.size() >= kMaxBusVenues || !valid_venue(venue)) {
    ++counters_.refused;
    return nullptr;
  }
  const size_t index = feeds_.size();
  FeedInfo& info = infos_.emplace_back();
  info.config.id = std::string(venue);
  info.config.symbols = opts_.symbols;
  info.stats.state = FeedState::connecting;
  // What the venue can publish is its feed's nature; a venue this build does not know may
  // publish anything.
  VenueCapabilities caps;
  if (auto known = make_feed(info.config)) caps = known->capabilities();
  engine_.add_feed(info.config.id, {}, caps);
  Feed& f = feeds_.emplace_back();
  f.index = index;
  by_venue_.emplace(info.config.id, index);
  engine_.on_state(index, info.stats.state);
  if (connected_) set_state(f, FeedState::live);
  return &f;
}

EdgeNode::Symbol* EdgeNode::symbol_of(Feed& f, std::string_view symbol) {
  auto it = f.symbols.find(symbol);
  if (it == f.symbols.end()) {
    if (f.symbols.size() >= kMaxBusSymbols || !valid_symbol(symbol)) {
      ++counters_.refused;
      return nullptr;
    }
    it = f.symbols.try_emplace(std::string(symbol)).first;
    it->second.name = std::string(symbol);
  }
  return &it->second;
}

void EdgeNode::register_symbol(Feed& f, Symbol& s, const std::string* book_payload) {
  int ps = kDefaultPriceScale, qs = kDefaultQtyScale;
  if (book_payload) {
    std::string err;
    if (!book_scales(*book_payload, ps, qs, err)) ps = kDefaultPriceScale, qs = kDefaultQtyScale;
  }
  s.id = f.table.add(bus_instrument(infos_[f.index].config.id, s.name, ps, qs));
  s.registered = true;
  engine_.on_instruments(f.index, f.table);
}

void EdgeNode::set_state(Feed& f, FeedState st) {
  FeedStats& stats = infos_[f.index].stats;
  if (stats.state == st) return;
  stats.state = st;
  stats.connected_since_wall_ns = st == FeedState::live ? wall_ns() : 0;
  engine_.on_state(f.index, st);
}

// ---- the connection --------------------------------------------------------------------

void EdgeNode::on_connection(bool up, bool reconnect) {
  if (up == connected_) return;
  connected_ = up;
  if (!up) {
    spdlog::warn("edge: NATS connection lost; reconnecting");
    for (auto& f : feeds_) {
      infos_[f.index].stats.last_error = "NATS connection lost";
      set_state(f, FeedState::connecting);
    }
    return;
  }
  spdlog::info("edge: connected to NATS{}", reconnect ? " again" : "");
  const RecvTime t = now();
  for (auto& f : feeds_) {
    FeedStats& stats = infos_[f.index].stats;
    if (reconnect) {
      ++stats.reconnects;
      // Updates published while away are gone from this subscription: every book starts
      // again from its snapshot.
      engine_.on_stream_down(f.index, 0);
      for (auto& [name, s] : f.symbols) {
        s.follower.lose();
        s.reading = false;
        if (s.book || !s.registered) request_read(f, s, t.mono_ns);
      }
    }
    set_state(f, FeedState::live);
  }
  discover();
}

void EdgeNode::discover() {
  {
    std::lock_guard lock(mu_);
    jobs_.push_back(Job{});
  }
  cv_.notify_one();
}

// ---- messages --------------------------------------------------------------------------

void EdgeNode::on_message(const std::string& subject, const std::string& data, RecvTime t) {
  ++counters_.messages;
  BusSubject bs;
  if (!parse_subject(subject, opts_.prefix, bs) || bs.venue == "all" || !wanted(opts_.symbols, bs.symbol)) {
    ++counters_.ignored;
    return;
  }
  Feed* f = feed_of(bs.venue);
  if (!f) {
    ++counters_.ignored;
    return;
  }
  FeedStats& stats = infos_[f->index].stats;
  ++stats.messages;
  stats.bytes += data.size();
  stats.last_message_mono_ns = t.mono_ns;
  Symbol* sp = symbol_of(*f, bs.symbol);
  if (!sp) return;
  Symbol& s = *sp;
  if (bs.kind == BusKind::snapshot) {
    s.book = true;
    if (!s.registered) register_symbol(*f, s, &data);
    snapshot(*f, s, data, t, true);
    return;
  }
  if (bs.kind == BusKind::book) {
    s.book = true;
    uint64_t seq = 0;
    bool snap = false;
    if (!decoder_.seq_of(data, seq, &snap)) {
      ++stats.parse_errors;
      stats.last_error = s.name + ": book message without type or seq";
      return;
    }
    // The book channel's own snapshot (the ingest node resynchronised the book) restarts
    // it as a snapshot subject's would, and can end a wait for one.
    if (snap) {
      if (!s.registered) register_symbol(*f, s, &data);
      snapshot(*f, s, data, t, true);
    } else {
      update(*f, s, data, seq, t);
    }
    return;
  }
  // The BBO of a book is the edge's own, from its book (as the ingest node's was).
  if (bs.kind == BusKind::bbo && s.book) return;
  if (!s.registered) {
    // Scales come from the book's snapshot when the instrument has one: ask for it first.
    if (!s.reading) request_read(*f, s, t.mono_ns);
    ++counters_.ignored;
    return;
  }
  (void)deliver(*f, s, data, t, true);
}

bool EdgeNode::deliver(Feed& f, Symbol& s, std::string_view payload, RecvTime t, bool live) {
  out_.clear();
  const ParseStatus st = decoder_.decode(payload, f.table[s.id], s.id, t, out_);
  if (st == ParseStatus::error) {
    FeedStats& stats = infos_[f.index].stats;
    ++stats.parse_errors;
    stats.last_error = s.name + ": " + out_.error;
    return false;
  }
  if (live && decoder_.ts_received_us() != kNone) latency_.observe(t.wall_ns - decoder_.ts_received_us() * 1000);
  if (st != ParseStatus::ok || out_.events.empty()) return true;
  resync_.clear();
  engine_.on_events(f.index, out_, resync_);
  if (!resync_.empty()) lose(f, s, t);
  return true;
}

void EdgeNode::snapshot(Feed& f, Symbol& s, const std::string& payload, RecvTime t, bool live) {
  uint64_t seq = 0;
  if (!decoder_.seq_of(payload, seq)) {
    FeedStats& stats = infos_[f.index].stats;
    ++stats.parse_errors;
    stats.last_error = s.name + ": snapshot without seq";
    return;
  }
  if (!s.follower.on_snapshot(seq)) {
    if (!s.follower.synced()) ++counters_.snapshot_unusable;  // asked again by tick()
    return;
  }
  if (!deliver(f, s, payload, t, live)) {
    lose(f, s, t);  // the book the engine holds is older than the follower now says
    return;
  }
  for (const std::string& u : s.follower.take_bridge()) {
    if (!s.follower.synced()) break;  // the engine refused a bridged update
    if (!deliver(f, s, u, t)) {
      lose(f, s, t);
      break;
    }
  }
}

void EdgeNode::update(Feed& f, Symbol& s, const std::string& payload, uint64_t seq, RecvTime t) {
  const uint64_t overflowed = s.follower.overflowed();
  switch (s.follower.on_update(seq, payload)) {
    case BookFollower::Verdict::skip:
      return;
    case BookFollower::Verdict::apply:
      if (!deliver(f, s, payload, t, true)) lose(f, s, t);
      return;
    case BookFollower::Verdict::gap:
      lose(f, s, t);
      return;
    case BookFollower::Verdict::pending:
      counters_.pending_overflow += s.follower.overflowed() - overflowed;
      if (!s.reading && s.asked_mono_ns == 0) request_read(f, s, t.mono_ns);
      return;
  }
}

void EdgeNode::lose(Feed& f, Symbol& s, RecvTime t) {
  s.follower.lose();
  const InstrumentState* held = s.registered ? engine_.find(infos_[f.index].config.id, s.name) : nullptr;
  if (held && held->in_sync) {
    // A delta that does not follow on is the engine's own way to drop one book: it counts
    // the gap and serves book_unavailable until the snapshot.
    out_.clear();
    BookMsg m;
    m.type = BookMsg::Type::delta;
    m.prev_seq = ~uint64_t{0};
    Event e;
    e.kind = EventKind::book;
    e.instrument = s.id;
    e.recv = t;
    e.body = m;
    out_.events.push_back(e);
    resync_.clear();
    engine_.on_events(f.index, out_, resync_);
  }
  request_read(f, s, t.mono_ns);
}

// ---- snapshot reads ----------------------------------------------------------------------

void EdgeNode::request_read(Feed& f, Symbol& s, int64_t now_mono_ns) {
  if (s.reading) return;
  s.reading = true;
  s.asked_mono_ns = now_mono_ns;
  ++counters_.snapshot_reads;
  {
    std::lock_guard lock(mu_);
    jobs_.push_back(Job{f.index, infos_[f.index].config.id, s.name});
  }
  cv_.notify_one();
}

void EdgeNode::tick(int64_t now_mono_ns) {
  // Every read is answered (found, not found or failed), so one per symbol at most is
  // queued; while the bus is away there is nothing to ask (the reconnect asks for all).
  if (!connected_) return;
  for (auto& f : feeds_) {
    for (auto& [name, s] : f.symbols) {
      if (s.reading || s.follower.synced() || !(s.book || !s.registered)) continue;
      if (now_mono_ns - s.asked_mono_ns < kSnapshotRetryNs) continue;
      request_read(f, s, now_mono_ns);
    }
  }
}

void EdgeNode::on_read(size_t feed, const std::string& symbol, nats::Connection::Got got, const std::string& data,
                       const std::string& err) {
  Feed& f = feeds_.at(feed);
  Symbol* sp = symbol_of(f, symbol);
  if (!sp) return;
  Symbol& s = *sp;
  s.reading = false;
  const RecvTime t = now();
  if (got == nats::Connection::Got::failed) {
    infos_[f.index].stats.last_error = err;
    return;  // asked again by tick()
  }
  if (got == nats::Connection::Got::not_found) {
    // No book on the bus: an instrument with tickers, quotes or trades only.
    if (!s.registered && !s.book) register_symbol(f, s, nullptr);
    return;
  }
  s.book = true;
  if (!s.registered) register_symbol(f, s, &data);
  snapshot(f, s, data, t, false);
}

void EdgeNode::reader_loop() {
  const std::string snap_stream = opts_.stream + "_SNAPSHOT";
  const std::string filter = opts_.prefix + ".snapshot.>";
  auto alive = alive_;
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    std::string err;
    if (job.symbol.empty()) {
      std::vector<std::string> subjects;
      if (!conn_.stream_subjects(snap_stream, filter, subjects, err)) {
        spdlog::warn("edge: cannot list the snapshots: {}", err);
        continue;
      }
      asio::post(io_, [this, alive, subjects = std::move(subjects)] {
        if (!*alive) return;
        const int64_t t = mono_ns();
        for (const auto& subj : subjects) {
          BusSubject bs;
          if (!parse_subject(subj, opts_.prefix, bs) || bs.kind != BusKind::snapshot || !wanted(opts_.symbols, bs.symbol))
            continue;
          Feed* f = feed_of(bs.venue);
          if (!f) continue;
          Symbol* s = symbol_of(*f, bs.symbol);
          if (!s) continue;
          s->book = true;
          if (!s->follower.synced()) request_read(*f, *s, t);
        }
      });
      continue;
    }
    std::string data;
    // Away from the bus a read would only wait for its timeout: answer at once.
    auto got = nats::Connection::Got::failed;
    if (conn_.connected())
      got = conn_.last_message(snap_stream, snapshot_subject(opts_.prefix, job.venue, job.symbol), data, err);
    else
      err = "NATS is not connected";
    asio::post(io_, [this, alive, feed = job.feed, symbol = std::move(job.symbol), got, data = std::move(data),
                     err = std::move(err)] {
      if (*alive) on_read(feed, symbol, got, data, err);
    });
  }
}

}  // namespace mdhub::edge
