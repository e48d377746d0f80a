#include "src/bus/nats_sink.hpp"

#include <nats/nats.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "src/edge/nats_closed.hpp"
#include "src/bus/nats_conn.hpp"
#include "src/bus/subject.hpp"
#include "src/publish/render.hpp"
#include "src/record/byte_ring.hpp"

namespace mdhub::bus {
namespace {

using Clock = std::chrono::steady_clock;
// How often the network thread looks for books owed a snapshot (after a reconnect, or
// periodically): short, so that a reconnect is followed by the snapshots within a moment.
constexpr auto kTick = std::chrono::milliseconds(100);
// Bound on the publisher's sleep: a wake-up sent just as it falls asleep can be missed,
// since the network thread never takes a lock.
constexpr auto kIdleWait = std::chrono::milliseconds(2);
constexpr size_t kHeader = 2 * sizeof(uint32_t);
// What the shutdown gives the publishing thread to empty the hand-off (then the flush), so
// that the process still exits within its 2 s even when the server is slow to take them.
constexpr auto kDrainBudget = std::chrono::milliseconds(700);
constexpr int64_t kFlushBudgetMs = 300;

/// The subjects and websocket channel names of one instrument, and what its book owes.
struct BookState {
  bool valid = false;
  std::string book_subject, snapshot_subject, bbo_subject, trades_subject, ticker_subject;
  std::string book_channel, bbo_channel, trades_channel, ticker_channel;
  uint64_t epoch = 0;            ///< connection epoch of its last snapshot
  Clock::time_point last_snapshot{};
  bool dirty = false;            ///< changed since its last snapshot
  BboMsg last_bbo;               ///< last published, to skip unchanged quotes (as the websocket API)
};

}  // namespace

struct NatsSink::Impl {
  Impl(boost::asio::io_context& io, const Engine& e, SinkSettings s)
      : engine(e), settings(std::move(s)), timer(io), ring(static_cast<size_t>(settings.queue_bytes)) {}

  const Engine& engine;
  SinkSettings settings;
  nats::ClosedLatch latch;  // the connection callbacks have returned
  boost::asio::steady_timer timer;
  record::ByteRing ring;
  std::unordered_map<const InstrumentState*, BookState> books;  // network thread only
  bool closed = false;                                          // network thread only

  // Publishing thread and libnats.
  natsConnection* conn = nullptr;
  jsCtx* js = nullptr;
  std::thread thread;
  std::mutex mu;
  std::condition_variable wake;
  std::atomic<bool> sleeping{false}, stopping{false}, closing{false};
  std::atomic<bool> connected{false}, need_streams{false}, streams_ready{false},
      stream_error_logged{false};
  /// Bumped on every (re)connect: a book whose last snapshot is of an older epoch is owed one.
  std::atomic<uint64_t> epoch{0};
  std::atomic<uint64_t> published{0}, dropped_queue_full{0}, dropped_disconnected{0}, dropped_bad_subject{0},
      dropped_error{0}, snapshots_sync{0}, snapshots_periodic{0}, snapshots_reconnect{0}, disconnects{0},
      reconnects{0};

  // ---- network thread ------------------------------------------------------------------

  BookState& book_of(const InstrumentState& i) {
    auto it = books.find(&i);
    if (it != books.end()) return it->second;
    BookState b;
    const std::string& v = i.info.venue;
    const std::string& s = i.info.symbol;
    const std::string& p = settings.subject_prefix;
    auto book = subject(p, "book", v, s), snap = subject(p, "snapshot", v, s), bbo = subject(p, "bbo", v, s),
         trades = subject(p, "trades", v, s), ticker = subject(p, "ticker", v, s);
    b.valid = book.has_value();
    if (b.valid) {
      b.book_subject = *book, b.snapshot_subject = *snap, b.bbo_subject = *bbo;
      b.trades_subject = *trades, b.ticker_subject = *ticker;
      const std::string tail = ":" + v + ":" + s;
      b.book_channel = "book" + tail, b.bbo_channel = "bbo" + tail;
      b.trades_channel = "trades" + tail, b.ticker_channel = "ticker" + tail;
    } else {
      spdlog::warn("nats: {} {} cannot be a subject token (no '.', '*', '>' or whitespace): not published", v, s);
    }
    b.epoch = epoch.load(std::memory_order_acquire);
    return books.emplace(&i, std::move(b)).first->second;
  }

