// Book audits: the comparison of a book's top with a REST snapshot (audit_diff), and the
// engine's verdicts (pass, mismatch, fail with a resync, skipped).
#include "tests/engine/fixture.hpp"

namespace mdhub::test {
namespace {

using Strings = std::vector<std::string>;
using Ids = std::vector<uint32_t>;

Book book_of(std::initializer_list<LevelUpdate> levels) {
  Book b;
  const std::vector<LevelUpdate> v(levels);
  EXPECT_EQ(b.reset(v, 1), BookError::none);
  return b;
}

std::vector<LevelUpdate> ladder(Side side, int64_t best, int64_t step, size_t n, int64_t qty = 5) {
  std::vector<LevelUpdate> out;
  for (size_t i = 0; i < n; ++i) out.push_back({side, best + step * static_cast<int64_t>(i), qty});
  return out;
}

TEST(audit_diff, EqualTopsHaveNoDriftWhateverTheSnapshotOrder) {
  const Book b = book_of({{Side::bid, 100, 1}, {Side::bid, 99, 2}, {Side::ask, 101, 3}, {Side::ask, 103, 4}});
  // Asks highest first, a duplicated price (the later wins), a zero size (no level).
  const std::vector<LevelUpdate> snap = {{Side::ask, 103, 4}, {Side::ask, 101, 9}, {Side::ask, 101, 3},
                                         {Side::bid, 99, 2},  {Side::bid, 98, 0},  {Side::bid, 100, 1}};
  EXPECT_EQ(audit_diff(b, snap, 10).size(), 0u);
}

TEST(audit_diff, CountsEachPriceThatDiffers) {
  const Book b = book_of({{Side::bid, 100, 1}, {Side::bid, 99, 2}, {Side::ask, 101, 3}, {Side::ask, 103, 4}});
  // A wrong size, a level the book lacks, and a level only the book has.
  const std::vector<LevelUpdate> snap = {{Side::bid, 100, 2}, {Side::bid, 99, 2}, {Side::bid, 98, 7},
                                         {Side::ask, 101, 3}};
  EXPECT_EQ(audit_diff(b, snap, 10), (std::vector<AuditDiff>{{Side::bid, 98, 0, 7},
                                                             {Side::bid, 100, 1, 2},
                                                             {Side::ask, 103, 4, 0}}));
  EXPECT_EQ(audit_diff(b, {}, 10).size(), 4u);  // an empty REST book against a full one
}

TEST(audit_diff, ComparesOnlyTheTopAndNotPastEitherCut) {
  // Ten bids 100..91 in the book; the venue's REST shows 100..89 (deeper) with level 95 wrong
  // and level 90 (beyond the compared top) wrong as well.
  std::vector<LevelUpdate> mine = ladder(Side::bid, 100, -1, 12);
  mine.push_back({Side::ask, 101, 1});
  Book b;
  ASSERT_EQ(b.reset(mine, 1), BookError::none);
  std::vector<LevelUpdate> snap = ladder(Side::bid, 100, -1, 12);
  snap[5].qty = 6;   // price 95: inside the top 10
  snap[10].qty = 6;  // price 90: the 11th level
  snap.push_back({Side::ask, 101, 1});
  EXPECT_EQ(audit_diff(b, snap, 10).size(), 1u);
  // A REST answer cut at 3 levels says nothing about the book's 4th.
  const std::vector<LevelUpdate> short_snap = {{Side::bid, 100, 5}, {Side::bid, 99, 5}, {Side::bid, 98, 5},
                                               {Side::ask, 101, 1}};
  EXPECT_EQ(audit_diff(b, short_snap, 3).size(), 0u);
  // But a side that ends before the depth is the whole side: the book's extra levels differ.
  EXPECT_EQ(audit_diff(b, short_snap, 10).size(), 7u);
}

TEST(audit_diff, TopOrdersCompareOnlyPricesBetterThanEitherSidesLast) {
  // Ten orders a side: the book (last push) ends at 95, whose second order lies past the
  // window; the REST book, taken after level 98 went, reaches 94 and shows all of 95.
  const Book b = book_of({{Side::bid, 100, 4}, {Side::bid, 98, 3}, {Side::bid, 97, 2}, {Side::bid, 95, 1},
                          {Side::ask, 101, 6}, {Side::ask, 102, 5}});
  const std::vector<LevelUpdate> snap = {{Side::bid, 100, 4}, {Side::bid, 97, 2}, {Side::bid, 95, 3},
                                         {Side::bid, 94, 8}, {Side::ask, 101, 6}, {Side::ask, 102, 5}};
  // Only 98, missing from the REST book, is a difference: 95 and 94 lie at or past the edge.
  EXPECT_EQ(audit_diff(b, snap, 10, true), (std::vector<AuditDiff>{{Side::bid, 98, 3, 0}}));
  // Read as whole levels (fewer than ten: whole sides), the edge would differ as well.
  EXPECT_EQ(audit_diff(b, snap, 10, false), (std::vector<AuditDiff>{{Side::bid, 94, 0, 8},
                                                                    {Side::bid, 95, 1, 3},
                                                                    {Side::bid, 98, 3, 0}}));
  // An empty side is the whole side: the other's levels better than its last differ.
  const std::vector<LevelUpdate> no_asks = {{Side::bid, 100, 4}, {Side::bid, 98, 3}, {Side::bid, 97, 2},
                                            {Side::bid, 95, 1}};
  EXPECT_EQ(audit_diff(b, no_asks, 10, true), (std::vector<AuditDiff>{{Side::ask, 101, 6, 0}}));
}

class audit : public EngineTest {
 protected:
  // A REST snapshot of BTC-USDT on btse, as parse_audit gives it (a replace).
  ParseOut rest(std::initializer_list<Lv> levels) const { return at(kBtse, 0).replace(kBtc, levels).out; }
  Ids run(const ParseOut& snap, int64_t mono_ns) {
    Ids resync;
    engine_.on_audit(kBtse, kBtc, snap, RecvTime{kWallBase + mono_ns, mono_ns}, resync);
    return resync;
  }
  const InstrumentState& btc() const { return st("btse", "BTC-USDT"); }
  std::array<uint64_t, kAuditResults> counts(uint64_t pass, uint64_t mismatch, uint64_t fail, uint64_t skipped) {
    return {pass, mismatch, fail, skipped};
  }
};

TEST_F(audit, AMismatchIsBelievedOnlyWhenTheNextAuditFindsOneAgain) {
  EXPECT_EQ(run(rest({bid("100.0", "1"), ask("101.0", "2")}), 1 * kSec), Ids{});
  EXPECT_EQ(btc().last_audit, AuditResult::skipped);  // no book yet
  EXPECT_TRUE(btc().audited);

  send(kBtse, at(kBtse, 2 * kSec).snapshot(kBtc, 10, {bid("100.0", "1"), bid("99.0", "3"), ask("101.0", "2")}));
  EXPECT_EQ(run(rest({bid("100.0", "1"), bid("99.0", "3"), ask("101.0", "2")}), 3 * kSec), Ids{});
  EXPECT_EQ(btc().last_audit, AuditResult::pass);
  EXPECT_EQ(btc().last_audit_drift, 0u);
  EXPECT_EQ(btc().last_audit_wall_us, (kWallBase + 3 * kSec) / 1000);

  // The book drifted (99.0 holds 4, the venue 3): first a mismatch, and a pass in between
  // forgives it (an update in flight) ...
  send(kBtse, at(kBtse, 4 * kSec).delta(kBtc, 11, 10, {bid("99.0", "4")}));
  EXPECT_EQ(run(rest({bid("100.0", "1"), bid("99.0", "3"), ask("101.0", "2")}), 5 * kSec), Ids{});
  EXPECT_EQ(btc().last_audit, AuditResult::mismatch);
  EXPECT_EQ(btc().last_audit_drift, 1u);
  EXPECT_EQ(run(rest({bid("100.0", "1"), bid("99.0", "4"), ask("101.0", "2")}), 6 * kSec), Ids{});
  EXPECT_EQ(btc().last_audit, AuditResult::pass);
  EXPECT_EQ(run(rest({bid("100.0", "1"), bid("99.0", "3"), ask("101.0", "2")}), 7 * kSec), Ids{});
  EXPECT_EQ(btc().last_audit, AuditResult::mismatch);
  EXPECT_TRUE(btc().in_sync);
  EXPECT_TRUE(rec_.lost.empty());

  // ... but two in a row fail it: the book is dropped and resynchronised.
  const uint64_t resyncs = btc().resyncs;
  EXPECT_EQ(run(rest({bid("100.0", "1"), bid("99.0", "3"), bid("98.0", "1"), ask("101.0", "2")}), 8 * kSec),
            Ids{kBtc});
  EXPECT_EQ(btc().last_audit, AuditResult::fail);
  EXPECT_EQ(btc().last_audit_drift, 2u);
  EXPECT_FALSE(btc().in_sync);
  EXPECT_EQ(btc().resyncs, resyncs + 1);
  EXPECT_EQ(btc().gaps, 0u);  // not a sequence problem
  EXPECT_EQ(btc().resync_requested_mono_ns, 8 * kSec);
  EXPECT_EQ(rec_.lost, Strings{"btse/BTC-USDT"});
  EXPECT_EQ(btc().audits, counts(2, 2, 1, 1));

  // While resynchronising there is nothing to compare; the fresh book starts with a clean slate.
  EXPECT_EQ(run(rest({bid("100.0", "1"), ask("101.0", "2")}), 9 * kSec), Ids{});
  EXPECT_EQ(btc().last_audit, AuditResult::skipped);
  send(kBtse, at(kBtse, 10 * kSec).snapshot(kBtc, 20, {bid("100.0", "1"), ask("101.0", "2")}));
  EXPECT_EQ(run(rest({bid("100.0", "1"), ask("101.0", "3")}), 11 * kSec), Ids{});
  EXPECT_EQ(btc().last_audit, AuditResult::mismatch);
  EXPECT_EQ(btc().audits, counts(2, 3, 1, 2));
}

TEST_F(audit, DifferencesThatKeepChangingAreUpdatesInFlight) {
  send(kBtse, at(kBtse, 1 * kSec).snapshot(kBtc, 10, {bid("100.0", "1"), bid("99.0", "4"), ask("101.0", "2")}));
  // The venue's 99.0 moves on between audits while the stream lags: never the same difference.
  for (const char* theirs : {"3", "5", "6", "3"}) {
    EXPECT_EQ(run(rest({bid("100.0", "1"), bid("99.0", theirs), ask("101.0", "2")}), 2 * kSec), Ids{});
    EXPECT_EQ(btc().last_audit, AuditResult::mismatch) << theirs;
  }
  // The same difference twice in a row is the book's own, even beside a new one.
  EXPECT_EQ(run(rest({bid("100.0", "1"), bid("99.0", "3"), ask("101.0", "9")}), 3 * kSec), Ids{kBtc});
  EXPECT_EQ(btc().last_audit, AuditResult::fail);
  EXPECT_EQ(btc().audits, counts(0, 4, 1, 0));
}

TEST_F(audit, ASnapshotWithoutABookOfTheInstrumentIsSkipped) {
  send(kBtse, at(kBtse, 1 * kSec).snapshot(kBtc, 10, {bid("100.0", "1"), ask("101.0", "2")}));
  ParseOut other = at(kBtse, 0).replace(kEth, {bid("10.00", "1")}).out;  // another instrument's
  EXPECT_EQ(run(other, 2 * kSec), Ids{});
  EXPECT_EQ(btc().last_audit, AuditResult::skipped);
  EXPECT_EQ(run(ParseOut{}, 3 * kSec), Ids{});
  EXPECT_EQ(btc().audits, counts(0, 0, 0, 2));
  // A feed index or instrument never registered is ignored.
  Ids resync;
  engine_.on_audit(99, 0, other, RecvTime{}, resync);
  engine_.on_audit(kBtse, 99, other, RecvTime{}, resync);
  EXPECT_TRUE(resync.empty());
}

}  // namespace
}  // namespace mdhub::test
