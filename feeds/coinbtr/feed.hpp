#pragma once
// The coinbtr (Tauros) VenueFeed: one websocket for `orderbook`/`ticker`/`trades`, REST
// polls for tickers and, on demand (resync) or without a websocket, order books and
// trades. Trades are deduplicated across the overlapping windows the venue sends. Options
// are documented at the top of feed.cpp. Not thread-safe; owned by its runner.
#include <cstdint>
#include <string>
#include <vector>

#include "feeds/coinbtr/dedup.hpp"
#include "feeds/coinbtr/parse.hpp"
#include "feeds/common/json.hpp"
#include "feeds/common/venue.hpp"

namespace mdhub::coinbtr {

class CoinbtrFeed final : public VenueFeed {
 public:
  explicit CoinbtrFeed(const VenueConfig& cfg);

  std::string_view venue() const override { return "coinbtr"; }
  std::string discovery_target() const override { return "/v2/trading/markets/"; }
  ParseStatus parse_discovery(std::string_view body, std::vector<Instrument>& out,
                              std::string& error) override;
  /// The listing is paged (`limit`/`offset`): the next page is the markets path with the
  /// query of the page's `next` URL (its host is the venue's public one, not rest_base).
  std::string discovery_next() override { return discovery_next_; }
  void start(const InstrumentTable& table) override;
  std::vector<StreamPlan> streams() override;
  std::vector<PollPlan> polls() override;
  std::string poll_target(size_t index) override;
  ParseStatus on_frame(size_t stream, FrameView frame, RecvTime t, ParseOut& out) override;
  ParseStatus on_poll(size_t index, std::string_view body, RecvTime t, ParseOut& out) override;
  ResyncAction resync(uint32_t instrument) override;
  /// The pushed order book against the REST book its resync uses (cut to the same window).
  std::string audit_target(uint32_t instrument) override;
  ParseStatus parse_audit(uint32_t instrument, std::string_view body, RecvTime t, ParseOut& out) override;
  /// Top-10 book, ticker and trades; no candles of its own (they are built from trades).
  VenueCapabilities capabilities() const override {
    VenueCapabilities c;
    c.venue_candles = 0;
    return c;
  }

  /// Poll layout: 0 tickers, then one order-book poll per instrument, then one trades poll
  /// per instrument.
  size_t book_poll(uint32_t instrument) const { return 1 + instrument; }
  size_t trades_poll(uint32_t instrument) const { return 1 + n_ + instrument; }
  /// Whether REST books are cut to the top orders (the window the pushes show) or levels.
  bool orders_window() const { return orders_window_; }

 private:
  // Drops repeated trades among out.events[from, end) and orders the new ones by time.
  void dedup(size_t from, ParseOut& out);
  // Puts the trades among out.events[from, end) (one window) oldest first.
  void oldest_first(size_t from, ParseOut& out);

  std::string ws_url_;
  bool book_, bbo_, trades_, ticker_;
  ParseOptions opt_;
  Millis ticker_every_, book_every_, trades_every_, ping_every_, idle_timeout_;
  std::string ping_text_;
  size_t window_;

  json::Reader reader_;
  InstrumentTable table_;  // a copy: the feed never depends on the runner's lifetime
  bool started_ = false;
  size_t n_ = 0;
  std::vector<TradeDedup> seen_;
  // Whether windows without ids (websocket "last ten") list trades newest first, as their
  // timestamps last showed; a window inside one millisecond follows the last order seen.
  bool newest_first_ = true;
  std::string discovery_next_;
  // The orderbook pushes' window: fixed by book_window, or followed (auto).
  bool follow_window_ = true, orders_window_ = true;
  size_t rest_book_orders_ = 0;
};

}  // namespace mdhub::coinbtr
