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
  ParseStatus on_frame(size_t stream, std::string_view frame, RecvTime t, ParseOut& out) override;
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

 private:
  struct PerInstrument {
    int64_t cursor = kNone;  // highest trade id seen
    bool catch_up = false;   // last trades page was full
    bool ohlcv_started = false;
  };
  enum class Kind : uint8_t { tickers, depth, trades, ohlcv, none };
  Kind kind(size_t index, uint32_t& instrument) const;

  bool ticker_, bbo_;
  Millis tickers_every_, depth_every_, trades_every_, ohlcv_every_, catch_up_;
  size_t batch_, depth_limit_, trades_limit_, ohlcv_history_, ohlcv_limit_;
  CandleInterval interval_ = CandleInterval::m5;
  TimeUnit time_unit_ = TimeUnit::automatic;

  json::Reader reader_;
  InstrumentTable table_;  // a copy: the feed never depends on the runner's lifetime
  bool started_ = false;
  size_t n_ = 0, batches_ = 0;
  std::vector<PerInstrument> state_;
};

}  // namespace mdhub::bitexbit
