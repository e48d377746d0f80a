#pragma once
// Shared pieces of the feed-runtime tests: a scriptable VenueFeed, a recording FeedSink and
// a fixture that runs the io_context until a condition holds (with a deadline).
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "src/runtime/runner.hpp"
#include "tests/feeds_common/mock_venue.hpp"

namespace mdhub::test {

/// What the fake feed saw and how it behaves; shared with the test (the runner owns the feed).
struct FakeScript {
  std::string discovery_target = "/markets";
  std::vector<StreamPlan> streams;
  std::vector<PollPlan> polls;
  ResyncAction resync_action;

  std::vector<std::pair<size_t, std::string>> frames;  ///< (stream, frame) given to on_frame
  std::vector<size_t> frame_rooms;                     ///< the room of each of those frames
  std::vector<std::pair<size_t, std::string>> polled;  ///< (poll, body) given to on_poll
  std::vector<uint32_t> resyncs;
  int starts = 0;
  /// Audit target of instrument i: audit_prefix + i; empty = nothing to audit.
  std::string audit_prefix;
  std::vector<std::pair<uint32_t, std::string>> audited;  ///< (instrument, body) given to parse_audit
};

/// Discovery body: "SYMBOL:native,SYMBOL:native", optionally followed by "|<target>": the
/// listing's next page. Frames / poll bodies: "trade:<inst>:<price>"
/// gives one trade event; "pong" is ignored; "throw" throws std::runtime_error("boom");
/// "refused:<why>" is a refused subscription; "seen:a" / "seen:<other>" recognise variant_a /
/// variant_b; anything else is a parse error.
class FakeFeed final : public VenueFeed {
 public:
  explicit FakeFeed(std::shared_ptr<FakeScript> s) : s_(std::move(s)) {}
  std::string_view venue() const override { return "fake"; }
  std::string discovery_target() const override { return s_->discovery_target; }
  ParseStatus parse_discovery(std::string_view body, std::vector<Instrument>& out, std::string& error) override;
  std::string discovery_next() override { return next_; }
  void start(const InstrumentTable&) override { ++s_->starts; }
  std::vector<StreamPlan> streams() override { return s_->streams; }
  std::vector<PollPlan> polls() override { return s_->polls; }
  std::string poll_target(size_t index) override { return "/poll/" + std::to_string(index); }
  ParseStatus on_frame(size_t stream, FrameView frame, RecvTime t, ParseOut& out) override {
    s_->frames.emplace_back(stream, std::string(frame.text));
    s_->frame_rooms.push_back(frame.room);
    return parse(frame.text, t, out);
  }
  ParseStatus on_poll(size_t index, std::string_view body, RecvTime t, ParseOut& out) override {
    s_->polled.emplace_back(index, std::string(body));
    return parse(body, t, out);
  }
  ResyncAction resync(uint32_t instrument) override {
    s_->resyncs.push_back(instrument);
    return s_->resync_action;
  }
  std::string audit_target(uint32_t instrument) override {
    return s_->audit_prefix.empty() ? std::string() : s_->audit_prefix + std::to_string(instrument);
  }
  ParseStatus parse_audit(uint32_t instrument, std::string_view body, RecvTime t, ParseOut& out) override {
    s_->audited.emplace_back(instrument, std::string(body));
    return parse(body, t, out);
  }

 private:
  static ParseStatus parse(std::string_view text, RecvTime t, ParseOut& out);
  std::shared_ptr<FakeScript> s_;
  std::string next_;
};

struct RecordingSink final : FeedSink {
  void on_instruments(size_t feed, const InstrumentTable& table) override;
  void on_events(size_t feed, const ParseOut& out, std::vector<uint32_t>& resync) override;
  void on_raw(size_t feed, RawKind kind, int index, RecvTime t, std::string_view payload) override;
  void on_stream_down(size_t feed, int stream) override;
  void on_state(size_t feed, FeedState state) override;
  /// Records the audit; asks to resync the instrument when its snapshot has a trade at resync_price.
  void on_audit(size_t feed, uint32_t instrument, const ParseOut& snapshot, RecvTime t,
                std::vector<uint32_t>& resync) override;

  struct Trade {
    size_t feed;
    uint32_t instrument;
    int64_t price;
  };
  struct Raw {
    size_t feed;
    RawKind kind;
    int index;
    std::string payload;
  };
  std::vector<std::vector<std::string>> instruments;  ///< canonical symbols per call
  std::vector<Trade> trades;
  std::vector<Raw> raws;
  std::vector<std::pair<size_t, int>> streams_down;
  std::vector<std::pair<size_t, FeedState>> states;
  std::vector<std::pair<size_t, uint32_t>> audits;  ///< (feed, instrument) per on_audit
  int64_t resync_price = -1;  ///< a trade at this price asks to resync its instrument
  int64_t throw_price = -1;   ///< a trade at this price makes on_events throw

  bool saw_state(size_t feed, FeedState s) const;
};

class RuntimeFixture : public ::testing::Test {
 protected:
  using Clock = std::chrono::steady_clock;

  /// Runs the io_context until `pred` holds; false after `limit`.
  bool run_until(const std::function<bool()>& pred, std::chrono::milliseconds limit = std::chrono::seconds(5));
  /// Runs the io_context for `d` (to observe that something does *not* happen).
  void run_for(std::chrono::milliseconds d);

  /// Config pointing at `venue` with fast backoff for tests.
  static VenueConfig config(const MockVenue& venue);
  std::unique_ptr<FeedRunner> make_runner(VenueConfig cfg, std::shared_ptr<FakeScript> script, size_t index = 0);

  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  RecordingSink sink;
};

/// Replies to the fake feed's discovery with "BTC-USDT:btcusdt,ETH-USDT:ethusdt" and to
/// everything else with `other`.
std::function<MockReply(const MockRequest&)> discovery_then(std::function<MockReply(const MockRequest&)> other);

}  // namespace mdhub::test
