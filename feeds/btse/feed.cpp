// The BTSE VenueFeed.
//
// Options: feeds/btse/options.hpp.
// The order-book socket URL is urls["oss_url"]; without it, it is derived from ws_url
// (`.../ws/spot` -> `.../ws/oss/spot`).
#include <algorithm>
#include <map>

#include "feeds/btse/btse.hpp"
#include "feeds/btse/options.hpp"
#include "feeds/btse/parse.hpp"
#include "feeds/common/json.hpp"

namespace mdhub::btse {
namespace {

enum class PollKind : uint8_t { ticker, candles, depth, trades };

struct Slot {
  PollKind kind;
  uint32_t instrument;  // unused for ticker
};

std::string oss_url(const VenueConfig& cfg) {
  if (auto it = cfg.urls.find("oss_url"); it != cfg.urls.end() && !it->second.empty())
    return it->second;
  constexpr std::string_view kSuffix = "/ws/spot";
  const std::string& ws = cfg.ws_url;
  if (ws.size() >= kSuffix.size() && ws.compare(ws.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0)
    return ws.substr(0, ws.size() - kSuffix.size()) + "/ws/oss/spot";
  return "wss://ws.btse.com/ws/oss/spot";
}

std::string op_frame(std::string_view op, const std::vector<std::string>& topics) {
  std::string f = R"({"op":")";
  f += op;
  f += R"(","args":[)";
  for (size_t i = 0; i < topics.size(); ++i) {
    if (i) f += ',';
    f += '"';
    json::escape(f, topics[i]);
    f += '"';
  }
  f += "]}";
  return f;
}

class BtseFeed final : public VenueFeed {
 public:
  explicit BtseFeed(const VenueConfig& cfg) : cfg_(cfg) {
    api_ = "/api/" + cfg.str_option(opt::api_version);
    ws_ = cfg.bool_option(opt::ws_enabled);
    grouping_ = cfg.int_option(opt::book_grouping);
    const std::string iv = cfg.str_option(opt::candle_interval);
    if (!parse_interval(iv, interval_) || resolution(interval_).empty()) interval_ = CandleInterval::m1;
    start_in_seconds_ = cfg.str_option(opt::ohlcv_time_unit) == "s";
  }

  std::string_view venue() const override { return "btse"; }
  std::string discovery_target() const override { return api_ + "/market_summary"; }

  ParseStatus parse_discovery(std::string_view body, std::vector<Instrument>& out,
                              std::string& error) override {
    return parse_instruments(reader_, body, out, error);
  }

  void start(const InstrumentTable& table) override {
    table_ = table;
    last_trade_id_.assign(table_.size(), kNone);
    last_candle_.assign(table_.size(), kNone);
    oss_stream_ = ws_ && !table_.all().empty() &&
                          (cfg_.channel_enabled("book") || cfg_.channel_enabled("bbo"))
                      ? 0
                      : -1;
    build_polls();
  }

  std::vector<StreamPlan> streams() override {
    std::vector<StreamPlan> out;
    if (!ws_) return out;
    const auto plan = [&](std::string name, std::string url, std::vector<std::string> topics) {
      StreamPlan s;
      s.name = std::move(name);
      s.url = std::move(url);
      s.subscribe.push_back(op_frame("subscribe", topics));
      s.ping_text = cfg_.str_option(opt::ping_text);
      s.ping_interval = Millis{cfg_.int_option(opt::ping_interval_ms)};
      s.idle_timeout = Millis{cfg_.int_option(opt::idle_timeout_ms)};
      return s;
    };
    std::vector<std::string> oss;
    if (cfg_.channel_enabled("book"))
      for (uint32_t i = 0; i < table_.size(); ++i) oss.push_back(book_topic(i));
    if (cfg_.channel_enabled("bbo"))
      for (const auto& inst : table_.all()) oss.push_back("snapshotL1:" + inst.native);
    if (oss_stream_ >= 0) out.push_back(plan("oss", oss_url(cfg_), oss));  // stream 0
    if (cfg_.channel_enabled("trades") && !table_.all().empty() && !cfg_.ws_url.empty()) {
      std::vector<std::string> topics;
      for (const auto& inst : table_.all()) topics.push_back("tradeHistoryApi:" + inst.native);
      out.push_back(plan("trades", cfg_.ws_url, topics));
    }
    return out;
  }

