#pragma once
// The engine: applies normalized events to per-instrument state (L2 book, ticker, BBO,
// recent trades, candles) and to the consolidated book per canonical symbol, validates
// every book change, asks the feed runtime to resync a failed instrument, and tells its
// observers (websocket fan-out, NATS, metrics) what changed. Single-threaded: runs on the
// network thread; observers are called synchronously and must not block.
#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "book/candles.hpp"
#include "book/consolidated.hpp"
#include "book/l2_book.hpp"
#include "src/engine/audit.hpp"
#include "feeds/common/sink.hpp"
#include "feeds/common/venue.hpp"

namespace mdhub {

inline constexpr size_t kTradeHistory = 1000;
inline constexpr size_t kCandleHistory = 1000;
/// A resync whose snapshot has not arrived this long after it was asked for (the answer
/// can be lost like any frame) is asked for again when the next delta shows the stream is alive.
inline constexpr int64_t kResyncRetryNs = 2'000'000'000;
/// A feed not live this long has stale books (venue option stale_after_ms).
inline constexpr int64_t kDefaultStaleAfterMs = 5000;

struct TradeRecord {
  int64_t price = kNone, qty = kNone;
  int8_t side = 0;
  int64_t trade_id = kNone;
  int64_t ts_exchange_us = kNone;
  int64_t ts_received_us = 0;
  uint64_t seq = 0;  ///< the instrument's trade sequence: 1 for its first trade, +1 per trade
};

/// A trade-built candle in the normalized candle shape.
CandleMsg to_candle_msg(const CandleBuilder& b, size_t interval, const Candle& c);

struct CandleRecord {
  CandleMsg candle;
  bool from_venue = true;  ///< false: built locally from trades
  int64_t ts_received_us = 0;
  uint64_t seq = 0;  ///< sequence of its series (instrument, interval, source): +1 per publication
};

/// The book the engine keeps for an instrument: the tick ladder (O(1) at any price of its
/// window, book/l2_book.hpp) on the venue's published tick, else on a tick it infers from the
/// prices it sees. Its window grows with the prices seen, up to a bound; beyond that the
/// ladder keeps the outlying levels in the vector it has for them.
BookOptions book_options_for(const Instrument& inst);

struct InstrumentState;
/// The one series a plain `candles.<interval>` carries (websocket, HTTP without `source`):
/// the venue's own candles once the venue has published one of that interval, else the
/// candles built from trades.
bool carries_preferred(const InstrumentState& s, const CandleRecord& c);

/// Per venue instrument. Owned by the Engine; observers get const references.
struct InstrumentState {
  size_t feed = 0;
  uint32_t id = 0;
  Instrument info;
  size_t consolidated = SIZE_MAX;  ///< index into Engine::consolidated()
  size_t consolidated_member = 0;  ///< this instrument's venue slot in that book

  Book book{book_options_for(Instrument{})};
  bool has_book = false;   ///< the venue publishes a book for it
  bool sequenced = false;  ///< book comes from a sequenced stream (snapshot + deltas)
  bool in_sync = false;    ///< book is known good (only then is it served)
  uint64_t book_seq = 0;   ///< local per-channel sequence of published book changes
  int64_t book_ts_exchange_us = kNone;
  int64_t book_ts_received_us = 0;

  TickerMsg ticker;
  bool has_ticker = false;
  uint64_t ticker_seq = 0;  ///< tickers published (the ticker payload's `seq`)
  int64_t ticker_ts_exchange_us = kNone, ticker_ts_received_us = 0;

  BboMsg venue_bbo;  ///< L1 as published by the venue (quote-only venues: the only BBO)
  bool has_venue_bbo = false;
  int64_t bbo_ts_exchange_us = kNone, bbo_ts_received_us = 0;
  uint64_t bbo_seq = 0;  ///< BBOs published (the bbo payload's `seq`)

  std::deque<TradeRecord> trades;  ///< newest last, at most kTradeHistory
  uint64_t trade_seq = 0;          ///< trades published (TradeRecord::seq of the latest)
  CandleBuilder trade_candles;     ///< candles built from trades
  std::map<std::pair<int, int64_t>, CandleRecord> venue_candles;  ///< (interval, open_time) -> candle
  std::array<size_t, kCandleIntervals> venue_candle_count{};     ///< venue_candles per interval
  /// Candles published per [interval][from_venue]: each series counts its own.
  std::array<std::array<uint64_t, 2>, kCandleIntervals> candle_seq{};

