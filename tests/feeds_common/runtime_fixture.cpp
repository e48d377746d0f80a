#include "tests/feeds_common/runtime_fixture.hpp"

#include <charconv>
#include <stdexcept>

namespace mdhub::test {

ParseStatus FakeFeed::parse_discovery(std::string_view body, std::vector<Instrument>& out, std::string& error) {
  next_.clear();
  if (const auto bar = body.find('|'); bar != std::string_view::npos) {
    next_ = std::string(body.substr(bar + 1));
    body = body.substr(0, bar);
  }
  if (body.empty()) {
    next_.clear();
    error = "empty instrument list";
    return ParseStatus::error;
  }
  while (!body.empty()) {
    const auto comma = body.find(',');
    std::string_view item = body.substr(0, comma);
    body = comma == std::string_view::npos ? std::string_view{} : body.substr(comma + 1);
    const auto colon = item.find(':');
    if (colon == std::string_view::npos) {
      error = "bad instrument '" + std::string(item) + "'";
      return ParseStatus::error;
    }
    Instrument inst;
    inst.venue = "fake";
    inst.symbol = std::string(item.substr(0, colon));
    inst.native = std::string(item.substr(colon + 1));
    const auto dash = inst.symbol.find('-');
    inst.base = inst.symbol.substr(0, dash);
    inst.quote = dash == std::string::npos ? "" : inst.symbol.substr(dash + 1);
    out.push_back(std::move(inst));
  }
  return ParseStatus::ok;
}

ParseStatus FakeFeed::parse(std::string_view text, RecvTime t, ParseOut& out) {
  if (text == "pong") return ParseStatus::ignored;
  if (text == "throw") throw std::runtime_error("boom");  // a bug in venue code
  constexpr std::string_view kRefused = "refused:", kSeen = "seen:";
  if (text.substr(0, kRefused.size()) == kRefused) {
    out.subscription_error = std::string(text.substr(kRefused.size()));
    return ParseStatus::ignored;
  }
  if (text.substr(0, kSeen.size()) == kSeen) {
    // Static names only, as real parsers use.
    out.detected.push_back(text.substr(kSeen.size()) == "a" ? "variant_a" : "variant_b");
    return ParseStatus::ignored;
  }
  constexpr std::string_view kTrade = "trade:";
  if (text.substr(0, kTrade.size()) == kTrade) {
    text.remove_prefix(kTrade.size());
    const auto colon = text.find(':');
    uint32_t inst = 0;
    int64_t price = 0;
    if (colon != std::string_view::npos &&
        std::from_chars(text.data(), text.data() + colon, inst).ptr == text.data() + colon &&
        std::from_chars(text.data() + colon + 1, text.data() + text.size(), price).ptr == text.data() + text.size()) {
      Event e;
      e.kind = EventKind::trade;
      e.instrument = inst;
      e.recv = t;
      e.body = TradeMsg{price, 1, 1, kNone};
      out.events.push_back(e);
      return ParseStatus::ok;
    }
  }
  out.error = "unparsable frame '" + std::string(text.substr(0, 16)) + "'";
  return ParseStatus::error;
}

void RecordingSink::on_instruments(size_t, const InstrumentTable& table) {
  std::vector<std::string> syms;
  for (const auto& i : table.all()) syms.push_back(i.symbol);
  instruments.push_back(std::move(syms));
}

void RecordingSink::on_events(size_t feed, const ParseOut& out, std::vector<uint32_t>& resync) {
  for (const auto& e : out.events) {
    if (e.kind != EventKind::trade) continue;
    const auto& t = std::get<TradeMsg>(e.body);
    trades.push_back(Trade{feed, e.instrument, t.price});
    if (t.price == resync_price) resync.push_back(e.instrument);
    if (t.price == throw_price) throw std::logic_error("engine bug");
  }
}

void RecordingSink::on_audit(size_t feed, uint32_t instrument, const ParseOut& snapshot, RecvTime,
                             std::vector<uint32_t>& resync) {
  audits.emplace_back(feed, instrument);
  for (const auto& e : snapshot.events)
    if (e.kind == EventKind::trade && std::get<TradeMsg>(e.body).price == resync_price) resync.push_back(instrument);
}

void RecordingSink::on_raw(size_t feed, RawKind kind, int index, RecvTime, std::string_view payload) {
  raws.push_back(Raw{feed, kind, index, std::string(payload)});
}

void RecordingSink::on_stream_down(size_t feed, int stream) { streams_down.emplace_back(feed, stream); }

void RecordingSink::on_state(size_t feed, FeedState state) { states.emplace_back(feed, state); }

bool RecordingSink::saw_state(size_t feed, FeedState s) const {
  for (const auto& [f, st] : states)
    if (f == feed && st == s) return true;
  return false;
}

bool RuntimeFixture::run_until(const std::function<bool()>& pred, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (!pred()) {
    const auto left = deadline - Clock::now();
    if (left <= Clock::duration::zero()) return false;
    io.run_one_for(left);
  }
  return true;
}

void RuntimeFixture::run_for(std::chrono::milliseconds d) {
  const auto deadline = Clock::now() + d;
  while (Clock::now() < deadline) io.run_one_until(deadline);
}

VenueConfig RuntimeFixture::config(const MockVenue& venue) {
  VenueConfig cfg;
  cfg.id = "fake";
  cfg.rest_base = venue.http_url() + "/fake/api";
  cfg.rate_limit_rps = 1000;
  cfg.rate_limit_burst = 1000;
  cfg.options["backoff_base_ms"] = "40";
  cfg.options["backoff_cap_ms"] = "200";
  cfg.options["rest_timeout_ms"] = "2000";
  cfg.options["connect_timeout_ms"] = "2000";
  return cfg;
}

std::unique_ptr<FeedRunner> RuntimeFixture::make_runner(VenueConfig cfg, std::shared_ptr<FakeScript> script,
                                                        size_t index) {
  return std::make_unique<FeedRunner>(io, index, std::move(cfg), std::make_unique<FakeFeed>(std::move(script)),
                                      sink);
}

std::function<MockReply(const MockRequest&)> discovery_then(std::function<MockReply(const MockRequest&)> other) {
  return [other = std::move(other)](const MockRequest& r) {
    if (r.target == "/fake/api/markets") return MockReply{200, "BTC-USDT:btcusdt,ETH-USDT:ethusdt", {}, 0, false, false};
    return other ? other(r) : MockReply{404, "{}", {}, 0, false, false};
  };
}

}  // namespace mdhub::test
