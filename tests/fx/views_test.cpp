// The fx book and the premium view over a hand-written market: exact converted books,
// their orderings, the basis points, and each error.
#include "tests/fx/fx_fixture.hpp"

namespace mdhub::fx::test {
namespace {

/// btse BTC-USD (native), narkasa BTC-TRY (TRY -> USDT -> USD over narkasa USDT-TRY and
/// btse USDT-USD), coinbtr BTC-MXN (its only rate, coinbtr USDT-MXN, is stale), coinmotion
/// BTC-EUR (quotes only; EUR-USD a static 1.08).
class FxViewsTest : public ::testing::Test {
 protected:
  FxViewsTest() {
    FxInstrument btse = quote("btse", "BTC-USD", "0", "0", 2);
    levels(btse, {{"60000", "0.5"}, {"59990", "1"}}, {{"60010", "0.25"}});
    FxInstrument narkasa = quote("narkasa", "BTC-TRY", "0", "0", 0);
    levels(narkasa, {{"1950000", "0.25"}, {"1949000", "2"}}, {{"1952500", "0.1"}});
    FxInstrument coinbtr = quote("coinbtr", "BTC-MXN", "1030000", "1031000", 0);
    FxInstrument usdt_mxn = quote("coinbtr", "USDT-MXN", "17.10", "17.20", 2);
    usdt_mxn.served = false;
    usdt_mxn.why_not_served = "is stale";
    FxInstrument coinmotion = quote("coinmotion", "BTC-EUR", "55500.00", "55600.00", 2);
    coinmotion.book = false;
    m_ = market({btse, narkasa, coinbtr, usdt_mxn, coinmotion, quote("narkasa", "USDT-TRY", "32.50", "32.51", 2),
                 quote("btse", "USDT-USD", "1.0000", "1.0002", 4)});
    cfg_.rates = {{"EUR-USD", "1.08"}};
  }

  std::string book(const std::string& base, const std::string& q, size_t depth) {
    FxError err;
    const auto b = fx_book(m_, cfg_, static_rates(cfg_), base, q, depth, err);
    if (!b) return std::to_string(err.status) + " " + err.code + ": " + err.message;
    std::string out = "{";
    render_book_fields(out, *b);
    return out + "}";
  }
  std::string prem(const std::string& base, const std::string& q) {
    FxError err;
    const auto p = premium(m_, cfg_, static_rates(cfg_), base, q, err);
    if (!p) return std::to_string(err.status) + " " + err.code + ": " + err.message;
    std::string out = "{";
    render_premium_fields(out, *p);
    return out + "}";
  }