  uint64_t gaps = 0, resyncs = 0, dropped_out_of_sync = 0, book_errors = 0;
  uint64_t levels_trimmed = 0;  ///< levels cut below the venue's published window
  int64_t resync_requested_mono_ns = 0;  ///< when the last resync was asked for
  /// Audits against REST snapshots (src/engine/audit.hpp), per AuditResult.
  std::array<uint64_t, kAuditResults> audits{};
  AuditResult last_audit = AuditResult::skipped;
  bool audited = false;               ///< last_audit and the fields below are set
  uint64_t last_audit_drift = 0;      ///< levels that differed at the last audit that compared
  int64_t last_audit_wall_us = 0;     ///< when the last audit's snapshot arrived
  /// What the last audit found different when it was a mismatch (at most 4 * kAuditLevels).
  std::vector<AuditDiff> audit_diffs;
  uint64_t last_publish_seq = 0;

  /// BBO: from the book when there is one, else the venue's L1.
  BboMsg bbo() const;
};

/// The consolidated book of one canonical symbol. Its scales are the finest price and qty
/// scales among its members, so every member level converts exactly (never rounded); they
/// only grow, when a member with finer scales is discovered (the book is then rebuilt from
/// the member books and observers get a reset).
///
/// The merged book is kept only while the symbol is watched (Engine::watch_consolidated):
/// merging every change of every venue costs more than applying it, and most symbols have
/// nobody reading their consolidated book. Unwatched, `book` is empty, observers hear
/// nothing, and only `seq` goes on counting; Engine::merged() builds the book on demand.
struct ConsolidatedState {
  std::string symbol;
  size_t index = 0;  ///< in Engine::consolidated()
  ConsolidatedBook book{kMaxConsolidatedVenues};  ///< venue slot = index in `members`; empty unless watched
  std::vector<uint32_t> members;  ///< global instrument indexes
  uint32_t watchers = 0;          ///< watch_consolidated() calls not yet undone
  /// Changes of the merged book (every member change and reset, watched or not), so that its
  /// count reads the same whether the book was kept all along or is built on demand.
  uint64_t seq = 0;
  int price_scale = 0;  ///< scale of the book's prices
  int qty_scale = 0;    ///< scale of the book's quantities (totals and per venue)
  /// Venue levels left out because they do not fit the scales (int64 overflow, or a size
  /// beyond kMaxConsolidatedQty); counted each time one arrives while the book is kept, and
  /// at each merge of the member books (a watch, a rescale).
  uint64_t left_out = 0;

  bool maintained() const { return watchers > 0; }
};

/// Engine-side counters of one feed.
struct FeedEngineStats {
  uint64_t unknown_instrument_events = 0;  ///< events naming an instrument id the feed never listed
};

class EngineObserver {
 public:
  virtual ~EngineObserver() = default;
  /// Around the events of one received payload (for stage latencies).
  virtual void on_events_begin(size_t /*feed*/, RecvTime) {}
  virtual void on_events_end(size_t /*feed*/) {}
  /// A new instrument became known (after a feed's discovery).
  virtual void on_instrument_added(const InstrumentState&) {}
  /// A book changed: `snapshot` = a fresh state (after start or resync) and `changes` is
  /// empty; otherwise `changes` are the level updates, already applied.
  virtual void on_book(const InstrumentState&, bool /*snapshot*/, std::span<const LevelUpdate>) {}
  /// A book became unusable (gap, crossed, stream lost) until its next snapshot.
  virtual void on_book_lost(const InstrumentState&) {}
  virtual void on_trade(const InstrumentState&, const TradeRecord&) {}
  virtual void on_ticker(const InstrumentState&) {}
  virtual void on_bbo(const InstrumentState&) {}
  virtual void on_candle(const InstrumentState&, const CandleRecord&) {}
  virtual void on_consolidated(const ConsolidatedState&, std::span<const LevelUpdate>) {}
  virtual void on_raw(size_t /*feed*/, RawKind, int /*index*/, RecvTime, std::string_view) {}
  virtual void on_feed_state(size_t /*feed*/, FeedState) {}
  /// The feed's books turned stale (it has not been live for its stale_after_ms: they left
  /// the consolidated book and are no longer served) or, `stale` false, it is live again.
  virtual void on_feed_stale(size_t /*feed*/, bool /*stale*/) {}
};

class Engine final : public FeedSink {
 public:
  Engine();
  void add_observer(EngineObserver* o) { observers_.push_back(o); }
  /// Says whether websocket stream `stream` of a feed carries order-book data (asked when
  /// the stream goes down, so after the feed's discovery). Typically forwards to
  /// VenueFeed::stream_has_books(); must stay callable as long as the feed runs.
  using StreamHasBooks = std::function<bool(size_t stream)>;

