#pragma once
// Private to the websocket API (ws_api*.cpp): the state behind WsApi and the pieces its
// source files share. ws_api.cpp: wiring and the engine-observer side; ws_api_render.cpp:
// channel messages and full states; ws_api_fanout.cpp: per-client queueing, conflation,
// slow consumers, client lifecycle; ws_api_requests.cpp: client requests and subscriptions.
// Single-threaded: everything runs on the io_context the server runs on.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "feeds/common/clock.hpp"
#include "feeds/common/json.hpp"
#include "src/fx/rates.hpp"
#include "src/net/frame_pool.hpp"
#include "src/publish/fx_http.hpp"
#include "src/publish/ws_api.hpp"
#include "src/publish/ws_channels.hpp"
#include "src/publish/ws_fx.hpp"
#include "src/runtime/rate_limiter.hpp"

namespace mdhub::wsapi {

using net::SharedText;
using net::WsSession;

struct Client;

/// One concrete channel (e.g. book:btse:BTC-USD) with its subscribers. Exists only while it
/// has a subscriber: the last one leaving releases it (and its `top` copy), so that clients
/// cycling through many channel names cannot make the server hold state for all of them.
struct Stream {
  std::string name;
  ChannelSpec spec;
  const InstrumentState* inst = nullptr;    ///< venue channels
  const ConsolidatedState* cons = nullptr;  ///< venue "all"
  uint64_t seq = 0;                         ///< per-channel sequence (book<N>, consolidated only)
  std::vector<LevelUpdate> top;             ///< book<N> and book:all: the levels last sent
  bool primed = false;                      ///< `top` holds a baseline
  BboMsg last_bbo;                          ///< bbo: last sent, to skip unchanged quotes
  std::vector<Client*> subs;
  bool release_owed = false;                ///< queued in Impl::unused
  /// `book` of a venue: its snapshot at book_seq `snapshot_seq`, given to every subscriber
  /// that asks before the book changes (dropped at the change).
  SharedText snapshot;
  uint64_t snapshot_seq = 0;
};

struct Client {
  std::shared_ptr<WsSession> ws;
  std::vector<ChannelSpec> patterns;  ///< as subscribed (wildcards kept for new instruments)
  std::set<Stream*> streams;
  std::set<Stream*> stale;  ///< conflated: a fresh state is owed once the queue drains
  std::vector<std::string> fx;  ///< fx channels subscribed (ws_fx.hpp)
  bool closing = false;
  std::optional<TokenBucket> commands;  ///< command rate limit, made with the first command
  int refused_in_row = 0;               ///< commands refused by it since the last one let through
};

/// Book, BBO and ticker channels carry state (a later message supersedes an earlier one);
/// trades and candles are events that must all arrive.
inline bool conflatable(ChannelKind k) { return k != ChannelKind::trades && k != ChannelKind::candles; }

}  // namespace mdhub::wsapi

namespace mdhub {

struct WsApi::Impl {
  using Stream = wsapi::Stream;
  using Client = wsapi::Client;
  using SharedText = net::SharedText;
  using WsSession = net::WsSession;

