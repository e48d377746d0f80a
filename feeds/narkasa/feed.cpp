// The Narkasa VenueFeed.
//
// Options: feeds/narkasa/options.hpp (depth_mode: `sides`, the default, replaces the sides a
// push carries, absent or [] = unchanged; `snapshot` the whole book; `delta` amount 0 deletes). The depth polls exist whenever the book channel is
// enabled, even at interval 0: they are the per-instrument resync (ResyncAction::poll), and
// poll index i is instrument i's depth poll.
#include <algorithm>

#include "feeds/common/json.hpp"
#include "feeds/narkasa/dedup.hpp"
#include "feeds/narkasa/narkasa.hpp"
#include "feeds/narkasa/options.hpp"
#include "feeds/narkasa/parse.hpp"

namespace mdhub::narkasa {
namespace {

enum class PollKind : uint8_t { depth, trades, ticker, bbo, candles };

struct Slot {
  PollKind kind;
  uint32_t instrument;  // unused for ticker
};

class NarkasaFeed final : public VenueFeed {
 public:
  explicit NarkasaFeed(const VenueConfig& cfg) : cfg_(cfg) {
    ws_ = cfg.bool_option(opt::ws_enabled) && !cfg.ws_url.empty();
    opt_.trade_type_0_is_sell = cfg.bool_option(opt::trade_type_0_is_sell);
    const std::string mode = cfg.str_option(opt::depth_mode);
    opt_.depth_mode = mode == "delta" ? DepthMode::delta : mode == "snapshot" ? DepthMode::snapshot : DepthMode::sides;
    const std::string iv = cfg.str_option(opt::candle_interval);
    if (!parse_native_interval(iv, interval_) && !parse_interval(iv, interval_))
      interval_ = CandleInterval::m1;
  }

  std::string_view venue() const override { return "narkasa"; }
  std::string discovery_target() const override { return "/market/markets"; }

  ParseStatus parse_discovery(std::string_view body, std::vector<Instrument>& out,
                              std::string& error) override {
    return parse_markets(reader_, body, out, error);
  }

  void start(const InstrumentTable& table) override {
    table_ = table;
    const size_t n = table_.size();
    bbo_.assign(n, BboMsg{});
    trades_.assign(n, RecentTrades{});
    last_candle_.assign(n, kNone);
    build_polls();
  }

  std::vector<StreamPlan> streams() override {
    if (!ws_) return {};
    std::vector<std::string> params;
    const auto add = [&](std::string_view type, const Instrument* inst) {
      std::string p = R"({"type":")";
      p += type;
      p += '"';
      if (inst) {
        p += R"(,"symbol":")";
        json::escape(p, inst->native);
        p += '"';
      }
      if (type == "candles") {
        p += R"(,"interval":")";
        p += native_interval_name(interval_);
        p += '"';
      }
      p += '}';
      params.push_back(std::move(p));
    };
    if (cfg_.channel_enabled("ticker") && cfg_.bool_option(opt::all_tickers))
      add("allTickers", nullptr);
    const auto per_instrument = [&](std::string_view channel, std::string_view type) {
      if (!cfg_.channel_enabled(channel)) return;
      for (const auto& inst : table_.all()) add(type, &inst);
    };
    per_instrument("book", "depth");
    per_instrument("bbo", "orderBook");
    per_instrument("trades", "trade");
    if (!cfg_.bool_option(opt::all_tickers)) per_instrument("ticker", "ticker");
    per_instrument("candles", "candles");
    if (params.empty()) return {};

