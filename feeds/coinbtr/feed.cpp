// coinbtr (Tauros) feed. Options: feeds/coinbtr/options.hpp.
#include "feeds/coinbtr/feed.hpp"

#include <algorithm>

#include "feeds/coinbtr/coinbtr.hpp"
#include "feeds/coinbtr/options.hpp"

namespace mdhub::coinbtr {
namespace {

std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return r;
}

VariationUnit variation_unit(const std::string& s) {
  if (s == "ratio") return VariationUnit::ratio;
  if (s == "percent") return VariationUnit::percent;
  return VariationUnit::none;
}

Millis ms_option(const VenueConfig& cfg, const OptionSpec& o, int64_t dflt) { return Millis(cfg.int_option(o, dflt)); }
Millis ms_option(const VenueConfig& cfg, const OptionSpec& o) { return Millis(cfg.int_option(o)); }

}  // namespace

CoinbtrFeed::CoinbtrFeed(const VenueConfig& cfg)
    : ws_url_(cfg.ws_url),
      book_(cfg.channel_enabled("book")),
      bbo_(cfg.channel_enabled("bbo")),
      trades_(cfg.channel_enabled("trades")),
      ticker_(cfg.channel_enabled("ticker")) {
  const bool ws = !ws_url_.empty();
  opt_.book = book_;
  opt_.bbo = bbo_;
  opt_.ticker_trades = trades_ && cfg.bool_option(opt::ticker_trades);
  opt_.variation = variation_unit(cfg.str_option(opt::variation_unit));
  opt_.rest_book_levels = static_cast<size_t>(cfg.int_option(opt::rest_book_levels));
  const std::string window = cfg.str_option(opt::book_window);
  follow_window_ = window == "auto";
  orders_window_ = window != "levels";
  rest_book_orders_ = static_cast<size_t>(cfg.int_option(opt::rest_book_orders));
  opt_.rest_book_orders = orders_window_ ? rest_book_orders_ : 0;
  ticker_every_ = ticker_ ? ms_option(cfg, opt::ticker_poll_ms) : Millis(0);
  book_every_ = book_ || bbo_ ? ms_option(cfg, opt::book_poll_ms, ws ? 0 : opt::book_poll_ms.int_default) : Millis(0);
  trades_every_ = trades_ ? ms_option(cfg, opt::trades_poll_ms, ws ? 0 : opt::trades_poll_ms.int_default) : Millis(0);
  ping_text_ = cfg.str_option(opt::ping_text);
  ping_every_ = ms_option(cfg, opt::ping_interval_ms);
  idle_timeout_ = ms_option(cfg, opt::idle_timeout_ms);
  window_ = static_cast<size_t>(cfg.int_option(opt::trade_dedup_window));
}

ParseStatus CoinbtrFeed::parse_discovery(std::string_view body, std::vector<Instrument>& out,
                                         std::string& error) {
  discovery_next_.clear();
  std::string next;
  const size_t start = out.size();
  if (parse_markets(reader_, body, out, error, &next) == ParseStatus::error) return ParseStatus::error;
  if (next.empty()) return ParseStatus::ok;
  const size_t q = next.find('?');
  const std::string_view query = q == std::string::npos ? std::string_view{} : std::string_view(next).substr(q + 1);
  const bool printable = std::all_of(query.begin(), query.end(), [](char c) {
    return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f && c != '#';
  });
  if (query.empty() || !printable) {
    out.resize(start);
    error = "markets: next page without a usable query: " + next.substr(0, 200);
    return ParseStatus::error;
  }
  discovery_next_ = "/v2/trading/markets/?" + std::string(query);
  return ParseStatus::ok;
}

void CoinbtrFeed::start(const InstrumentTable& table) {
  table_ = table;
  started_ = true;
  n_ = table.size();
  seen_.assign(n_, TradeDedup(window_));
}