  std::vector<PollPlan> polls() override { return plans_; }

  std::string poll_target(size_t index) override {
    if (index >= slots_.size()) return {};
    const Slot& s = slots_[index];
    switch (s.kind) {
      case PollKind::ticker: return api_ + "/market_summary";
      case PollKind::candles: {
        std::string t = api_ + "/ohlcv?symbol=" + native(s.instrument) +
                        "&resolution=" + std::string(resolution(interval_));
        // Ask only from the newest candle already seen (it may still be changing) onwards.
        if (const int64_t last = last_candle_[s.instrument]; last != kNone)
          t += "&start=" + std::to_string(start_in_seconds_ ? last / 1'000'000 : last / 1000);
        return t;
      }
      case PollKind::depth: {
        std::string t = api_ + "/orderbook/L2?symbol=" + native(s.instrument);
        if (const int64_t d = cfg_.int_option(opt::depth_limit); d > 0) t += "&depth=" + std::to_string(d);
        return t;
      }
      case PollKind::trades:
        return api_ + "/trades?symbol=" + native(s.instrument) +
               "&count=" + std::to_string(cfg_.int_option(opt::trades_count));
    }
    return {};
  }

  ParseStatus on_frame(size_t /*stream*/, FrameView frame, RecvTime t,
                       ParseOut& out) override {
    // Topics route the frame, so both sockets share one parser.
    const size_t begin = out.events.size();
    const ParseStatus st = parse_ws(reader_, frame, table_, t, out);
    if (st == ParseStatus::ok) after_parse(out, begin);
    return st;
  }

  ParseStatus on_poll(size_t index, std::string_view body, RecvTime t, ParseOut& out) override {
    if (index >= slots_.size()) {
      out.error = "btse: unknown poll index";
      return ParseStatus::error;
    }
    const Slot& s = slots_[index];
    const size_t begin = out.events.size();
    ParseStatus st = ParseStatus::ignored;
    switch (s.kind) {
      case PollKind::ticker: st = parse_market_summary(reader_, body, table_, t, out); break;
      case PollKind::candles: st = parse_ohlcv(reader_, body, table_, s.instrument, interval_, t, out); break;
      case PollKind::depth: st = parse_rest_l2(reader_, body, table_, s.instrument, t, out); break;
      case PollKind::trades: st = parse_rest_trades(reader_, body, table_, s.instrument, t, out); break;
    }
    if (st == ParseStatus::ok) after_parse(out, begin);
    return st;
  }

  ResyncAction resync(uint32_t instrument) override {
    ResyncAction a;
    if (instrument >= table_.size()) return a;
    // update: deltas carry seqNum/prevSeqNum relative to the snapshot that opened this
    // subscription, and REST orderbook/L2 carries no seqNum at all, so there is nothing a
    // REST snapshot could splice the deltas onto. Re-subscribing the one topic makes the
    // venue start that instrument's chain again with a fresh snapshot, leaving the socket
    // and every other instrument untouched.
    if (oss_stream_ >= 0 && cfg_.channel_enabled("book")) {
      const std::vector<std::string> topic = {book_topic(instrument)};
      a.stream = oss_stream_;
      a.frames = {op_frame("unsubscribe", topic), op_frame("subscribe", topic)};
      return a;
    }
    if (const auto it = depth_poll_.find(instrument); it != depth_poll_.end()) a.poll = it->second;
    return a;
  }

  // The streamed book (its update topic) against REST orderbook/L2.
  std::string audit_target(uint32_t instrument) override {
    if (oss_stream_ < 0 || !cfg_.channel_enabled("book") || instrument >= table_.size()) return {};
    return api_ + "/orderbook/L2?symbol=" + native(instrument) + "&depth=" + std::to_string(2 * kAuditLevels);
  }
  ParseStatus parse_audit(uint32_t instrument, std::string_view body, RecvTime t, ParseOut& out) override {
    return parse_rest_l2(reader_, body, table_, instrument, t, out);
  }

  // Books arrive on the oss socket only; the trades socket (ws_url, /ws/spot) has none.
  bool stream_has_books(size_t stream) const override {
    return oss_stream_ >= 0 && stream == static_cast<size_t>(oss_stream_) && cfg_.channel_enabled("book");
  }

  // Sequenced book and L1 over websocket, trades, REST ticker, and ohlcv at one configured interval.
  VenueCapabilities capabilities() const override {
    VenueCapabilities c;
    c.venue_candles = VenueCapabilities::candle_bit(interval_);
    return c;
  }