  FxMarket m_;
  FxConfig cfg_;
};
using fx_views = FxViewsTest;

TEST_F(fx_views, converted_book_equals_the_hand_computed_one) {
  // rate = round_half_even(1.0001 / 32.505, 12) = 0.030767574219; 1950000 x rate = 59996.769727050.
  EXPECT_EQ(book("BTC", "USD", 2),
            R"({"venue":"fx","symbol":"BTC-USD","seq":7,"ts_received":1764899999990000,"price_scale":8,"rate_scale":12,)"
            R"("bids":[["60000","0.5",{"venue":"btse","symbol":"BTC-USD","price":"60000","rate":"1"}],)"
            R"(["59996.76972705","0.25",{"venue":"narkasa","symbol":"BTC-TRY","price":"1950000","rate":"0.030767574219"}]],)"
            R"("asks":[["60010","0.25",{"venue":"btse","symbol":"BTC-USD","price":"60010","rate":"1"}],)"
            R"(["60073.68866260","0.1",{"venue":"narkasa","symbol":"BTC-TRY","price":"1952500","rate":"0.030767574219"}]],)"
            R"("venues":[{"venue":"btse","symbol":"BTC-USD","converted":false,"rate":"1","path":[]},)"
            R"({"venue":"narkasa","symbol":"BTC-TRY","converted":true,"rate":"0.030767574219","path":[)"
            R"({"from":"TRY","to":"USDT","source":"narkasa","symbol":"USDT-TRY","mid":"32.505","age_ms":10},)"
            R"({"from":"USDT","to":"USD","source":"btse","symbol":"USDT-USD","mid":"1.0001","age_ms":10}]}],)"
            R"("excluded":[{"venue":"coinbtr","symbol":"BTC-MXN","reason":"rate_stale",)"
            R"("message":"the rate MXN->USDT comes from coinbtr USDT-MXN, whose book is stale"}]})");
}

TEST_F(fx_views, seq_never_goes_back_when_a_venue_leaves) {
  FxError err;
  const uint64_t before = fx_book(m_, cfg_, static_rates(cfg_), "BTC", "USD", 50, err)->seq;
  for (auto& i : m_.instruments)
    if (i.symbol == "USDT-TRY") i.served = false, i.why_not_served = "is resynchronising";
  const auto after = fx_book(m_, cfg_, static_rates(cfg_), "BTC", "USD", 50, err);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->members.size(), 1u);  // narkasa left with its rate
  EXPECT_EQ(after->seq, before);
  for (auto& i : m_.instruments)
    if (i.symbol == "USDT-TRY") ++i.seq;  // a change of any instrument read moves it
  EXPECT_EQ(fx_book(m_, cfg_, static_rates(cfg_), "BTC", "USD", 50, err)->seq, before + 1);
}

TEST_F(fx_views, entries_tie_by_venue_then_native_price) {
  cfg_.price_scale = 0;  // whole dollars: more prices meet
  FxInstrument aaa = quote("aaa", "BTC-USD", "0", "0", 2);
  levels(aaa, {{"60000", "1"}}, {{"60010", "2"}});
  m_.instruments.push_back(aaa);
  FxError err;
  const auto b = fx_book(m_, cfg_, static_rates(cfg_), "BTC", "USD", 50, err);
  ASSERT_TRUE(b);
  std::vector<std::string> bids, asks;
  for (const auto& e : b->bids) bids.push_back(text(e.price) + " " + b->members[e.member].inst->venue);
  for (const auto& e : b->asks) asks.push_back(text(e.price) + " " + b->members[e.member].inst->venue);
  // At price scale 0: narkasa's 1950000 TRY -> 59997 and 1949000 -> 59966; 1952500 -> 60074.
  EXPECT_EQ(bids, (std::vector<std::string>{"60000 aaa", "60000 btse", "59997 narkasa", "59990 btse", "59966 narkasa"}));
  EXPECT_EQ(asks, (std::vector<std::string>{"60010 aaa", "60010 btse", "60074 narkasa"}));
  // One venue, two native prices converting to one price: the better native price first.
  levels(m_.instruments[1], {{"1950010", "1"}, {"1950000", "1"}}, {{"1952500", "1"}, {"1952510", "1"}});
  const auto c = fx_book(m_, cfg_, static_rates(cfg_), "BTC", "USD", 50, err);
  ASSERT_TRUE(c);
  std::vector<int64_t> natives;
  for (const auto& e : c->bids)
    if (c->members[e.member].inst->venue == "narkasa") natives.push_back(e.native);
  for (const auto& e : c->asks)
    if (c->members[e.member].inst->venue == "narkasa") natives.push_back(e.native);
  EXPECT_EQ(natives, (std::vector<int64_t>{1950010, 1950000, 1952500, 1952510}));  // 59997 x2, 60074 x2
}

TEST_F(fx_views, premium_rows_by_ask_bp_with_exact_basis_points) {
  EXPECT_EQ(prem("BTC", "USD"),
            R"({"base":"BTC","quote":"USD","seq":7,"ts_received":1764899999990000,"price_scale":8,"rate_scale":12,)"
            R"("best_bid":{"venue":"btse","symbol":"BTC-USD","price":"60000"},)"
            R"("best_ask":{"venue":"btse","symbol":"BTC-USD","price":"60010"},"venues":[)"
            R"({"venue":"btse","symbol":"BTC-USD","bid":"60000","ask":"60010","bid_bp":"0.00","ask_bp":"0.00",)"
            R"("converted":false,"rate":"1","rate_age_ms":null,"path":[]},)"
            R"({"venue":"coinmotion","symbol":"BTC-EUR","bid":"59940.00000000","ask":"60048.00000000","bid_bp":"10.00",)"
            R"("ask_bp":"6.33","converted":true,"rate":"1.08","rate_age_ms":null,"path":[)"
            R"({"from":"EUR","to":"USD","source":"static","symbol":"EUR-USD","mid":"1.08","age_ms":null}]},)"
            R"({"venue":"narkasa","symbol":"BTC-TRY","bid":"59996.76972705","ask":"60073.68866260","bid_bp":"0.54",)"
            R"("ask_bp":"10.61","converted":true,"rate":"0.030767574219","rate_age_ms":10,"path":[)"
            R"({"from":"TRY","to":"USDT","source":"narkasa","symbol":"USDT-TRY","mid":"32.505","age_ms":10},)"
            R"({"from":"USDT","to":"USD","source":"btse","symbol":"USDT-USD","mid":"1.0001","age_ms":10}]}],)"
            R"("excluded":[{"venue":"coinbtr","symbol":"BTC-MXN","reason":"rate_stale",)"
            R"("message":"the rate MXN->USDT comes from coinbtr USDT-MXN, whose book is stale"}]})");
}

TEST_F(fx_views, missing_sides_are_null_and_sort_last) {
  m_.instruments[0].ask = kNone;  // btse: no ask now
  FxError err;
  const auto p = premium(m_, cfg_, static_rates(cfg_), "BTC", "USD", err);
  ASSERT_TRUE(p);
  std::vector<std::string> order;
  for (const auto& r : p->rows) order.push_back(p->members[r.member].inst->venue);
  EXPECT_EQ(order, (std::vector<std::string>{"coinmotion", "narkasa", "btse"}));
  EXPECT_EQ(p->members[p->best_ask->member].inst->venue, "coinmotion");
  EXPECT_FALSE(p->rows[2].ask_bp);
  EXPECT_EQ(format(*p->rows[2].bid_bp, 2, true), "0.00");
}

TEST_F(fx_views, errors) {
  EXPECT_EQ(book("DOGE", "USD", 10), "404 unknown_symbol: no venue lists DOGE in any quote");
  EXPECT_EQ(book("BTC", "JPY", 10),
            "404 no_fx_path: no conversion of BTC into JPY: btse BTC-USD is quoted in USD and no rate leads from USD "
            "to JPY; coinbtr BTC-MXN is quoted in MXN and no rate leads from MXN to JPY; narkasa BTC-TRY is quoted in "
            "TRY and no rate leads from TRY to JPY");
  EXPECT_EQ(book("btc", "USD", 10), "400 bad_param: BASE and QUOTE must each be 2 to 12 characters of A-Z and 0-9");
  EXPECT_EQ(book("BTC", "ABCDEFGHIJKLM", 10), "400 bad_param: BASE and QUOTE must each be 2 to 12 characters of A-Z and 0-9");
  EXPECT_EQ(book("BTC", "BTC", 10), "400 bad_param: QUOTE must differ from BASE");
  // In MXN only coinbtr is native, and its book is resynchronising; the others need the stale rate.
  m_.instruments[2].served = false;
  m_.instruments[2].why_not_served = "is resynchronising";
  EXPECT_EQ(book("BTC", "MXN", 10),
            "503 book_unavailable: nothing can be served now for BTC in MXN: "
            "btse BTC-USD: the rate USDT->MXN comes from coinbtr USDT-MXN, whose book is stale; "
            "coinbtr BTC-MXN: the coinbtr BTC-MXN book is resynchronising; "
            "narkasa BTC-TRY: the rate USDT->MXN comes from coinbtr USDT-MXN, whose book is stale");
}

}  // namespace
}  // namespace mdhub::fx::test