std::vector<StreamPlan> CoinbtrFeed::streams() {
  std::vector<StreamPlan> plans;
  if (ws_url_.empty() || !started_) return plans;
  StreamPlan p;
  p.name = "ws";
  p.url = ws_url_;
  p.ping_text = ping_text_;
  p.ping_interval = ping_every_;
  p.idle_timeout = idle_timeout_;
  auto sub = [&](const std::string& market, std::string_view channel) {
    std::string f = R"({"action":"subscribe","market":")";
    json::escape(f, market);
    f += R"(","channel":")";
    f += channel;
    f += "\"}";
    p.subscribe.push_back(std::move(f));
  };
  for (const auto& inst : table_.all()) {
    if (book_ || bbo_) sub(inst.native, "orderbook");
    if (ticker_) sub(inst.native, "ticker");
    if (trades_) sub(inst.native, "trades");
  }
  if (!p.subscribe.empty()) plans.push_back(std::move(p));
  return plans;
}

std::vector<PollPlan> CoinbtrFeed::polls() {
  std::vector<PollPlan> plans;
  plans.push_back({"tickers", ticker_every_});
  for (size_t i = 0; i < n_; ++i) plans.push_back({"orderbook", book_every_});
  for (size_t i = 0; i < n_; ++i) plans.push_back({"trades", trades_every_});
  return plans;
}

std::string CoinbtrFeed::poll_target(size_t index) {
  if (index == 0 || index > 2 * n_) return "/v2/trading/tickers/";
  const bool book = index <= n_;
  const auto& inst = table_[static_cast<uint32_t>(book ? index - 1 : index - 1 - n_)];
  return "/v2/trading/" + lower(inst.native) + (book ? "/orderbook/" : "/trades/");
}

ParseStatus CoinbtrFeed::on_frame(size_t, FrameView frame, RecvTime t, ParseOut& out) {
  if (!started_) {
    out.error = "feed not started";
    return ParseStatus::error;
  }
  const size_t from = out.events.size(), seen = out.detected.size();
  const ParseStatus st = parse_ws_frame(reader_, frame.text, table_, opt_, t, out);
  if (st != ParseStatus::ok) return st;
  dedup(from, out);
  // A REST book (resync) must show the window the pushes show, or each push and each
  // resync would add and remove the levels only one of them covers.
  for (size_t i = seen; follow_window_ && i < out.detected.size(); ++i) {
    if (out.detected[i] == "book_top_orders") orders_window_ = true;
    if (out.detected[i] == "book_top_levels") orders_window_ = false;
  }
  opt_.rest_book_orders = orders_window_ ? rest_book_orders_ : 0;
  return st;
}

ParseStatus CoinbtrFeed::on_poll(size_t index, std::string_view body, RecvTime t, ParseOut& out) {
  if (!started_ || index > 2 * n_) {
    out.error = started_ ? "unknown poll" : "feed not started";
    return ParseStatus::error;
  }
  if (index == 0) return parse_rest_tickers(reader_, body, table_, t, out);
  if (index <= n_)
    return parse_rest_orderbook(reader_, body, table_, static_cast<uint32_t>(index - 1), opt_, t, out);
  const size_t from = out.events.size();
  const ParseStatus st =
      parse_rest_trades(reader_, body, table_, static_cast<uint32_t>(index - 1 - n_), t, out);
  if (st == ParseStatus::ok) dedup(from, out);
  return st;
}

ResyncAction CoinbtrFeed::resync(uint32_t instrument) {
  ResyncAction a;
  if (instrument < n_) a.poll = static_cast<int>(book_poll(instrument));
  return a;
}

std::string CoinbtrFeed::audit_target(uint32_t instrument) {
  if (!started_ || !book_ || ws_url_.empty() || instrument >= n_) return {};
  return poll_target(book_poll(instrument));
}

