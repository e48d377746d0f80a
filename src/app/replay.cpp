#include "src/app/replay.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "feeds/common/instrument_select.hpp"
#include "src/app/recording.hpp"
#include "src/dashboard/dashboard.hpp"
#include "src/publish/render.hpp"

namespace mdhub {

namespace asio = boost::asio;

// ---- Replayer --------------------------------------------------------------------------

std::vector<FeedView> Replayer::feed_views() const {
  std::vector<FeedView> v;
  for (const auto& f : feeds_) v.push_back({&f.cfg, &f.stats});
  return v;
}

bool Replayer::configure(std::string_view json, std::string& error) {
  auto cfgs = parse_feeds_config_json(json);
  if (!cfgs) {
    error = cfgs.error();
    return false;
  }
  for (const auto& c : *cfgs) {
    auto feed = make_feed(c);
    if (!feed) {
      error = "venue '" + c.id + "' of the recording is not supported by this build";
      return false;
    }
    Feed& f = feeds_.emplace_back();
    f.cfg = c;
    f.feed = std::move(feed);
    f.stats.state = FeedState::discovering;
    engine_.add_feed(c.id, [fp = f.feed.get()](size_t stream) { return fp->stream_has_books(stream); },
                     f.feed->capabilities());
  }
  return true;
}

bool Replayer::apply(const record::Record& r, std::string& error) {
  ++stats_.records;
  if (r.type == record::RecordType::meta) {
    ++stats_.meta;
    // Only the first run's config is used: a later run appending to the same directory
    // with a different config cannot be mapped onto already registered engine feeds.
    if (r.venue == kConfigMeta && !r.repeat() && !configured()) return configure(r.payload, error);
    return true;
  }
  if (r.type != record::RecordType::raw) return true;
  ++stats_.raw;
  if (r.feed >= feeds_.size()) {
    ++stats_.skipped;
    return true;
  }
  clock_us_ = r.t.wall_ns / 1000;
  // Trade-built candles close on the recorded clock, as the live timer closed them.
  const int64_t sec = r.t.wall_ns / 1'000'000'000;
  if (sec != last_candle_close_s_) {
    last_candle_close_s_ = sec;
    engine_.close_candles(r.t.wall_ns / 1000);
  }
  Feed& f = feeds_[r.feed];
  if (r.kind == RawKind::discovery) discovery(f, r.feed, r);
  else payload(f, r.feed, r);
  return true;
}

void Replayer::discovery(Feed& f, size_t index, const record::Record& r) {
  engine_.on_raw(index, r.kind, r.index, r.t, r.payload);
  std::string err;
  if (f.feed->parse_discovery(r.payload, f.listed, err) == ParseStatus::error) {
    ++f.stats.parse_errors;
    ++stats_.parse_errors;
    f.stats.last_error = "discovery: " + err;
    f.listed.clear();  // live started over too
    return;
  }
  if (!f.feed->discovery_next().empty()) return;  // the next page follows in the recording
  std::vector<Instrument> all = std::move(f.listed);
  f.listed.clear();
  auto sel = select_instruments(std::move(all), f.cfg.symbols);
  if (!f.cfg.symbols.empty() && sel.table.size() == 0) return;  // live retried discovery too
  f.table = std::move(sel.table);
  engine_.on_instruments(index, f.table);
  f.feed->start(f.table);
  f.started = true;
  f.stats.state = FeedState::live;
  if (!f.stats.connected_since_wall_ns) f.stats.connected_since_wall_ns = r.t.wall_ns;
}

void Replayer::payload(Feed& f, size_t index, const record::Record& r) {
  ++f.stats.messages;
  f.stats.bytes += r.payload.size();
  f.stats.last_message_mono_ns = r.t.mono_ns;
  engine_.on_raw(index, r.kind, r.index, r.t, r.payload);
  if (!f.started || r.index < 0) {
    ++stats_.skipped;
    return;
  }
  out_.clear();
  const auto i = static_cast<size_t>(r.index);
  const ParseStatus st = r.kind == RawKind::ws ? f.feed->on_frame(i, r.payload, r.t, out_)
                                               : f.feed->on_poll(i, r.payload, r.t, out_);
  if (st == ParseStatus::error) {
    ++f.stats.parse_errors;
    ++stats_.parse_errors;
    f.stats.last_error = out_.error;
    return;
  }
  // Counted as the live run counted them, so a replay's /api/v1/feeds says the same.
  for (std::string_view d : out_.detected) f.stats.detect(d);
  if (!out_.subscription_error.empty()) {
    ++f.stats.subscription_failures;
    f.stats.last_error = "subscription refused: " + out_.subscription_error;
  }
  if (st != ParseStatus::ok || out_.events.empty()) return;
  resync_.clear();
  engine_.on_events(index, out_, resync_);
  for (uint32_t inst : resync_) (void)f.feed->resync(inst);
}

// ---- run_replay ------------------------------------------------------------------------

namespace {

void print_books(const Engine& engine, bool full) {
  std::string line;
  for (const auto& s : engine.instruments()) {
    if (!s->has_book || !s->in_sync) continue;
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(s->book.hash()));
    line = "book " + s->info.venue + " " + s->info.symbol + " " + hex + "\n";
    if (full) {
      line += "bookjson " + s->info.venue + " " + s->info.symbol + " ";
      render::book(line, *s, SIZE_MAX);
      line += '\n';
    }
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  std::fflush(stdout);
}

}  // namespace

record::ReaderOptions recording_reader_options() {
  return {true, 256, [](const record::ReadIssue& i) {
            spdlog::warn("recording: {} at {}:{}: {}", to_string(i.kind), i.file, i.offset, i.message);
          }};
}

bool open_recording(record::RecordingReader& reader, const std::string& from) {
  auto opened = reader.open(from);
  if (!opened) {
    std::cerr << "cannot read recording '" << from << "': " << opened.error() << "\n";
    return false;
  }
  if (*opened == 0) {
    std::cerr << "no recording files in '" << from << "'\n";
    return false;
  }
  return true;
}

int run_replay(ReplayOptions opts) {
  if (!resolve_auth_token(opts.config.server, opts.listen)) return 2;
  record::RecordingReader reader(recording_reader_options());
  if (!open_recording(reader, opts.from)) return 1;

  asio::io_context io;
  Engine engine;
  Replayer replayer(engine);
  ServeStack stack(io, engine, opts.config, [&replayer] { return replayer.feed_views(); }, {});
  stack.fx_now = [&replayer] { return replayer.clock_us(); };  // rate ages on the recorded clock
  const uint16_t port = stack.listen(opts.listen);
  if (port == 0) return 1;
  spdlog::info("mdhub replay of {} serving on port {}", opts.from, port);

  int rc = 0;
  bool done = false;
  auto finish = [&](bool failed) {
    done = true;
    const auto& st = replayer.stats();
    const auto& rs = reader.stats();
    spdlog::info("replay: end of recording ({} records, {} parse errors, {} missing, {} issues)", st.records,
                 st.parse_errors, rs.missing, rs.issues);
    if (!opts.exit_at_end) return;
    std::printf("replay: records %llu feeds %zu parse_errors %llu missing %llu issues %llu\n",
                static_cast<unsigned long long>(st.records), replayer.feed_count(),
                static_cast<unsigned long long>(st.parse_errors), static_cast<unsigned long long>(rs.missing),
                static_cast<unsigned long long>(rs.issues));
    print_books(engine, opts.print_books);
    if (failed) rc = 1;
    stack.stop();
    io.stop();
  };

  const bool max_speed = opts.speed <= 0;
  record::Record rec;
  bool have = false;
  int64_t t0_mono = 0;
  auto start = std::chrono::steady_clock::now();
  asio::steady_timer pace(io);
  std::function<void()> pump = [&] {
    if (done) return;
    // Batches keep the API responsive while replaying at full speed.
    for (int n = 0; n < 256; ++n) {
      if (!have) {
        if (!reader.next(rec)) return finish(false);
        have = true;
        if (replayer.stats().records == 0) t0_mono = rec.t.mono_ns;
      }
      if (!max_speed && rec.type == record::RecordType::raw) {
        const auto offset = std::chrono::nanoseconds(
            static_cast<int64_t>(static_cast<double>(rec.t.mono_ns - t0_mono) / opts.speed));
        const auto due = start + offset;
        if (due > std::chrono::steady_clock::now()) {
          pace.expires_at(due);
          pace.async_wait([&](boost::system::error_code ec) {
            if (!ec) pump();
          });
          return;
        }
      }
      have = false;
      std::string error;
      if (!replayer.apply(rec, error)) {
        spdlog::error("replay: {}", error);
        std::cerr << "replay: " << error << "\n";
        rc = 1;
        return finish(true);
      }
    }
    asio::post(io, pump);
  };
  asio::post(io, pump);

  const auto shutdown = [&](uint16_t code) {
    done = true;
    pace.cancel();
    stack.stop([&io] { io.stop(); }, code);
  };
  if (!serve_until_stopped(io, shutdown)) rc = 1;
  return rc;
}

}  // namespace mdhub
