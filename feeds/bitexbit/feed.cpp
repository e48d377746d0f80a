// bitexbit feed. Options: feeds/bitexbit/options.hpp.
#include "feeds/bitexbit/feed.hpp"

#include <algorithm>

#include "feeds/bitexbit/bitexbit.hpp"
#include "feeds/bitexbit/options.hpp"

namespace mdhub::bitexbit {
namespace {

Millis ms_option(const VenueConfig& cfg, const OptionSpec& o) { return Millis(cfg.int_option(o)); }
size_t size_option(const VenueConfig& cfg, const OptionSpec& o) { return static_cast<size_t>(cfg.int_option(o)); }

// Query values: unreserved characters as they are, the rest %XX.
void query_value(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
        c == '.' || c == '-' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
}

}  // namespace

BitexbitFeed::BitexbitFeed(const VenueConfig& cfg)
    : ticker_(cfg.channel_enabled("ticker")), bbo_(cfg.channel_enabled("bbo")) {
  tickers_every_ = ticker_ || bbo_ ? ms_option(cfg, opt::tickers_poll_ms) : Millis(0);
  depth_every_ = cfg.channel_enabled("book") ? ms_option(cfg, opt::depth_poll_ms) : Millis(0);
  trades_every_ = cfg.channel_enabled("trades") ? ms_option(cfg, opt::trades_poll_ms) : Millis(0);
  ohlcv_every_ = cfg.channel_enabled("candles") ? ms_option(cfg, opt::ohlcv_poll_ms) : Millis(0);
  catch_up_ = ms_option(cfg, opt::trades_catchup_ms);
  batch_ = size_option(cfg, opt::tickers_batch);
  depth_limit_ = size_option(cfg, opt::depth_limit);
  trades_limit_ = size_option(cfg, opt::trades_limit);
  backlog_max_ = size_option(cfg, opt::trades_backlog_max);
  ohlcv_history_ = size_option(cfg, opt::ohlcv_history);
  ohlcv_limit_ = size_option(cfg, opt::ohlcv_limit);
  const std::string tf = cfg.str_option(opt::ohlcv_timeframe);
  CandleInterval iv;
  if ((timeframe_interval(tf, iv) || (parse_interval(tf, iv) && !timeframe_name(iv).empty())))
    interval_ = iv;
  const std::string unit = cfg.str_option(opt::ohlcv_time_unit);
  time_unit_ = unit == "s" ? TimeUnit::seconds : unit == "ms" ? TimeUnit::millis : TimeUnit::automatic;
}

ParseStatus BitexbitFeed::parse_discovery(std::string_view body, std::vector<Instrument>& out,
                                          std::string& error) {
  return parse_pairs(reader_, body, out, error);
}

void BitexbitFeed::start(const InstrumentTable& table) {
  table_ = table;
  started_ = true;
  n_ = table.size();
  batches_ = (n_ + batch_ - 1) / batch_;
  state_.assign(n_, PerInstrument{});
}

std::vector<PollPlan> BitexbitFeed::polls() {
  std::vector<PollPlan> p;
  for (size_t b = 0; b < batches_; ++b) p.push_back({"tickers", tickers_every_});
  for (size_t i = 0; i < n_; ++i) p.push_back({"depth", depth_every_});
  for (size_t i = 0; i < n_; ++i) p.push_back({"trades", trades_every_});
  for (size_t i = 0; i < n_; ++i) p.push_back({"ohlcv", ohlcv_every_});
  return p;
}

BitexbitFeed::Kind BitexbitFeed::kind(size_t index, uint32_t& instrument) const {
  if (index < batches_) {
    instrument = static_cast<uint32_t>(index * batch_);
    return Kind::tickers;
  }
  index -= batches_;
  if (index >= 3 * n_) return Kind::none;
  instrument = static_cast<uint32_t>(index % n_);
  return index < n_ ? Kind::depth : index < 2 * n_ ? Kind::trades : Kind::ohlcv;
}

std::string BitexbitFeed::poll_target(size_t index) {
  uint32_t i = 0;
  const Kind k = kind(index, i);
  std::string t;
  switch (k) {
    case Kind::tickers:
      t = "/tickers?symbols=";
      for (size_t j = i; j < std::min(n_, i + batch_); ++j) {
        if (j != i) t += ',';
        query_value(t, table_[static_cast<uint32_t>(j)].native);
      }
      return t;
    case Kind::depth:
      t = "/depth?symbol=";
      query_value(t, table_[i].native);
      return t + "&limit=" + std::to_string(depth_limit_);
    case Kind::trades:
      t = "/trades?symbol=";
      query_value(t, table_[i].native);
      if (state_[i].cursor != kNone) t += "&since_id=" + std::to_string(state_[i].cursor);
      if (state_[i].gap_top != kNone) t += "&until_id=" + std::to_string(state_[i].gap_top);
      return t + "&limit=" + std::to_string(trades_limit_);
    case Kind::ohlcv:
      t = "/ohlcv?symbol=";
      query_value(t, table_[i].native);
      t += "&timeframe=";
      t += timeframe_name(interval_);
      return t + "&limit=" + std::to_string(state_[i].ohlcv_started ? ohlcv_limit_ : ohlcv_history_);
    case Kind::none: break;
  }
  return "/pairs";
}

ParseStatus BitexbitFeed::on_frame(size_t, FrameView, RecvTime, ParseOut&) {
  return ParseStatus::ignored;  // no websocket
}

ParseStatus BitexbitFeed::on_poll(size_t index, std::string_view body, RecvTime t, ParseOut& out) {
  uint32_t i = 0;
  const Kind k = started_ ? kind(index, i) : Kind::none;
  switch (k) {
    case Kind::tickers:
      return parse_tickers(reader_, body, table_, ticker_, bbo_, t, out);
    case Kind::depth:
      return parse_depth(reader_, body, table_, i, t, out);
    case Kind::trades:
      return on_trades(i, body, t, out);
    case Kind::ohlcv: {
      const ParseStatus s = parse_ohlcv(reader_, body, table_, i, interval_, time_unit_, t, out);
      if (s == ParseStatus::ok) state_[i].ohlcv_started = true;
      return s;
    }
    case Kind::none: break;
  }
  out.error = started_ ? "unknown poll" : "feed not started";
  return ParseStatus::error;
}

// The docs show pages newest first and call since_id the minimal id returned (inclusive);
// pages oldest first or with an exclusive since_id are handled the same way: rows at or
// below the cursor are dropped, each id is published once, in id order.
ParseStatus BitexbitFeed::on_trades(uint32_t i, std::string_view body, RecvTime t, ParseOut& out) {
  auto& st = state_[i];
  TradesPage page;
  const size_t begin = out.events.size();
  const ParseStatus s = parse_trades(reader_, body, table_, i, st.cursor, t, out, page);
  if (s != ParseStatus::ok) return s;
  note_trades_variant(st, page, out);
  auto id_of = [](const Event& e) { return std::get<TradeMsg>(e.body).trade_id; };
  const auto first_new = out.events.begin() + static_cast<std::ptrdiff_t>(begin);
  const bool full = page.rows >= trades_limit_;
  if (st.gap_top == kNone) {
    // A full page that does not reach back to the cursor may have trades behind it: below it
    // when newest first (or when the order is not known yet: the walk then finds nothing).
    const bool backlog = full && st.cursor != kNone && !page.saw_after && first_new != out.events.end() &&
                         trades_order_ <= 0;
    if (!backlog) {
      if (page.max_id != kNone && (st.cursor == kNone || page.max_id > st.cursor)) st.cursor = page.max_id;
      st.catch_up = full;
      return ParseStatus::ok;
    }
    st.held.assign(first_new, out.events.end());
    out.events.erase(first_new, out.events.end());
    st.gap_top = id_of(st.held.front());
    st.catch_up = true;
    return ParseStatus::ok;
  }
  // A page of the walk: rows at or above the gap's top are held already.
  const auto older_end = std::partition_point(first_new, out.events.end(),
                                              [&](const Event& e) { return id_of(e) < st.gap_top; });
  const bool progress = older_end != first_new;
  st.held.insert(st.held.begin(), first_new, older_end);
  out.events.erase(first_new, out.events.end());
  const bool reached = !full || page.saw_after;
  if (!reached && progress && st.held.size() < backlog_max_) {
    st.gap_top = id_of(st.held.front());
    st.catch_up = true;
    return ParseStatus::ok;
  }
  // Reached the cursor, or cannot: a page of rows all already held, or too many held.
  if (!reached) out.detected.push_back("trades_backlog_cut");
  out.events.insert(out.events.end(), st.held.begin(), st.held.end());
  st.cursor = std::max(st.cursor, id_of(st.held.back()));
  st.held.clear();
  st.gap_top = kNone;
  st.catch_up = true;  // trades may have arrived above the held ones meanwhile
  return ParseStatus::ok;
}

void BitexbitFeed::note_trades_variant(const PerInstrument& st, const TradesPage& page, ParseOut& out) {
  if (const int order = page.order(); order != 0) {
    trades_order_ = order;
    out.detected.push_back(order < 0 ? "trades_newest_first" : "trades_oldest_first");
  }
  if (st.cursor == kNone) return;
  // More new trades than one page holds came since the last poll (a walk's pages aside).
  if (st.gap_top == kNone && page.rows >= trades_limit_ && page.max_id > st.cursor)
    out.detected.push_back("trades_page_full");
  if (page.saw_after) {
    out.detected.push_back("trades_since_inclusive");
  } else if (page.rows > 0 && page.rows < trades_limit_ && page.min_id > st.cursor) {
    // Not full, so the page is the whole asked range, and the cursor's row is not in it.
    out.detected.push_back("trades_since_exclusive");
  }
}

std::optional<Millis> BitexbitFeed::next_poll_in(size_t index) {
  uint32_t i = 0;
  if (kind(index, i) != Kind::trades || !state_[i].catch_up) return std::nullopt;
  state_[i].catch_up = false;
  return catch_up_;
}

ResyncAction BitexbitFeed::resync(uint32_t instrument) {
  ResyncAction a;
  if (instrument < n_) a.poll = static_cast<int>(depth_poll(instrument));
  return a;
}

std::unique_ptr<VenueFeed> make_feed(const VenueConfig& cfg) {
  return std::make_unique<BitexbitFeed>(cfg);
}

}  // namespace mdhub::bitexbit