ParseStatus CoinbtrFeed::parse_audit(uint32_t instrument, std::string_view body, RecvTime t, ParseOut& out) {
  if (!started_ || instrument >= n_) return ParseStatus::ignored;
  const size_t from = out.events.size();
  const ParseStatus st = parse_rest_orderbook(reader_, body, table_, instrument, opt_, t, out);
  // Pushes and this book both end at the tenth order: where each stops is no difference.
  for (size_t i = from; st == ParseStatus::ok && i < out.events.size(); ++i)
    if (out.events[i].kind == EventKind::book) std::get<BookMsg>(out.events[i].body).top_orders = orders_window_;
  return st;
}

void CoinbtrFeed::oldest_first(size_t from, ParseOut& out) {
  auto& ev = out.events;
  std::vector<size_t> at;  // positions of the window's trades (a ticker frame leads with its ticker)
  for (size_t r = from; r < ev.size(); ++r)
    if (ev[r].kind == EventKind::trade) at.push_back(r);
  if (at.size() < 2) return;
  const auto id = [&](size_t r) { return std::get<TradeMsg>(ev[r].body).trade_id; };
  if (std::all_of(at.begin(), at.end(), [&](size_t r) { return id(r) != kNone; })) {
    // REST rows carry ids: they order the fills of one millisecond exactly.
    std::vector<Event> t;
    for (size_t r : at) t.push_back(ev[r]);
    std::stable_sort(t.begin(), t.end(), [](const Event& a, const Event& b) {
      const int64_t ia = std::get<TradeMsg>(a.body).trade_id, ib = std::get<TradeMsg>(b.body).trade_id;
      return a.ts_exchange_us != b.ts_exchange_us ? a.ts_exchange_us < b.ts_exchange_us : ia < ib;
    });
    for (size_t k = 0; k < at.size(); ++k) ev[at[k]] = t[k];
    return;
  }
  // Without ids only the window's own order tells which fill of one millisecond came first
  // (a taker sweeping several levels fills them all at once): the time sort below keeps it.
  const int64_t first = ev[at.front()].ts_exchange_us, last = ev[at.back()].ts_exchange_us;
  if (first != last) newest_first_ = first > last;
  if (!newest_first_) return;
  for (size_t i = 0, j = at.size() - 1; i < j; ++i, --j) std::swap(ev[at[i]], ev[at[j]]);
}

void CoinbtrFeed::dedup(size_t from, ParseOut& out) {
  oldest_first(from, out);
  auto& ev = out.events;
  // Equal trades inside one window are distinct fills: number them so that the k-th equal
  // trade of a later window matches the k-th of this one.
  std::vector<TradeKey> batch;
  size_t w = from;
  for (size_t r = from; r < ev.size(); ++r) {
    if (ev[r].kind == EventKind::trade) {
      const auto& tm = std::get<TradeMsg>(ev[r].body);
      TradeKey k{ev[r].ts_exchange_us / 1000, tm.price, tm.qty, tm.side, 0};
      for (const auto& b : batch)
        if (b.ms == k.ms && b.price == k.price && b.qty == k.qty && b.side == k.side) ++k.occurrence;
      batch.push_back(k);
      if (ev[r].instrument >= seen_.size() || !seen_[ev[r].instrument].insert(k)) continue;
    }
    if (w != r) ev[w] = ev[r];
    ++w;
  }
  ev.resize(w);
  // Windows list newest or oldest first; consumers want trades in time order.
  std::stable_sort(ev.begin() + static_cast<std::ptrdiff_t>(from), ev.end(),
                   [](const Event& a, const Event& b) {
                     const bool ta = a.kind == EventKind::trade, tb = b.kind == EventKind::trade;
                     if (ta != tb) return tb;
                     return ta && a.ts_exchange_us < b.ts_exchange_us;
                   });
}

std::unique_ptr<VenueFeed> make_feed(const VenueConfig& cfg) {
  return std::make_unique<CoinbtrFeed>(cfg);
}

}  // namespace mdhub::coinbtr
