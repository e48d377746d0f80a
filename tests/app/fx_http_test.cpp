// The cross-currency endpoints in-process: an Engine fed by hand, the fx book and premium
// view over HTTP equal to hand-computed answers, and each error reply.
#include <deque>

#include "book/decimal.hpp"
#include "src/metrics/fx_metrics.hpp"
#include "src/publish/fx_http.hpp"
#include "tests/net/net_fixture.hpp"

namespace mdhub {
namespace {

using net::test::HttpClient;
using net::test::ServerHarness;
namespace http = net::test::http;
using Answer = std::pair<unsigned, std::string>;

constexpr int64_t kNowUs = 1'764'900'000'000'000;

Instrument inst(std::string venue, std::string symbol, int price_scale) {
  Instrument i;
  i.venue = std::move(venue);
  i.base = symbol.substr(0, symbol.find('-'));
  i.quote = symbol.substr(symbol.find('-') + 1);
  i.native = symbol;
  i.symbol = std::move(symbol);
  i.price_scale = price_scale;
  i.qty_scale = 4;
  return i;
}

/// btse: BTC-USD (0), USDT-USD (1); narkasa: BTC-TRY (0), USDT-TRY (1); coinmotion (quotes
/// only): BTC-EUR (0). Static EUR-USD = 1.08. Every message is received 10 ms before now.
class FxHttp : public ::testing::Test {
 protected:
  FxHttp() {
    VenueCapabilities quotes;
    quotes.book = false;
    quotes.trades = false;
    quotes.venue_candles = 0;
    add("btse", {}, {inst("btse", "BTC-USD", 2), inst("btse", "USDT-USD", 4)});
    add("narkasa", {}, {inst("narkasa", "BTC-TRY", 0), inst("narkasa", "USDT-TRY", 2)});
    add("coinmotion", quotes, {inst("coinmotion", "BTC-EUR", 2)});
    cfg_.rates = {{"EUR-USD", "1.08"}};
    book(0, 0, {{"60000", "0.5"}, {"59990", "1"}}, {{"60010", "0.25"}});
    book(0, 1, {{"1.0000", "100"}}, {{"1.0002", "100"}});
    book(1, 0, {{"1950000", "0.25"}, {"1949000", "2"}}, {{"1952500", "0.1"}});
    book(1, 1, {{"32.50", "100"}}, {{"32.51", "100"}});
    BboMsg q;
    q.bid = 5550000;
    q.bid_qty = 10000;
    q.ask = 5560000;
    q.ask_qty = 10000;
    Event e;
    e.kind = EventKind::bbo;
    e.instrument = 0;
    e.recv = {(kNowUs - 10'000) * 1000, 1};
    e.body = q;
    ParseOut out;
    out.events.push_back(e);
    std::vector<uint32_t> resync;
    engine_.on_events(2, out, resync);
  }

  void add(const std::string& venue, VenueCapabilities caps, std::vector<Instrument> list) {
    const size_t feed = tables_.size();
    engine_.add_feed(venue, {}, caps);
    InstrumentTable& t = tables_.emplace_back();
    for (auto& i : list) t.add(std::move(i));
    engine_.on_instruments(feed, t);
  }

  /// A full book (snapshot) of instrument `id` of `feed`: "price qty" levels, best first.
  void book(size_t feed, uint32_t id, std::vector<std::pair<std::string, std::string>> bids,
            std::vector<std::pair<std::string, std::string>> asks) {
    const Instrument& i = tables_[feed][id];
    ParseOut out;
    for (auto& [p, q] : bids)
      out.levels.push_back({Side::bid, *parse_decimal(p, i.price_scale), *parse_decimal(q, i.qty_scale)});
    for (auto& [p, q] : asks)
      out.levels.push_back({Side::ask, *parse_decimal(p, i.price_scale), *parse_decimal(q, i.qty_scale)});
    BookMsg m;
    m.type = BookMsg::Type::snapshot;
    m.seq = ++venue_seq_;
    m.level_count = static_cast<uint32_t>(out.levels.size());
    Event e;
    e.kind = EventKind::book;
    e.instrument = id;
    e.recv = {(kNowUs - 10'000) * 1000, 1};
    e.body = m;
    out.events.push_back(e);
    std::vector<uint32_t> resync;
    engine_.on_events(feed, out, resync);
  }

  Answer get(const std::string& target) {
    if (!server_) {
      server_ = std::make_unique<ServerHarness>(net::ServerOptions{}, [this](net::Server& s) {
        install_fx_http_api(s, engine_, cfg_, stats_, [this] { return now_us_.load(); });
      });
      client_ = std::make_unique<HttpClient>(server_->port());
    }
    auto res = client_->request(http::verb::get, target);
    return {res.result_int(), res.body()};
  }

  uint64_t excluded(std::string_view reason) const {
    const auto k = static_cast<size_t>(std::find(kFxReasons.begin(), kFxReasons.end(), reason) - kFxReasons.begin());
    return stats_.excluded_count[k].load();
  }

  Engine engine_;
  fx::FxConfig cfg_;
  FxStats stats_;
  std::atomic<int64_t> now_us_{kNowUs};
  std::deque<InstrumentTable> tables_;
  uint64_t venue_seq_ = 0;
  std::unique_ptr<ServerHarness> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(FxHttp, BookInUsdEqualsTheHandComputedOne) {
  // TRY -> USDT -> USD: round_half_even(1.0001 / 32.505, 12) = 0.030767574219, and
  // 1950000 x that = 59996.769727050 -> 59996.76972705; 1952500 -> 60073.68866260.
  EXPECT_EQ(get("/api/v1/book/fx/BTC-USD?depth=2"),
            Answer(200, R"({"venue":"fx","symbol":"BTC-USD","seq":5,"ts_received":1764899999990000,"price_scale":8,)"
                        R"("rate_scale":12,"bids":[["60000","0.5",{"venue":"btse","symbol":"BTC-USD","price":"60000","rate":"1"}],)"
                        R"(["59996.76972705","0.25",{"venue":"narkasa","symbol":"BTC-TRY","price":"1950000","rate":"0.030767574219"}]],)"
                        R"("asks":[["60010","0.25",{"venue":"btse","symbol":"BTC-USD","price":"60010","rate":"1"}],)"
                        R"(["60073.68866260","0.1",{"venue":"narkasa","symbol":"BTC-TRY","price":"1952500","rate":"0.030767574219"}]],)"
                        R"("venues":[{"venue":"btse","symbol":"BTC-USD","converted":false,"rate":"1","path":[]},)"
                        R"({"venue":"narkasa","symbol":"BTC-TRY","converted":true,"rate":"0.030767574219","path":[)"
                        R"({"from":"TRY","to":"USDT","source":"narkasa","symbol":"USDT-TRY","mid":"32.505","age_ms":10},)"
                        R"({"from":"USDT","to":"USD","source":"btse","symbol":"USDT-USD","mid":"1.0001","age_ms":10}]}],)"
                        R"("excluded":[]})"));
  // A rate change re-prices: USDT-TRY mid 32.605 -> rate 0.030673209630; the ask 1952500 -> 59889.441802575
  // (a tie at 8 decimals: to even, 59889.44180258), now the best ask.
  book(1, 1, {{"32.60", "100"}}, {{"32.61", "100"}});
  const std::string body = get("/api/v1/book/fx/BTC-USD?depth=2").second;
  EXPECT_NE(body.find(R"("asks":[["59889.44180258","0.1",{"venue":"narkasa","symbol":"BTC-TRY","price":"1952500","rate":"0.03067320963"}])"),
            std::string::npos) << body;
  EXPECT_NE(body.find(R"("seq":6,)"), std::string::npos) << body;  // one book change more
  EXPECT_EQ(stats_.published_count[0].load(), 2u);
}

TEST_F(FxHttp, PremiumShowsQuoteOnlyVenuesAndTheBestOnes) {
  const auto [status, body] = get("/api/v1/premium/BTC?quote=USD");
  EXPECT_EQ(status, 200u) << body;
  EXPECT_EQ(body.rfind(R"({"base":"BTC","quote":"USD","seq":5,"ts_received":1764899999990000,"price_scale":8,"rate_scale":12,)"
                       R"("best_bid":{"venue":"btse","symbol":"BTC-USD","price":"60000"},)"
                       R"("best_ask":{"venue":"btse","symbol":"BTC-USD","price":"60010"},"venues":[)"
                       R"({"venue":"btse","symbol":"BTC-USD","bid":"60000","ask":"60010","bid_bp":"0.00","ask_bp":"0.00",)"
                       R"("converted":false,"rate":"1","rate_age_ms":null,"path":[]},)"
                       R"({"venue":"coinmotion","symbol":"BTC-EUR","bid":"59940.00000000","ask":"60048.00000000",)"
                       R"("bid_bp":"10.00","ask_bp":"6.33","converted":true,"rate":"1.08","rate_age_ms":null,)",
                       0),
            0u)
      << body;
  EXPECT_NE(body.find(R"({"venue":"narkasa","symbol":"BTC-TRY","bid":"59996.76972705","ask":"60073.68866260",)"
                      R"("bid_bp":"0.54","ask_bp":"10.61","converted":true,"rate":"0.030767574219","rate_age_ms":10,)"),
            std::string::npos) << body;
}

TEST_F(FxHttp, ErrorReplies) {
  EXPECT_EQ(get("/api/v1/book/fx/DOGE-USD"),
            Answer(404, R"({"error":{"code":"unknown_symbol","message":"no venue lists DOGE in any quote"}})"));
  EXPECT_EQ(get("/api/v1/book/fx/BTC-JPY"),
            Answer(404, R"({"error":{"code":"no_fx_path","message":"no conversion of BTC into JPY: btse BTC-USD is quoted )"
                        R"(in USD and no rate leads from USD to JPY; narkasa BTC-TRY is quoted in TRY and no rate leads )"
                        R"(from TRY to JPY"}})"));
  const std::string bad = R"({"error":{"code":"bad_param","message":"BASE and QUOTE must each be 2 to 12 characters of A-Z and 0-9"}})";
  EXPECT_EQ(get("/api/v1/book/fx/BTC-usd"), Answer(400, bad));
  EXPECT_EQ(get("/api/v1/book/fx/BTC-U$D"), Answer(400, bad));
  EXPECT_EQ(get("/api/v1/book/fx/BTCUSD"),
            Answer(400, R"({"error":{"code":"bad_param","message":"use /api/v1/book/fx/{BASE}-{QUOTE}, e.g. /api/v1/book/fx/BTC-USD"}})"));
  EXPECT_EQ(get("/api/v1/book/fx/BTC-USD?depth=0"),
            Answer(400, R"({"error":{"code":"bad_param","message":"depth must be an integer from 1 to 5000"}})"));
  EXPECT_EQ(get("/api/v1/premium/BTC"),
            Answer(400, R"({"error":{"code":"bad_param","message":"quote is required: /api/v1/premium/{BASE}?quote=QUOTE"}})"));
  EXPECT_EQ(get("/api/v1/premium/BTC?quote=usd"), Answer(400, bad));
  EXPECT_EQ(get("/api/v1/premium/DOGE?quote=USD"),
            Answer(404, R"({"error":{"code":"unknown_symbol","message":"no venue lists DOGE in any quote"}})"));
  // In TRY: narkasa's book lost, and a minute later every venue rate is too old.
  engine_.on_stream_down(1, 0);
  now_us_ = kNowUs + 60'000'000;
  EXPECT_EQ(get("/api/v1/book/fx/BTC-TRY"),
            Answer(503, R"({"error":{"code":"book_unavailable","message":"nothing can be served now for BTC in TRY: )"
                        R"(btse BTC-USD: the rate USD->USDT comes from btse USDT-USD, whose last message is 60010 ms old )"
                        R"((max_age_ms 60000); narkasa BTC-TRY: the narkasa BTC-TRY book is resynchronising"}})"));
  EXPECT_EQ(excluded("rate_too_old"), 1u);
  EXPECT_EQ(excluded("book_unavailable"), 1u);
  std::string text;
  append_fx_metrics(text, stats_);
  EXPECT_NE(text.find("mdhub_fx_excluded_total{reason=\"rate_too_old\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("mdhub_fx_excluded_total{reason=\"no_fx_path\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("mdhub_fx_published_total{kind=\"http_book\"} 0\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace mdhub