  static std::string open(std::string_view type, const std::string& channel, const InstrumentState& i) {
    std::string b = "{";
    render::message_head(b, type, channel, i.info.venue, i.info.symbol);
    return b;
  }

  void push(const std::string& subj, std::string&& msg) {
    if (closed) return;
    const uint32_t hdr[2] = {static_cast<uint32_t>(subj.size()), static_cast<uint32_t>(msg.size())};
    const std::string_view parts[3] = {{reinterpret_cast<const char*>(hdr), kHeader}, subj, msg};
    if (!ring.try_write(parts, 3, kHeader + subj.size() + msg.size())) {
      dropped_queue_full.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    if (sleeping.load(std::memory_order_relaxed)) {
      sleeping.store(false, std::memory_order_relaxed);
      wake.notify_one();
    }
  }

  /// The websocket API's `book_snapshot` of the `book` channel, at the book's own seq.
  void snapshot(const InstrumentState& i, BookState& b, std::atomic<uint64_t>& reason, bool also_book) {
    std::string m = open("book_snapshot", b.book_channel, i);
    render::book_payload(m, i, i.book_seq, SIZE_MAX);
    m += '}';
    if (also_book) push(b.book_subject, std::string(m));
    push(b.snapshot_subject, std::move(m));
    reason.fetch_add(1, std::memory_order_relaxed);
    b.dirty = false;
    b.last_snapshot = Clock::now();
    b.epoch = epoch.load(std::memory_order_acquire);
  }

  void arm() {
    timer.expires_after(kTick);
    timer.async_wait([this](boost::system::error_code ec) {
      if (ec || closed) return;
      tick();
      arm();
    });
  }

  /// Snapshots owed after a (re)connect wait for the streams, or they would miss the store
  /// of a server that had none yet (first start); a server without JetStream does not hold
  /// them up for long (the first failure releases them).
  bool streams_settled() const {
    return !settings.jetstream || streams_ready.load() || stream_error_logged.load();
  }

  void tick() {
    const uint64_t e = epoch.load(std::memory_order_acquire);
    const bool settled = streams_settled();
    const auto now = Clock::now();
    const auto every = std::chrono::milliseconds(settings.snapshot_interval_ms);
    for (auto& [inst, b] : books) {
      if (!b.valid || !engine.book_served(*inst)) continue;
      if (b.epoch != e) {
        if (settled) snapshot(*inst, b, snapshots_reconnect, false);
      } else if (b.dirty && now - b.last_snapshot >= every) {
        snapshot(*inst, b, snapshots_periodic, false);
      }
    }
  }

  // ---- publishing thread ---------------------------------------------------------------

  void run() {
    std::string subj, data;
    auto next_stream_try = Clock::now();
    std::optional<Clock::time_point> drain_until;  // set once stopping
    uint64_t abandoned = 0;
    for (;;) {
      const bool stop = stopping.load(std::memory_order_acquire);
      if (stop && !drain_until) drain_until = Clock::now() + kDrainBudget;
      if (!stop && settings.jetstream && need_streams.load() && connected.load() && Clock::now() >= next_stream_try) {
        if (!ensure_streams()) next_stream_try = Clock::now() + std::chrono::seconds(2);
      }
      size_t avail = ring.readable();
      if (avail == 0) {
        if (stop) {
          if (ring.readable() != 0) continue;
          if (abandoned) spdlog::warn("nats: {} messages not published: the shutdown's drain time ran out", abandoned);
          return;
        }
        std::unique_lock lk(mu);
        sleeping.store(true, std::memory_order_relaxed);
        if (ring.readable() == 0 && !stopping.load()) wake.wait_for(lk, kIdleWait);
        sleeping.store(false, std::memory_order_relaxed);
        continue;
      }
      while (avail >= kHeader) {
        uint32_t hdr[2];
        ring.peek(0, hdr, kHeader);
        subj.resize(hdr[0]);
        data.resize(hdr[1]);
        ring.peek(kHeader, subj.data(), hdr[0]);
        ring.peek(kHeader + hdr[0], data.data(), hdr[1]);
        const size_t n = kHeader + hdr[0] + hdr[1];
        ring.consume(n);
        avail -= n;
        if (drain_until && Clock::now() > *drain_until) {
          ++abandoned;
          dropped_error.fetch_add(1, std::memory_order_relaxed);
        } else {
          publish(subj, data);
        }
      }
    }
  }

  void publish(const std::string& subj, const std::string& data) {
    const natsStatus s = natsConnection_Publish(conn, subj.c_str(), data.data(), static_cast<int>(data.size()));
    if (s == NATS_OK) {
      published.fetch_add(1, std::memory_order_relaxed);
    } else if (s == NATS_INSUFFICIENT_BUFFER || s == NATS_CONNECTION_CLOSED || s == NATS_CONNECTION_DISCONNECTED ||
               s == NATS_NOT_YET_CONNECTED) {
      dropped_disconnected.fetch_add(1, std::memory_order_relaxed);
    } else {
      if (dropped_error.fetch_add(1, std::memory_order_relaxed) == 0)
        spdlog::error("nats: publish on {} failed: {}", subj, status_text(s));
    }
  }

  bool ensure_stream(const std::string& name, const std::vector<std::string>& subjects, int64_t max_age_ns,
                     int64_t max_bytes, int64_t per_subject) {
    std::vector<const char*> subs;
    for (const auto& s : subjects) subs.push_back(s.c_str());
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    cfg.Name = name.c_str();
    cfg.Subjects = subs.data();
    cfg.SubjectsLen = static_cast<int>(subs.size());
    cfg.Storage = js_FileStorage;
    cfg.MaxAge = max_age_ns;
    cfg.MaxBytes = max_bytes;
    cfg.MaxMsgsPerSubject = per_subject;
    jsStreamInfo* si = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    natsStatus s = js_AddStream(&si, js, &cfg, nullptr, &jerr);
    if (s != NATS_OK && jerr == JSStreamNameExistErr) {
      jerr = static_cast<jsErrCode>(0);
      s = js_UpdateStream(&si, js, &cfg, nullptr, &jerr);
    }
    if (si) jsStreamInfo_Destroy(si);
    if (s != NATS_OK) {
      // Retried every 2 s until it works (a server without JetStream never does): said once
      // per connection.
      if (!stream_error_logged.exchange(true))
        spdlog::error("nats: cannot create or update JetStream stream {}: {} (error code {}); publishing goes on, "
                      "retrying", name, status_text(s), static_cast<int>(jerr));
      return false;
    }
    return true;
  }

  bool ensure_streams() {
    const std::string& p = settings.subject_prefix;
    std::vector<std::string> events;
    for (const char* k : {"book", "bbo", "trades", "ticker", "candles"}) events.push_back(p + "." + k + ".>");
    const bool ok =
        ensure_stream(settings.stream, events, settings.max_age_s * 1'000'000'000,
                      settings.max_bytes > 0 ? settings.max_bytes : -1, -1) &&
        ensure_stream(settings.stream + "_SNAPSHOT", {p + ".snapshot.>"}, 0, -1, 1);
    need_streams.store(!ok);
    streams_ready.store(ok);
    if (ok) spdlog::info("nats: JetStream streams {} and {}_SNAPSHOT ready", settings.stream, settings.stream);
    return ok;
  }

  // ---- libnats callbacks (its own threads) ---------------------------------------------

  static void on_connected(natsConnection*, void* closure) {
    auto* self = static_cast<Impl*>(closure);
    self->up("connected to");
  }
  static void on_reconnected(natsConnection*, void* closure) {
    auto* self = static_cast<Impl*>(closure);
    self->reconnects.fetch_add(1, std::memory_order_relaxed);
    self->up("reconnected to");
  }
  static void on_disconnected(natsConnection*, void* closure) {
    auto* self = static_cast<Impl*>(closure);
    // One line per outage: libnats calls this once per lost connection, not per retry.
    if (self->connected.exchange(false) && !self->closing.load()) {
      self->disconnects.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("nats: connection to {} lost; reconnecting (publishes are buffered up to 8 MiB, the rest "
                   "dropped and counted)", self->settings.url);
    }
  }
  void up(const char* what) {
    stream_error_logged.store(false);
    streams_ready.store(false);
    need_streams.store(true);
    epoch.fetch_add(1, std::memory_order_acq_rel);
    connected.store(true);
    spdlog::info("nats: {} {}; every book is published again as a snapshot", what, settings.url);
  }
};

NatsSink::NatsSink(boost::asio::io_context& io, const Engine& engine, SinkSettings s)
    : impl_(std::make_unique<Impl>(io, engine, std::move(s))) {}

NatsSink::~NatsSink() { close(); }

bool NatsSink::start(std::string& error) {
  Impl& m = *impl_;
  ConnSettings cs;
  cs.url = m.settings.url;
  cs.creds_env = m.settings.creds_env;
  OptionsPtr opts = make_options(cs, error);
  if (!opts) return false;
  natsStatus s = natsOptions_SetRetryOnFailedConnect(opts.get(), true, &Impl::on_connected, &m);
  if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(opts.get(), &Impl::on_disconnected, &m);
  if (s == NATS_OK) s = natsOptions_SetReconnectedCB(opts.get(), &Impl::on_reconnected, &m);
  if (s == NATS_OK) s = m.latch.install(opts.get());
  if (s != NATS_OK) {
    error = "NATS options: " + status_text(s);
    return false;
  }
  s = natsConnection_Connect(&m.conn, opts.get());
  if (s == NATS_OK) {
    m.connected.store(true);
    m.need_streams.store(true);
    spdlog::info("nats: publishing to {} under {}.<kind>.<venue>.<symbol>", m.settings.url, m.settings.subject_prefix);
  } else if (s == NATS_NOT_YET_CONNECTED) {
    spdlog::warn("nats: {} not reachable yet; retrying in the background, the feeds go on", m.settings.url);
  } else {
    error = "cannot connect to " + m.settings.url + ": " + status_text(s);
    return false;
  }
  if (m.settings.jetstream && natsConnection_JetStream(&m.js, m.conn, nullptr) != NATS_OK) {
    error = "cannot create a JetStream context";
    return false;
  }
  m.thread = std::thread([&m] { m.run(); });
  m.arm();
  return true;
}

void NatsSink::close() {
  Impl& m = *impl_;
  if (m.closed) return;
  m.closed = true;
  m.timer.cancel();
  if (m.thread.joinable()) {
    m.stopping.store(true, std::memory_order_release);
    m.wake.notify_one();
    m.thread.join();
  }
  m.closing.store(true);
  if (m.conn) {
    if (m.connected.load()) natsConnection_FlushTimeout(m.conn, kFlushBudgetMs);
    natsConnection_Destroy(m.conn);
    m.conn = nullptr;
    if (!m.latch.wait(std::chrono::seconds(1))) spdlog::warn("nats: a connection callback did not return within 1 s of closing");
  }
  if (m.js) jsCtx_Destroy(m.js), m.js = nullptr;
}

SinkStats NatsSink::stats() const {
  const Impl& m = *impl_;
  SinkStats s;
  const auto r = std::memory_order_relaxed;
  s.connected = m.connected.load();
  s.streams_ready = m.streams_ready.load();
  s.published = m.published.load(r);
  s.dropped_queue_full = m.dropped_queue_full.load(r);
  s.dropped_disconnected = m.dropped_disconnected.load(r);
  s.dropped_bad_subject = m.dropped_bad_subject.load(r);
  s.dropped_error = m.dropped_error.load(r);
  s.snapshots_sync = m.snapshots_sync.load(r);
  s.snapshots_periodic = m.snapshots_periodic.load(r);
  s.snapshots_reconnect = m.snapshots_reconnect.load(r);
  s.disconnects = m.disconnects.load(r);
  s.reconnects = m.reconnects.load(r);
  const uint64_t w = m.ring.write_position(), rd = m.ring.read_position();
  s.queue_bytes = w >= rd ? w - rd : 0;
  s.queue_capacity = m.ring.capacity();
  return s;
}

void NatsSink::on_instrument_added(const InstrumentState& i) { impl_->book_of(i); }

void NatsSink::on_book(const InstrumentState& i, bool snapshot, std::span<const LevelUpdate> changes) {
  Impl& m = *impl_;
  BookState& b = m.book_of(i);
  if (!b.valid) return void(m.dropped_bad_subject.fetch_add(1, std::memory_order_relaxed));
  const bool served = m.engine.book_served(i);
  if (snapshot) {
    // As the websocket `book` channel: a fresh state is sent once it can be served.
    if (served) m.snapshot(i, b, m.snapshots_sync, true);
    return;
  }
  // After a reconnect the snapshot comes first; it holds this change (same seq), so a
  // consumer starting from it skips the update, as it skips every seq at or below it.
  const bool owed = served && b.epoch != m.epoch.load(std::memory_order_acquire) && m.streams_settled();
  if (owed) m.snapshot(i, b, m.snapshots_reconnect, false);
  std::string msg = Impl::open("book_update", b.book_channel, i);
  render::book_update_payload(msg, i, i.book_seq, changes);
  msg += '}';
  m.push(b.book_subject, std::move(msg));
  b.dirty = b.dirty || !owed;
}

void NatsSink::on_bbo(const InstrumentState& i) {
  Impl& m = *impl_;
  BookState& b = m.book_of(i);
  if (!b.valid) return void(m.dropped_bad_subject.fetch_add(1, std::memory_order_relaxed));
  const BboMsg q = i.bbo();
  if (q.bid == kNone && q.ask == kNone) return;
  if (q.bid == b.last_bbo.bid && q.ask == b.last_bbo.ask && q.bid_qty == b.last_bbo.bid_qty &&
      q.ask_qty == b.last_bbo.ask_qty)
    return;
  b.last_bbo = q;
  std::string msg = Impl::open("bbo", b.bbo_channel, i);
  render::bbo_payload(msg, i);
  msg += '}';
  m.push(b.bbo_subject, std::move(msg));
}

void NatsSink::on_ticker(const InstrumentState& i) {
  Impl& m = *impl_;
  BookState& b = m.book_of(i);
  if (!b.valid) return void(m.dropped_bad_subject.fetch_add(1, std::memory_order_relaxed));
  std::string msg = Impl::open("ticker", b.ticker_channel, i);
  render::ticker_payload(msg, i);
  msg += '}';
  m.push(b.ticker_subject, std::move(msg));
}

void NatsSink::on_trade(const InstrumentState& i, const TradeRecord& t) {
  Impl& m = *impl_;
  BookState& b = m.book_of(i);
  if (!b.valid) return void(m.dropped_bad_subject.fetch_add(1, std::memory_order_relaxed));
  std::string msg = Impl::open("trade", b.trades_channel, i);
  render::trade_payload(msg, i, t);
  msg += '}';
  m.push(b.trades_subject, std::move(msg));
}

void NatsSink::on_candle(const InstrumentState& i, const CandleRecord& c) {
  Impl& m = *impl_;
  BookState& b = m.book_of(i);
  if (!b.valid) return void(m.dropped_bad_subject.fetch_add(1, std::memory_order_relaxed));
  // `candles.<interval>` carries the preferred series, as the websocket channel of that name.
  if (!carries_preferred(i, c)) return;
  const std::string kind = "candles." + std::string(interval_name(c.candle.interval));
  auto subj = subject(m.settings.subject_prefix, kind, i.info.venue, i.info.symbol);
  std::string msg = Impl::open("candle", kind + ":" + i.info.venue + ":" + i.info.symbol, i);
  render::candle_payload(msg, i, c);
  msg += '}';
  m.push(*subj, std::move(msg));
}

}  // namespace mdhub::bus