 private:
  std::string native(uint32_t id) const { return table_[id].native; }
  std::string book_topic(uint32_t id) const {
    return "update:" + table_[id].native + "_" + std::to_string(grouping_);
  }

  void build_polls() {
    slots_.clear();
    plans_.clear();
    depth_poll_.clear();
    const auto add = [&](PollKind kind, std::string_view name, int64_t ms, bool per_instrument) {
      if (ms <= 0) return;
      const size_t n = per_instrument ? table_.size() : 1;
      for (size_t i = 0; i < n; ++i) {
        if (kind == PollKind::depth) depth_poll_[static_cast<uint32_t>(i)] = static_cast<int>(slots_.size());
        slots_.push_back(Slot{kind, static_cast<uint32_t>(i)});
        plans_.push_back(PollPlan{std::string(name), Millis{ms}});
      }
    };
    // There is no websocket ticker or candle topic: those are always polled.
    if (cfg_.channel_enabled("ticker")) add(PollKind::ticker, "ticker", cfg_.int_option(opt::ticker_poll_ms), false);
    if (cfg_.channel_enabled("candles"))
      add(PollKind::candles, "candles", cfg_.int_option(opt::candles_poll_ms), true);
    // REST depth and trades are a fallback: off by default while the websockets carry them.
    const auto every = [&](const OptionSpec& o) { return cfg_.int_option(o, ws_ ? 0 : o.int_default); };
    if (cfg_.channel_enabled("book")) add(PollKind::depth, "depth", every(opt::depth_poll_ms), true);
    if (cfg_.channel_enabled("trades")) add(PollKind::trades, "trades", every(opt::trades_poll_ms), true);
  }

  // Trade dedup by id (each instrument's ids only grow) and stale candle rows dropped.
  void after_parse(ParseOut& out, size_t begin) {
    const auto first = out.events.begin() + static_cast<std::ptrdiff_t>(begin);
    const auto all_of_kind = [&](EventKind k) {
      return std::all_of(first, out.events.end(), [k](const Event& e) { return e.kind == k; });
    };
    // Pages may list newest first; dedup needs the true order (ids, open times).
    if (all_of_kind(EventKind::trade))
      std::stable_sort(first, out.events.end(), [](const Event& a, const Event& b) {
        return std::get<TradeMsg>(a.body).trade_id < std::get<TradeMsg>(b.body).trade_id;
      });
    else if (all_of_kind(EventKind::candle))
      std::stable_sort(first, out.events.end(), [](const Event& a, const Event& b) {
        return std::get<CandleMsg>(a.body).open_time_us < std::get<CandleMsg>(b.body).open_time_us;
      });
    size_t w = begin;
    for (size_t r = begin; r < out.events.size(); ++r) {
      if (!keep(out.events[r])) continue;
      if (w != r) out.events[w] = out.events[r];
      ++w;
    }
    out.events.resize(w);
  }

  bool keep(const Event& e) {
    const uint32_t id = e.instrument;
    if (const auto* tr = std::get_if<TradeMsg>(&e.body)) {
      if (tr->trade_id == kNone) return true;
      if (last_trade_id_[id] != kNone && tr->trade_id <= last_trade_id_[id]) return false;
      last_trade_id_[id] = tr->trade_id;
      return true;
    }
    if (const auto* c = std::get_if<CandleMsg>(&e.body)) {
      if (last_candle_[id] != kNone && c->open_time_us < last_candle_[id]) return false;
      last_candle_[id] = c->open_time_us;
      return true;
    }
    return true;
  }

  VenueConfig cfg_;
  std::string api_;
  bool ws_ = true;
  int64_t grouping_ = 0;
  CandleInterval interval_ = CandleInterval::m1;
  bool start_in_seconds_ = false;
  json::Reader reader_;
  InstrumentTable table_;
  std::vector<Slot> slots_;
  std::vector<PollPlan> plans_;
  std::map<uint32_t, int> depth_poll_;
  int oss_stream_ = -1;
  std::vector<int64_t> last_trade_id_;
  std::vector<int64_t> last_candle_;
};

}  // namespace

std::unique_ptr<VenueFeed> make_feed(const VenueConfig& cfg) { return std::make_unique<BtseFeed>(cfg); }

}  // namespace mdhub::btse