    StreamPlan s;
    s.name = "market";
    s.url = cfg_.ws_url;
    const auto frame = [](const std::string& body) {
      return R"({"method":"SUBSCRIBE","params":[)" + body + "]}";
    };
    if (cfg_.bool_option(opt::subscribe_batch)) {
      std::string all;
      for (const auto& p : params) {
        if (!all.empty()) all += ',';
        all += p;
      }
      s.subscribe.push_back(frame(all));
    } else {
      for (const auto& p : params) s.subscribe.push_back(frame(p));
    }
    s.ping_text = cfg_.str_option(opt::ping_text);
    s.ping_interval = Millis{cfg_.int_option(opt::ping_interval_ms)};
    s.idle_timeout = Millis{cfg_.int_option(opt::idle_timeout_ms)};
    return {std::move(s)};
  }

  std::vector<PollPlan> polls() override { return plans_; }

  std::string poll_target(size_t index) override {
    if (index >= slots_.size()) return {};
    const Slot& s = slots_[index];
    switch (s.kind) {
      case PollKind::ticker: return "/market/markets";
      case PollKind::depth: return "/market/depth?symbol=" + native(s.instrument);
      case PollKind::trades: return "/market/trades?symbol=" + native(s.instrument);
      case PollKind::bbo: return "/market/orderbook?symbol=" + native(s.instrument);
      case PollKind::candles:
        return "/market/candles?symbol=" + native(s.instrument) +
               "&interval=" + std::string(native_interval_name(interval_));
    }
    return {};
  }

  ParseStatus on_frame(size_t /*stream*/, FrameView frame, RecvTime t,
                       ParseOut& out) override {
    const size_t begin = out.events.size();
    const ParseStatus st = parse_ws(reader_, frame.text, table_, t, opt_, out);
    if (st == ParseStatus::ok) after_parse(out, begin);
    return st;
  }

  ParseStatus on_poll(size_t index, std::string_view body, RecvTime t, ParseOut& out) override {
    if (index >= slots_.size()) {
      out.error = "narkasa: unknown poll index";
      return ParseStatus::error;
    }
    const Slot& s = slots_[index];
    const size_t begin = out.events.size();
    ParseStatus st = ParseStatus::ignored;
    switch (s.kind) {
      case PollKind::ticker: st = parse_tickers(reader_, body, table_, t, out); break;
      case PollKind::depth: st = parse_rest_depth(reader_, body, table_, s.instrument, t, out); break;
      case PollKind::bbo: st = parse_rest_orderbook(reader_, body, table_, s.instrument, t, out); break;
      case PollKind::trades:
        st = parse_rest_trades(reader_, body, table_, s.instrument, opt_.trade_type_0_is_sell, t,
                               out);
        // Last-N windows arrive newest first; dedup needs time order.
        std::stable_sort(out.events.begin() + static_cast<std::ptrdiff_t>(begin), out.events.end(),
                         [](const Event& a, const Event& b) { return a.ts_exchange_us < b.ts_exchange_us; });
        break;
      case PollKind::candles:
        st = parse_rest_candles(reader_, body, table_, s.instrument, interval_, t, out);
        std::stable_sort(out.events.begin() + static_cast<std::ptrdiff_t>(begin), out.events.end(),
                         [](const Event& a, const Event& b) {
                           return std::get<CandleMsg>(a.body).open_time_us <
                                  std::get<CandleMsg>(b.body).open_time_us;
                         });
        break;
    }
    if (st == ParseStatus::ok) after_parse(out, begin);
    return st;
  }

  // Book (depth), L1 (orderBook), trades, ticker, and candles at one configured interval.
  VenueCapabilities capabilities() const override {
    VenueCapabilities c;
    c.venue_candles = VenueCapabilities::candle_bit(interval_);
    return c;
  }

  ResyncAction resync(uint32_t instrument) override {
    ResyncAction a;
    // The websocket depth stream has no sequence to restart from: a REST snapshot is the
    // only way to get a known-good book for one instrument without touching the others.
    if (instrument < depth_polls_) a.poll = static_cast<int>(instrument);
    return a;
  }

  // The websocket depth stream against the REST depth its resync uses (poll i is instrument i's).
  std::string audit_target(uint32_t instrument) override {
    if (!ws_ || instrument >= depth_polls_) return {};
    return poll_target(instrument);
  }
  ParseStatus parse_audit(uint32_t instrument, std::string_view body, RecvTime t, ParseOut& out) override {
    if (instrument >= depth_polls_) return ParseStatus::ignored;
    return parse_rest_depth(reader_, body, table_, instrument, t, out);
  }

 private:
  std::string native(uint32_t id) const { return table_[id].native; }

  void add_polls(PollKind kind, std::string_view name, int64_t interval_ms, bool per_instrument,
                 bool keep_at_zero) {
    if (interval_ms <= 0 && !keep_at_zero) return;
    const Millis iv{std::max<int64_t>(interval_ms, 0)};
    const size_t count = per_instrument ? table_.size() : 1;
    for (size_t i = 0; i < count; ++i) {
      slots_.push_back(Slot{kind, static_cast<uint32_t>(i)});
      plans_.push_back(PollPlan{std::string(name), iv});
    }
  }

  void build_polls() {
    slots_.clear();
    plans_.clear();
    // Polls are a fallback: each defaults to off when the websocket covers its channel.
    const auto every = [&](const OptionSpec& o) { return cfg_.int_option(o, ws_ ? 0 : o.int_default); };
    depth_polls_ = 0;
    if (cfg_.channel_enabled("book")) {
      add_polls(PollKind::depth, "depth", every(opt::depth_poll_ms), true, true);
      depth_polls_ = table_.size();
    }
    if (cfg_.channel_enabled("trades"))
      add_polls(PollKind::trades, "trades", every(opt::trades_poll_ms), true, false);
    if (cfg_.channel_enabled("ticker"))
      add_polls(PollKind::ticker, "ticker", every(opt::ticker_poll_ms), false, false);
    if (cfg_.channel_enabled("bbo"))
      add_polls(PollKind::bbo, "bbo", every(opt::bbo_poll_ms), true, false);
    if (cfg_.channel_enabled("candles"))
      add_polls(PollKind::candles, "candles", every(opt::candles_poll_ms), true,
                false);
  }

  // Per-instrument state applied to freshly parsed events [begin, end): L1 merge, trade
  // dedup, stale REST candle rows dropped.
  void after_parse(ParseOut& out, size_t begin) {
    size_t w = begin;
    for (size_t r = begin; r < out.events.size(); ++r) {
      Event& e = out.events[r];
      if (!keep(e)) continue;
      if (w != r) out.events[w] = e;
      ++w;
    }
    out.events.resize(w);
  }

  bool keep(Event& e) {
    const uint32_t id = e.instrument;
    if (auto* b = std::get_if<BboMsg>(&e.body)) {
      // orderBook pushes may omit a side: the side not mentioned is unchanged.
      BboMsg& s = bbo_[id];
      const auto merge = [](int64_t& state, int64_t v) {
        if (v != kNone) state = v;
        return state;
      };
      b->bid = merge(s.bid, b->bid);
      b->bid_qty = merge(s.bid_qty, b->bid_qty);
      b->ask = merge(s.ask, b->ask);
      b->ask_qty = merge(s.ask_qty, b->ask_qty);
      return true;
    }
    if (const auto* tr = std::get_if<TradeMsg>(&e.body))
      return trades_[id].admit(e.ts_exchange_us, tr->price, tr->qty, tr->side);
    if (const auto* c = std::get_if<CandleMsg>(&e.body)) {
      // REST returns a window of candles each poll; only the latest (still changing) and
      // newer ones are news.
      if (last_candle_[id] != kNone && c->open_time_us < last_candle_[id]) return false;
      last_candle_[id] = c->open_time_us;
      return true;
    }
    return true;
  }

  VenueConfig cfg_;
  bool ws_ = true;
  WsParseOptions opt_;
  CandleInterval interval_ = CandleInterval::m1;
  json::Reader reader_;
  InstrumentTable table_;
  std::vector<Slot> slots_;
  std::vector<PollPlan> plans_;
  size_t depth_polls_ = 0;
  std::vector<BboMsg> bbo_;
  std::vector<RecentTrades> trades_;
  std::vector<int64_t> last_candle_;
};

}  // namespace

std::unique_ptr<VenueFeed> make_feed(const VenueConfig& cfg) {
  return std::make_unique<NarkasaFeed>(cfg);
}

}  // namespace mdhub::narkasa
