#pragma once
// The bitexbit VenueFeed: REST polling only (API v2 has no websocket; v1's socket.io feed is
// undocumented). Tickers in batches of at most 5 symbols, depth, trades by since_id cursor
// and candles per instrument. Options are documented at the top of feed.cpp. Not
// thread-safe; owned by its runner.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "feeds/bitexbit/parse.hpp"
#include "feeds/common/json.hpp"
#include "feeds/common/venue.hpp"

namespace mdhub::bitexbit {

class BitexbitFeed final : public VenueFeed {
 public:
  explicit BitexbitFeed(const VenueConfig& cfg);

  std::string_view venue() const override { return "bitexbit"; }
  std::string discovery_target() const override { return "/pairs"; }
  ParseStatus parse_discovery(std::string_view body, std::vector<Instrument>& out,
                              std::string& error) override;
  void start(const InstrumentTable& table) override;
  std::vector<StreamPlan> streams() override { return {}; }
  std::vector<PollPlan> polls() override;
  std::string poll_target(size_t index) override;
  ParseStatus on_frame(size_t stream, FrameView frame, RecvTime t, ParseOut& out) override;
  ParseStatus on_poll(size_t index, std::string_view body, RecvTime t, ParseOut& out) override;
  ResyncAction resync(uint32_t instrument) override;
  /// Depth, tickers with best bid/ask, trades, and ohlcv at one configured interval.
  VenueCapabilities capabilities() const override {
    VenueCapabilities c;
    c.venue_candles = VenueCapabilities::candle_bit(interval_);
    return c;
  }

  /// When poll `index` should run again sooner than its interval: after a full trades page
  /// (more trades are waiting behind the cursor). Cleared by the call.
  std::optional<Millis> next_poll_in(size_t index) override;

  /// Poll layout: ticker batches first, then per instrument depth, trades, ohlcv blocks.
  size_t ticker_batches() const { return batches_; }
  size_t depth_poll(uint32_t instrument) const { return batches_ + instrument; }
  size_t trades_poll(uint32_t instrument) const { return batches_ + n_ + instrument; }
  size_t ohlcv_poll(uint32_t instrument) const { return batches_ + 2 * n_ + instrument; }
  /// The since_id cursor of an instrument's trades (kNone before the first page).
  int64_t trades_cursor(uint32_t instrument) const { return state_.at(instrument).cursor; }
  /// Trades held above a backlog being fetched (0 when none is).
  size_t trades_held(uint32_t instrument) const { return state_.at(instrument).held.size(); }

 private:
  struct PerInstrument {
    int64_t cursor = kNone;  // highest trade id published; every id below it is published
    bool catch_up = false;   // more trades are waiting: poll again soon
    bool ohlcv_started = false;
    // A full page that did not reach back to the cursor leaves a backlog below its oldest
    // row: its trades wait in `held` (ascending) while pages with until_id = gap_top walk
    // down to the cursor; then all are published in id order.
    int64_t gap_top = kNone;
    std::vector<Event> held;
  };
  enum class Kind : uint8_t { tickers, depth, trades, ohlcv, none };
  Kind kind(size_t index, uint32_t& instrument) const;
  ParseStatus on_trades(uint32_t instrument, std::string_view body, RecvTime t, ParseOut& out);
  void note_trades_variant(const PerInstrument& st, const TradesPage& page, ParseOut& out);

  bool ticker_, bbo_;
  Millis tickers_every_, depth_every_, trades_every_, ohlcv_every_, catch_up_;
  size_t batch_, depth_limit_, trades_limit_, backlog_max_, ohlcv_history_, ohlcv_limit_;
  CandleInterval interval_ = CandleInterval::m5;
  TimeUnit time_unit_ = TimeUnit::automatic;

  json::Reader reader_;
  InstrumentTable table_;  // a copy: the feed never depends on the runner's lifetime
  bool started_ = false;
  size_t n_ = 0, batches_ = 0;
  std::vector<PerInstrument> state_;
  int trades_order_ = 0;  // the venue's page order once seen: +1 oldest first, -1 newest first
};

}  // namespace mdhub::bitexbit