  Impl(boost::asio::io_context& io, Engine& e, WsApiConfig c, size_t frames)
      : engine(e), watcher(e), cfg(c), queue_frames(frames), drain_timer(io), fx_timer(io) {}
  /// The engine outlives the API (it calls the API as an observer): the books watched for
  /// the streams still held go back to unwatched.
  ~Impl() {
    for (const auto& [name, s] : streams)
      if (s->cons) watcher.unwatch_consolidated(s->cons->index);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  const Engine& engine;
  /// The same engine, used only to watch the consolidated books that have a stream (from
  /// stream_for to release), so that the rest of the API cannot change the engine by mistake.
  Engine& watcher;
  WsApiConfig cfg;
  size_t queue_frames;  ///< the server's per-session frame limit
  boost::asio::steady_timer drain_timer;
  bool drain_armed = false;
  WsApiStats stats;
  std::map<std::string, std::unique_ptr<Stream>, std::less<>> streams;
  std::unordered_map<const void*, std::vector<Stream*>> by_source;  ///< instrument/consolidated -> streams
  std::unordered_map<uint64_t, std::unique_ptr<Client>> clients;
  /// Nesting depth of loops over streams, clients or by_source lists. While above zero a
  /// stream that lost its last subscriber goes to `unused` instead of being freed, so no
  /// loop ever holds a dangling Stream* or an invalidated iterator.
  unsigned busy_depth = 0;
  std::vector<Stream*> unused;
  json::Reader reader;
  PipelineLatency* latency = nullptr;  ///< optional, see WsApi::set_latency

  // Queue thresholds, in bytes and in frames (whichever the client reaches first):
  // conflatable messages stop at half the queue; trades and candles may use more, and the
  // last eighth stays free for the slow_consumer error. Many small frames reach the frame
  // limit long before the byte limit.
  size_t conflate_at() const { return cfg.queue_bytes / 2; }
  size_t overflow_at() const { return cfg.queue_bytes - cfg.queue_bytes / 8; }
  size_t conflate_frames() const { return queue_frames / 2; }
  size_t overflow_frames() const { return queue_frames - std::max<size_t>(queue_frames / 8, 1); }
  /// Whether one more frame of `size` bytes would take the client's queue over these limits.
  static bool over(const WsSession& ws, size_t size, size_t bytes, size_t frames) {
    return ws.queued_bytes() + size > bytes || ws.queued_frames() + 1 > frames;
  }
  /// Whether the client's queue has held unwritten frames for longer than `lag_ns` (at
  /// `now_ns`): a state message queued behind them would be stale when it arrives.
  static bool behind(const WsSession& ws, int64_t now_ns, int64_t lag_ns) {
    const int64_t since = ws.backlog_since_ns();
    return lag_ns > 0 && since != 0 && now_ns - since > lag_ns;
  }
  int64_t max_lag_ns() const { return static_cast<int64_t>(cfg.max_lag_ms) * 1'000'000; }
  /// Monotonic time of the current publishing call (Busy), read once per call, not per client.
  int64_t now_ns = 0;
  /// Level changes of a view being published (reused: its capacity stays).
  std::vector<LevelUpdate> scratch;

  // ---- rendering (ws_api_render.cpp) ----------------------------------------------------

  /// `{"type","channel","venue","symbol"` of a data message (no closing brace); the payload
  /// follows from render::*_payload, as HTTP and export render it.
  static void open(std::string& b, std::string_view type, const Stream& s);
  /// open() plus a channel's own seq and times (book<N> and consolidated channels).
  static void head(std::string& b, std::string_view type, const Stream& s, uint64_t seq, int64_t ts_ex,
                   int64_t ts_rx);
  /// Closes the message. Data messages are rendered into pooled buffers (FrameText), which
  /// keeps their rendering and hand-off free of allocations; replies use plain strings.
  static SharedText finish(std::string&& b);
  static SharedText finish(net::FrameText& f);

  /// The current full state of a stream; nullptr when there is nothing to send yet.
  /// `shared`: a new state for every subscriber (advances the channel's seq); otherwise a
  /// catch-up for one client (subscribe, after conflation) at the channel's current seq,
  /// so that the other subscribers' sequence is untouched.
  SharedText state(Stream& s, bool shared);
  SharedText bbo_message(Stream& s, bool force, bool shared = true);
  static SharedText ticker_message(const Stream& s);
  /// A `book_update` of a venue channel with the given level changes.
  static SharedText book_update(Stream& s, const InstrumentState& inst, uint64_t seq,
                                std::span<const LevelUpdate> changes);
  /// A `book_update` of a consolidated channel; changed levels carry their venue breakdown.
  SharedText consolidated_update(Stream& s, const ConsolidatedState& cons, std::span<const LevelUpdate> merged);

  static int64_t latest_ts(const ConsolidatedState& c, const Engine& e);
  int64_t latest_ts(const ConsolidatedState& c) const { return latest_ts(c, engine); }
  void remember_top(Stream& s);
  void remember_top_cons(Stream& s);
  static size_t depth_of(const Stream& s);
  // ---- views kept from the changes (ws_api_views.cpp) ------------------------------------

  /// book<N>: the levels of the window that `changes` (the source book's changed levels)
  /// changed, with s.top brought up to date; false when there are none.
  bool top_changes(Stream& s, std::span<const LevelUpdate> changes, std::vector<LevelUpdate>& out);
  /// The changes that keep the window's prices, as edits of s.top (into top_edits); false
  /// when a level enters or leaves the window.
  bool top_edits_in_place(Stream& s, std::span<const LevelUpdate> changes);
  /// The consolidated book's merged levels at the changed prices (qty 0: gone), in message
  /// order, each price once.
  static void merged_changes(const ConsolidatedState& cons, std::span<const LevelUpdate> changes,
                             std::vector<LevelUpdate>& out);
  struct TopEdit {
    size_t index;  ///< into Stream::top
    int64_t qty;
    size_t order;  ///< position among the message's changes: the later edit of a level wins
  };
  std::vector<TopEdit> top_edits;        ///< scratch of top_changes
  std::vector<LevelUpdate> top_before;   ///< scratch of top_changes

  // ---- queueing and client lifecycle (ws_api_fanout.cpp) --------------------------------

  void reply(Client& c, std::string body);
  void error_reply(Client& c, std::string_view id_raw, std::string_view code, std::string_view message,
                   std::string_view channel = {});
  void slow_consumer(Client& c);
  void deliver(Client& c, Stream& s, const SharedText& msg);
  void fan_out(Stream& s, const SharedText& msg);
  void arm_drain();
  /// Sends the owed fresh state to conflated clients whose queue has drained.
  void drain();
  void on_open(const std::shared_ptr<WsSession>& ws);
  void on_close(const std::shared_ptr<WsSession>& ws);
  Client* client(const std::shared_ptr<WsSession>& ws);

  /// `{"type":"status",...}` of feed `feed` to the clients subscribed to its status channel
  /// or to any of its book channels, once each.
  void status(size_t feed);

  // ---- requests and subscriptions (ws_api_requests.cpp) ---------------------------------

  void on_message(Client& c, std::string_view text);
  /// Takes one command from `c`'s rate limit; false after answering `rate_limited` (and
  /// closing the client 1008 once command_burst commands in a row were refused).
  bool admit(Client& c, std::string_view text);
  Stream* stream_for(const ChannelSpec& spec, const InstrumentState* inst, const ConsolidatedState* cons);
  static bool matches(const ChannelSpec& p, std::string_view venue, std::string_view symbol);
  /// Concrete streams a pattern covers now.
  void expand(const ChannelSpec& p, std::vector<Stream*>& out);
  void attach(Client& c, Stream* s);
  /// Unsubscribes `c` from `s`; releases `s` when it was the last subscriber.
  void detach(Client& c, Stream* s);
  /// Whether pattern `p` covers the concrete stream `s` (without creating any stream).
  static bool covers(const ChannelSpec& p, const Stream& s);
  /// Frees an unsubscribed stream and drops it from by_source, or defers that while busy.
  void release(Stream* s);
  void release_unused();
  /// Marks a loop over streams or clients; the outermost one frees what was deferred.
  struct Busy {
    explicit Busy(Impl& i) : impl(i) {
      if (impl.busy_depth++ == 0) impl.now_ns = mono_ns();
    }
    ~Busy() {
      if (--impl.busy_depth == 0 && !impl.unused.empty()) impl.release_unused();
    }
    Busy(const Busy&) = delete;
    Busy& operator=(const Busy&) = delete;
    Impl& impl;
  };
  // ---- cross-currency channels (ws_api_fx.cpp) -------------------------------------------

  fx::FxConfig fx_cfg;
  std::vector<fx::StaticRate> fx_statics;
  FxStats* fx_stats = nullptr;                 ///< optional: counts exclusions and messages
  std::function<int64_t()> fx_now = wall_us;   ///< the clock of rate ages
  std::map<std::string, std::unique_ptr<wsapi::FxChannel>, std::less<>> fx_channels;
  boost::asio::steady_timer fx_timer;
  bool fx_armed = false;
  /// Checks an fx channel name and whether its pair can ever be served (the HTTP errors).
  bool fx_validate(const wsapi::FxKind kind, const std::string& base, const std::string& quote, std::string& code,
                   std::string& msg);
  void fx_attach(Client& c, const std::string& name, wsapi::FxKind kind, const std::string& base,
                 const std::string& quote);
  void fx_detach(Client& c, const std::string& name);
  void fx_arm();
  void fx_tick();
  void fx_publish(wsapi::FxChannel& ch);
  /// Sends `msg` to `c` unless its queue is too full for a state message; false then.
  bool fx_send(Client& c, const SharedText& msg);

  /// Validates one channel name against the known venues and symbols.
  bool validate(std::string_view name, ChannelSpec& spec, std::string& code, std::string& msg);
  std::vector<Stream*>* streams_of(const void* src);
};

}  // namespace mdhub