  /// Registers a feed (in feed-index order) so its venue id is known before discovery.
  /// Without `stream_has_books`, every stream of the feed is taken to carry books.
  /// `caps` is what the venue can publish (VenueFeed::capabilities()).
  void add_feed(std::string venue, StreamHasBooks stream_has_books = {}, VenueCapabilities caps = {});

  // FeedSink
  void on_instruments(size_t feed, const InstrumentTable& table) override;
  void on_events(size_t feed, const ParseOut& out, std::vector<uint32_t>& resync) override;
  void on_raw(size_t feed, RawKind kind, int index, RecvTime t, std::string_view payload) override;
  void on_stream_down(size_t feed, int stream) override;
  void on_state(size_t feed, FeedState state) override;
  /// Compares the instrument's book with the snapshot's book message (see AuditResult).
  void on_audit(size_t feed, uint32_t instrument, const ParseOut& snapshot, RecvTime t,
                std::vector<uint32_t>& resync) override;

  /// Closes trade-built candles whose interval ended before `now_us` (timer driven).
  void close_candles(int64_t now_us);
  /// Books still waiting for a snapshot kResyncRetryNs after it was asked for (timer driven,
  /// so a quiet symbol whose answer was lost is not stuck until its next delta): appends
  /// (feed, instrument) to `out` and restarts their clocks. A book not in sync without an ask
  /// (its stream went down and the reconnect resubscribes; a snapshot-only book whose first
  /// push was lost or never came) starts its clock here.
  /// Feeds whose last reported state is not live are skipped.
  void overdue_resyncs(int64_t now_mono_ns, std::vector<std::pair<size_t, uint32_t>>& out);
  /// How long the feed may be not live before its books are stale (default kDefaultStaleAfterMs).
  void set_stale_after(size_t feed, int64_t ms);
  /// Timer driven. A feed this timer finds not live at every call for its stale_after turns
  /// stale: its books are cleared (lost) and leave the consolidated book; the first call that
  /// finds it live again ends that, so a connection that only flickers open between calls
  /// does not count as live. Books that got a snapshot meanwhile are published then, each
  /// with a fresh snapshot; the others wait for their next one.
  void check_stale(int64_t now_mono_ns);
  bool feed_stale(size_t feed) const { return feed < feeds_.size() && feeds_[feed].stale; }
  /// The last state the feed's runner reported (starting until it reports one).
  FeedState feed_state(size_t feed) const { return feeds_.at(feed).state; }
  /// When check_stale first found the feed not live (0 while found live).
  int64_t feed_not_live_since(size_t feed) const { return feeds_.at(feed).not_live_since_mono_ns; }
  /// Whether the book of `s` may be served: in sync and its feed not stale.
  bool book_served(const InstrumentState& s) const { return s.has_book && s.in_sync && !feed_stale(s.feed); }

  /// The one symbol lookup of every interface: `symbol` is the canonical or the venue's
  /// native name, in any case (names_instrument()). The state carries the canonical name.
  const InstrumentState* find(std::string_view venue, std::string_view symbol) const;
  /// By canonical symbol, or any venue's native name for it, in any case.
  const ConsolidatedState* find_consolidated(std::string_view symbol) const;
  /// What `venue` can publish; nullptr for a venue with no feed.
  const VenueCapabilities* capabilities(std::string_view venue) const;
  const VenueCapabilities& feed_capabilities(size_t feed) const { return caps_.at(feed); }
  const std::vector<std::unique_ptr<InstrumentState>>& instruments() const { return all_; }
  /// Stable references: elements never move once added.
  const std::deque<ConsolidatedState>& consolidated() const { return consolidated_; }
  /// Keeps consolidated book `index` (into consolidated()) up to date and tells observers
  /// of its changes until the matching unwatch; calls nest. The first watch builds the book
  /// from the member books (as a resync does), so it is at once what continuous maintenance
  /// would hold; observers are not told (there was nobody to tell).
  void watch_consolidated(size_t index);
  /// Undoes one watch; the last one empties the book and frees its memory.
  void unwatch_consolidated(size_t index);
  /// The book of `c` built now from its member books: the same merge a watched book went
  /// through, for a reader of an unwatched symbol (a copy of `c` with its book filled).
  ConsolidatedState merged(const ConsolidatedState& c) const;
  const std::vector<std::string>& feeds() const { return feed_venues_; }
  /// Throws std::out_of_range for a feed index never added.
  const FeedEngineStats& feed_stats(size_t feed) const { return feed_stats_.at(feed); }
  /// Events delivered for a feed index never added (ignored).
  uint64_t unknown_feed_events() const { return unknown_feed_events_; }
  uint64_t publish_seq() const { return publish_seq_; }

