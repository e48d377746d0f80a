#pragma once
// The coinmotion VenueFeed: a broker with no book, trades or websocket; one REST poll of
// `/v2/rates` yields a quote ticker and a size-less BBO per pair. Options are documented at
// the top of feed.cpp. Not thread-safe; owned by its runner.
#include <string>
#include <vector>

#include "feeds/coinmotion/parse.hpp"
#include "feeds/common/json.hpp"
#include "feeds/common/venue.hpp"

namespace mdhub::coinmotion {

class CoinmotionFeed final : public VenueFeed {
 public:
  explicit CoinmotionFeed(const VenueConfig& cfg);

  std::string_view venue() const override { return "coinmotion"; }
  std::string discovery_target() const override { return "/v2/rates"; }
  ParseStatus parse_discovery(std::string_view body, std::vector<Instrument>& out,
                              std::string& error) override;
  void start(const InstrumentTable& table) override;
  std::vector<StreamPlan> streams() override { return {}; }
  std::vector<PollPlan> polls() override;
  std::string poll_target(size_t) override { return "/v2/rates"; }
  ParseStatus on_frame(size_t stream, FrameView frame, RecvTime t, ParseOut& out) override;
  ParseStatus on_poll(size_t index, std::string_view body, RecvTime t, ParseOut& out) override;
  /// No book to repair: a resync just fetches fresh quotes.
  ResyncAction resync(uint32_t instrument) override;
  /// A broker's quotes: ticker and a size-less BBO; no book, trades or candles.
  VenueCapabilities capabilities() const override {
    VenueCapabilities c;
    c.book = false;
    c.trades = false;
    c.venue_candles = 0;
    return c;
  }

 private:
  RatesOptions opt_;
  Millis every_;
  json::Reader reader_;
  InstrumentTable table_;  // a copy: the feed never depends on the runner's lifetime
  bool started_ = false;
};

}  // namespace mdhub::coinmotion