 private:
  void on_book_msg(InstrumentState& s, const Event& e, const BookMsg& m, const ParseOut& out,
                   std::vector<uint32_t>& resync);
  void lose_book(InstrumentState& s, BookError err, std::vector<uint32_t>& resync);
  /// Drops the book and asks for its resync (lose_book without a book error).
  void drop_book(InstrumentState& s, std::vector<uint32_t>& resync);
  /// Cuts the book to `window` levels a side (0: no cut) by deleting the rest, which go into
  /// `removed`; true when something was cut.
  bool trim_to_window(InstrumentState& s, uint16_t window, std::vector<LevelUpdate>& removed);
  void publish_book(InstrumentState& s, bool snapshot, std::span<const LevelUpdate> changes);
  void on_trade_msg(InstrumentState& s, const Event& e, const TradeMsg& m);
  void emit_candle(InstrumentState& s, const CandleMsg& c, bool from_venue, int64_t recv_us);
  /// The next `seq` of r's series (instrument, interval, source).
  static uint64_t next_candle_seq(InstrumentState& s, const CandleRecord& r);
  void close_venue_candle(InstrumentState& s, CandleRecord& r, int64_t now_us);
  void emit_trade_candles(InstrumentState& s, int64_t recv_us);
  void feed_consolidated(InstrumentState& s, bool reset, std::span<const LevelUpdate> changes);
  static bool to_consolidated(const InstrumentState& s, ConsolidatedState& c, const LevelUpdate& u,
                              LevelUpdate& out);
  /// The levels member `s` contributes to `c` now, at c's scales, into `out`.
  void member_levels(const InstrumentState& s, ConsolidatedState& c, std::vector<LevelUpdate>& out) const;
  /// Replaces c's book with the merge of its member books (`scratch`: working space).
  void merge_members(ConsolidatedState& c, std::vector<LevelUpdate>& scratch) const;
  void rebuild_consolidated(ConsolidatedState& c);

  std::vector<EngineObserver*> observers_;
  std::vector<std::string> feed_venues_;
  std::vector<std::vector<InstrumentState*>> by_feed_;  ///< [feed][instrument id]
  std::vector<StreamHasBooks> stream_has_books_;         ///< [feed]
  std::vector<FeedEngineStats> feed_stats_;              ///< [feed]
  /// [feed] false once its runner reported a state other than live: a feed that is down
  /// cannot answer a resync, so the timer does not ask (nor count) one.
  std::vector<bool> feed_live_;
  struct FeedLiveness {
    FeedState state = FeedState::starting;
    int64_t stale_after_ns = kDefaultStaleAfterMs * 1'000'000;
    int64_t not_live_since_mono_ns = 0;
    bool stale = false;
  };
  std::vector<FeedLiveness> feeds_;  ///< [feed]
  void set_stale(size_t feed, bool stale);
  uint64_t unknown_feed_events_ = 0;
  std::vector<std::unique_ptr<InstrumentState>> all_;
  std::unordered_map<std::string, InstrumentState*> by_key_;  ///< "venue/SYMBOL"
  /// "venue/" + symbol_key(canonical or native name) -> instrument, for find().
  std::unordered_map<std::string, InstrumentState*> by_name_;
  std::vector<VenueCapabilities> caps_;  ///< [feed]
  std::deque<ConsolidatedState> consolidated_;
  std::unordered_map<std::string, size_t> consolidated_by_symbol_;
  std::vector<LevelUpdate> scratch_, scratch2_, trimmed_;
  std::vector<CandleEvent> candle_events_;
  uint64_t publish_seq_ = 0;
};

}  // namespace mdhub
