// Sequenced books (snapshot, then deltas with seq/prev_seq, as BTSE sends them): validation,
// per-instrument loss and resync, the retry of a lost resync, and stream loss.
#include "tests/engine/fixture.hpp"

namespace mdhub::test {
namespace {

using Strings = std::vector<std::string>;
using Ids = std::vector<uint32_t>;

TEST_F(engine, InstrumentsAreRegisteredOncePerVenueAndSymbol) {
  EXPECT_EQ(rec_.added, (Strings{"btse/BTC-USDT", "btse/ETH-USDT", "narkasa/BTC-USDT",
                                 "narkasa/BTC-TRY", "coinmotion/BTC-EUR"}));
  const InstrumentState& btc = st("btse", "BTC-USDT");
  EXPECT_EQ(btc.feed, kBtse);
  EXPECT_EQ(btc.id, kBtc);
  EXPECT_EQ(btc.info.venue, "btse");
  EXPECT_EQ(btc.info.price_scale, 1);
  EXPECT_EQ(btc.info.qty_scale, 6);
  EXPECT_FALSE(btc.in_sync);
  EXPECT_EQ(engine_.find("btse", "BTC-TRY"), nullptr);
  EXPECT_EQ(engine_.find("btse", "BTCUSDT"), nullptr);  // native names are not keys

  // One consolidated book per canonical symbol; venue slots in discovery order.
  EXPECT_EQ(engine_.consolidated().size(), 4u);
  EXPECT_EQ(cons("BTC-USDT").members, (Ids{0, 2}));
  EXPECT_EQ(btc.consolidated_member, 0u);
  EXPECT_EQ(st("narkasa", "BTC-USDT").consolidated_member, 1u);
  EXPECT_EQ(engine_.find_consolidated("BTC-MXN"), nullptr);

  // Rediscovery after a feed restart keeps the instrument, its book and its history.
  send(kBtse, at(kBtse, 10 * kSec).snapshot(kBtc, 100, {bid("100.0", "1")}));
  rec_.clear();
  engine_.on_instruments(kBtse, table(kBtse));
  EXPECT_TRUE(rec_.added.empty());
  EXPECT_EQ(&st("btse", "BTC-USDT"), &btc);
  EXPECT_EQ(side_of(btc, Side::bid), Strings{"100 1"});
  EXPECT_EQ(engine_.instruments().size(), 5u);
}

TEST_F(engine, SnapshotThenDeltasApply) {
  EXPECT_EQ(send(kBtse, at(kBtse, 10 * kSec)
                            .exchange_ts(1'700'000'009'500'000)
                            .snapshot(kBtc, 100, {bid("100.0", "2"), bid("99.9", "1"), ask("100.1", "0.5"),
                                                  ask("100.2", "3")})),
            Ids{});
  const InstrumentState& s = st("btse", "BTC-USDT");
  EXPECT_TRUE(s.in_sync);
  EXPECT_TRUE(s.sequenced);
  EXPECT_TRUE(s.has_book);
  EXPECT_EQ(s.book.seq(), 100u);
  EXPECT_EQ(side_of(s, Side::bid), (Strings{"100 2", "99.9 1"}));
  EXPECT_EQ(side_of(s, Side::ask), (Strings{"100.1 0.5", "100.2 3"}));
  EXPECT_EQ(s.book_ts_exchange_us, 1'700'000'009'500'000);
  EXPECT_EQ(s.book_ts_received_us, 1'700'000'010'000'000);
  ASSERT_EQ(rec_.books.size(), 1u);
  EXPECT_EQ(rec_.books[0].key, "btse/BTC-USDT");
  EXPECT_TRUE(rec_.books[0].snapshot);
  EXPECT_TRUE(rec_.books[0].changes.empty());
  EXPECT_EQ(rec_.books[0].book_seq, 1u);
  EXPECT_EQ(rec_.bbos, Strings{"btse/BTC-USDT"});

  EXPECT_EQ(send(kBtse, at(kBtse, 10 * kSec + kSec / 2)
                            .exchange_ts(1'700'000'010'400'000)
                            .delta(kBtc, 101, 100, {bid("100.0", "2.5"), ask("100.1", "0"), ask("100.3", "0.1")})),
            Ids{});
  ASSERT_EQ(rec_.books.size(), 2u);
  EXPECT_FALSE(rec_.books[1].snapshot);
  EXPECT_EQ(rec_.books[1].changes, (Strings{"bid 100 2.5", "ask 100.1 0", "ask 100.3 0.1"}));
  EXPECT_EQ(rec_.books[1].book_seq, 2u);
  EXPECT_EQ(side_of(s, Side::bid), (Strings{"100 2.5", "99.9 1"}));
  EXPECT_EQ(side_of(s, Side::ask), (Strings{"100.2 3", "100.3 0.1"}));
  EXPECT_EQ(s.book.seq(), 101u);
  EXPECT_EQ(s.book_ts_exchange_us, 1'700'000'010'400'000);
  EXPECT_EQ(s.book_ts_received_us, 1'700'000'010'500'000);
  const BboMsg b = s.bbo();
  EXPECT_EQ(b.bid, 1000);
  EXPECT_EQ(b.bid_qty, 2'500'000);
  EXPECT_EQ(b.ask, 1002);
  EXPECT_EQ(b.ask_qty, 3'000'000);
  EXPECT_EQ(rec_.bbos.size(), 2u);
  EXPECT_EQ(s.last_publish_seq, 2u);
  EXPECT_EQ(engine_.publish_seq(), 2u);
  EXPECT_EQ(s.gaps + s.resyncs + s.book_errors + s.dropped_out_of_sync, 0u);
}

TEST_F(engine, BookIsKeptToTheVenuesWindow) {
  // A 2-level window: the venue reports the top 2 of a deeper book.
  send(kBtse, at(kBtse, 10 * kSec)
                  .snapshot(kBtc, 100, {bid("100.0", "1"), bid("99.0", "2"), bid("98.0", "3"), ask("101.0", "1")})
                  .window(2));
  const InstrumentState& s = st("btse", "BTC-USDT");
  EXPECT_EQ(side_of(s, Side::bid), (Strings{"100 1", "99 2"}));
  rec_.clear();
  // A better bid pushes 99 out of the window; the venue sends no delete for it.
  EXPECT_EQ(send(kBtse, at(kBtse, 11 * kSec).delta(kBtc, 101, 100, {bid("100.5", "4")}).window(2)), Ids{});
  EXPECT_EQ(side_of(s, Side::bid), (Strings{"100.5 4", "100 1"}));
  ASSERT_EQ(rec_.books.size(), 1u);
  EXPECT_EQ(rec_.books[0].changes, (Strings{"bid 100.5 4", "bid 99 0"}));
  EXPECT_EQ(s.book.seq(), 101u);
  EXPECT_EQ(s.levels_trimmed, 2u);  // 98 at the snapshot, 99 now
  rec_.clear();
  // A deleted level lets a deeper one in: it arrives as a new level.
  EXPECT_EQ(send(kBtse, at(kBtse, 12 * kSec).delta(kBtc, 102, 101, {bid("100.5", "0"), bid("99.0", "5")}).window(2)),
            Ids{});
  EXPECT_EQ(side_of(s, Side::bid), (Strings{"100 1", "99 5"}));
  EXPECT_EQ(rec_.books.at(0).changes, (Strings{"bid 100.5 0", "bid 99 5"}));
  // No window: nothing is cut.
  send(kBtse, at(kBtse, 13 * kSec).delta(kBtc, 103, 102, {bid("98.0", "1"), bid("97.0", "1")}));
  EXPECT_EQ(side_of(s, Side::bid), (Strings{"100 1", "99 5", "98 1", "97 1"}));
  EXPECT_TRUE(s.in_sync);
  rec_.clear();
  // A delta that only moves the sequence (its changes were below the window): the venue
  // sequence follows, consumers get nothing to apply.
  EXPECT_EQ(send(kBtse, at(kBtse, 14 * kSec).delta(kBtc, 104, 103, {}).window(4)), Ids{});
  EXPECT_EQ(s.book.seq(), 104u);
  EXPECT_TRUE(rec_.books.empty());
  EXPECT_EQ(side_of(s, Side::bid), (Strings{"100 1", "99 5", "98 1", "97 1"}));
  // The same with a narrower window: the cut alone is published.
  EXPECT_EQ(send(kBtse, at(kBtse, 15 * kSec).delta(kBtc, 105, 104, {}).window(2)), Ids{});
  ASSERT_EQ(rec_.books.size(), 1u);
  EXPECT_EQ(rec_.books[0].changes, (Strings{"bid 98 0", "bid 97 0"}));
  EXPECT_EQ(side_of(s, Side::bid), (Strings{"100 1", "99 5"}));
}

TEST_F(engine, GapLosesOnlyThatInstrumentUntilItsNextSnapshot) {
  const std::initializer_list<Lv> btc_levels = {bid("100.0", "2"), ask("100.1", "1")};
  send(kBtse, at(kBtse, 10 * kSec)
                  .snapshot(kBtc, 100, btc_levels)
                  .snapshot(kEth, 200, {bid("2000.00", "1"), ask("2000.50", "1")}));
  rec_.clear();

  // 101 is missing: only BTC is lost; ETH in the same payload carries on.
  EXPECT_EQ(send(kBtse, at(kBtse, 11 * kSec)
                            .delta(kBtc, 102, 101, {bid("100.0", "3")})
                            .delta(kEth, 201, 200, {bid("2000.00", "1.5")})),
            Ids{kBtc});
  const InstrumentState& btc = st("btse", "BTC-USDT");
  const InstrumentState& eth = st("btse", "ETH-USDT");
  EXPECT_EQ(rec_.lost, Strings{"btse/BTC-USDT"});
  EXPECT_FALSE(btc.in_sync);
  EXPECT_EQ(btc.book.size(Side::bid) + btc.book.size(Side::ask), 0u);
  EXPECT_EQ(btc.gaps, 1u);
  EXPECT_EQ(btc.resyncs, 1u);
  EXPECT_EQ(btc.book_errors, 1u);
  EXPECT_TRUE(eth.in_sync);
  EXPECT_EQ(eth.gaps + eth.resyncs + eth.book_errors, 0u);
  ASSERT_EQ(rec_.books.size(), 1u);
  EXPECT_EQ(rec_.books[0].key, "btse/ETH-USDT");
  EXPECT_EQ(rec_.books[0].changes, Strings{"bid 2000 1.5"});
  // BTC's venue slot leaves the consolidated book (a reset, no changes); ETH's change goes in.
  ASSERT_EQ(rec_.consolidated.size(), 2u);
  EXPECT_EQ(rec_.consolidated[0].symbol, "BTC-USDT");
  EXPECT_TRUE(rec_.consolidated[0].changes.empty());
  EXPECT_EQ(rec_.consolidated[1].symbol, "ETH-USDT");
  EXPECT_EQ(rec_.consolidated[1].changes, Strings{"bid 2000 1.5"});
  EXPECT_TRUE(cons_side("BTC-USDT", Side::bid).empty());
  EXPECT_TRUE(cons_side("BTC-USDT", Side::ask).empty());
  rec_.clear();

  // While out of sync nothing of BTC is published, even deltas that chain on the gap.
  EXPECT_EQ(send(kBtse, at(kBtse, 11 * kSec + kSec / 2)
                            .delta(kBtc, 103, 102, {bid("100.0", "4")})
                            .delta(kEth, 202, 201, {ask("2000.50", "2")})),
            Ids{});
  ASSERT_EQ(rec_.books.size(), 1u);
  EXPECT_EQ(rec_.books[0].key, "btse/ETH-USDT");
  ASSERT_EQ(rec_.consolidated.size(), 1u);
  EXPECT_EQ(rec_.consolidated[0].symbol, "ETH-USDT");
  EXPECT_EQ(rec_.bbos, Strings{"btse/ETH-USDT"});
  EXPECT_TRUE(rec_.lost.empty());
  EXPECT_FALSE(engine_.find("btse", "BTC-USDT")->in_sync);
  EXPECT_EQ(btc.dropped_out_of_sync, 1u);
  EXPECT_EQ(btc.bbo().bid, kNone);
  EXPECT_EQ(btc.bbo().ask, kNone);
  EXPECT_TRUE(cons_side("BTC-USDT", Side::bid).empty());
  rec_.clear();

  // The next snapshot is published as a snapshot and is the book.
  const std::initializer_list<Lv> fresh = {bid("100.2", "5"), bid("100.0", "1"), ask("100.4", "2")};
  EXPECT_EQ(send(kBtse, at(kBtse, 12 * kSec).snapshot(kBtc, 300, fresh)), Ids{});
  ASSERT_EQ(rec_.books.size(), 1u);
  EXPECT_EQ(rec_.books[0].key, "btse/BTC-USDT");
  EXPECT_TRUE(rec_.books[0].snapshot);
  EXPECT_TRUE(rec_.books[0].changes.empty());
  EXPECT_EQ(rec_.books[0].book_seq, 2u);  // nothing was published while lost
  Book expected;
  ASSERT_EQ(expected.reset(to_updates(table(kBtse)[kBtc], fresh), 300), BookError::none);
  EXPECT_TRUE(btc.book == expected);
  EXPECT_TRUE(btc.in_sync);
  EXPECT_EQ(cons_side("BTC-USDT", Side::bid), (Strings{"100.2 5 btse=5", "100 1 btse=1"}));
  EXPECT_EQ(cons_side("BTC-USDT", Side::ask), Strings{"100.4 2 btse=2"});

  // And deltas chain on it again; the counters keep their history.
  EXPECT_EQ(send(kBtse, at(kBtse, 12 * kSec + kSec / 2).delta(kBtc, 301, 300, {ask("100.4", "0")})), Ids{});
  EXPECT_EQ(rec_.books.back().changes, Strings{"ask 100.4 0"});
  EXPECT_TRUE(side_of(btc, Side::ask).empty());
  EXPECT_EQ(btc.gaps, 1u);
  EXPECT_EQ(btc.resyncs, 1u);
  EXPECT_EQ(btc.dropped_out_of_sync, 1u);
}

TEST_F(engine, DuplicateAndOlderDeltasAreStale) {
  send(kBtse, at(kBtse, 10 * kSec).snapshot(kBtc, 100, {bid("100.0", "2"), ask("100.1", "1")}));
  EXPECT_EQ(send(kBtse, at(kBtse, 10 * kSec).delta(kBtc, 101, 100, {bid("100.0", "3")})), Ids{});
  rec_.clear();
  const InstrumentState& btc = st("btse", "BTC-USDT");

  // The same delta again (a duplicated frame).
  EXPECT_EQ(send(kBtse, at(kBtse, 11 * kSec).delta(kBtc, 101, 100, {bid("100.0", "3")})), Ids{kBtc});
  EXPECT_EQ(rec_.lost, Strings{"btse/BTC-USDT"});
  EXPECT_TRUE(rec_.books.empty());
  EXPECT_FALSE(btc.in_sync);
  EXPECT_EQ(btc.gaps, 1u);
  EXPECT_EQ(btc.resyncs, 1u);

  // An older one after a fresh snapshot.
  send(kBtse, at(kBtse, 12 * kSec).snapshot(kBtc, 200, {bid("100.0", "2"), ask("100.1", "1")}));
  rec_.clear();
  EXPECT_EQ(send(kBtse, at(kBtse, 13 * kSec).delta(kBtc, 150, 149, {bid("100.0", "9")})), Ids{kBtc});
  EXPECT_EQ(rec_.lost, Strings{"btse/BTC-USDT"});
  EXPECT_TRUE(rec_.books.empty());
  EXPECT_EQ(btc.gaps, 2u);
  EXPECT_EQ(btc.resyncs, 2u);
  EXPECT_EQ(btc.book_errors, 2u);
  EXPECT_EQ(st("btse", "ETH-USDT").gaps, 0u);
}

TEST_F(engine, CrossedDeltaLosesTheBook) {
  send(kBtse, at(kBtse, 10 * kSec)
                  .snapshot(kBtc, 100, {bid("100.0", "2"), ask("100.1", "1")})
                  .snapshot(kEth, 200, {bid("2000.00", "1"), ask("2000.50", "1")}));
  rec_.clear();
  EXPECT_EQ(send(kBtse, at(kBtse, 11 * kSec)
                            .delta(kBtc, 101, 100, {bid("100.1", "1")})
                            .delta(kEth, 201, 200, {bid("2000.10", "1")})),
            Ids{kBtc});
  const InstrumentState& btc = st("btse", "BTC-USDT");
  EXPECT_EQ(rec_.lost, Strings{"btse/BTC-USDT"});
  ASSERT_EQ(rec_.books.size(), 1u);
  EXPECT_EQ(rec_.books[0].key, "btse/ETH-USDT");
  EXPECT_FALSE(btc.in_sync);
  EXPECT_EQ(btc.book.size(Side::bid) + btc.book.size(Side::ask), 0u);
  EXPECT_EQ(btc.gaps, 0u);  // a crossed book is not a sequence gap
  EXPECT_EQ(btc.resyncs, 1u);
  EXPECT_EQ(btc.book_errors, 1u);
  EXPECT_TRUE(cons_side("BTC-USDT", Side::bid).empty());
  EXPECT_EQ(cons_side("ETH-USDT", Side::bid), (Strings{"2000.1 1 btse=1", "2000 1 btse=1"}));
}

TEST_F(engine, FailureWhileOutOfSyncAsksAgainButReportsTheLossOnce) {
  send(kBtse, at(kBtse, 10 * kSec).snapshot(kBtc, 100, {bid("100.0", "2"), ask("100.1", "1")}));
  EXPECT_EQ(send(kBtse, at(kBtse, 11 * kSec).delta(kBtc, 105, 104, {})), Ids{kBtc});
  rec_.clear();
  // The resync's answer is itself crossed: ask again, but the book was already lost.
  EXPECT_EQ(send(kBtse, at(kBtse, 12 * kSec).snapshot(kBtc, 300, {bid("100.2", "1"), ask("100.1", "1")})),
            Ids{kBtc});
  const InstrumentState& btc = st("btse", "BTC-USDT");
  EXPECT_TRUE(rec_.lost.empty());
  EXPECT_TRUE(rec_.books.empty());
  EXPECT_TRUE(rec_.consolidated.empty());
  EXPECT_FALSE(btc.in_sync);
  EXPECT_EQ(btc.book.size(Side::bid) + btc.book.size(Side::ask), 0u);
  EXPECT_EQ(btc.resyncs, 2u);
  EXPECT_EQ(btc.book_errors, 2u);
  EXPECT_EQ(btc.gaps, 1u);

  EXPECT_EQ(send(kBtse, at(kBtse, 13 * kSec).snapshot(kBtc, 400, {bid("100.0", "1"), ask("100.1", "1")})),
            Ids{});
  EXPECT_TRUE(btc.in_sync);
  ASSERT_EQ(rec_.books.size(), 1u);
  EXPECT_TRUE(rec_.books[0].snapshot);
}

TEST_F(engine, SnapshotWhileInSyncReplacesTheBook) {
  send(kBtse, at(kBtse, 10 * kSec).snapshot(kBtc, 100, {bid("100.0", "2"), bid("99.0", "1"), ask("100.1", "1")}));
  rec_.clear();
  EXPECT_EQ(send(kBtse, at(kBtse, 11 * kSec).snapshot(kBtc, 50, {bid("99.5", "1"), ask("101.0", "4")})), Ids{});
  const InstrumentState& btc = st("btse", "BTC-USDT");
  EXPECT_TRUE(rec_.lost.empty());
  ASSERT_EQ(rec_.books.size(), 1u);
  EXPECT_TRUE(rec_.books[0].snapshot);
  EXPECT_EQ(btc.book.seq(), 50u);  // a new subscription may restart the venue's numbering
  EXPECT_EQ(side_of(btc, Side::bid), Strings{"99.5 1"});
  EXPECT_EQ(side_of(btc, Side::ask), Strings{"101 4"});
  EXPECT_EQ(cons_side("BTC-USDT", Side::bid), Strings{"99.5 1 btse=1"});
  EXPECT_EQ(send(kBtse, at(kBtse, 12 * kSec).delta(kBtc, 51, 50, {bid("99.5", "2")})), Ids{});
  EXPECT_EQ(side_of(btc, Side::bid), Strings{"99.5 2"});
}

// A resync is asked when a delta fails. While out of sync, a delta received at least
// kResyncRetryNs (by its monotonic receive time) after the last ask asks again, and that
// ask restarts the clock; deltas in between ask nothing.
TEST_F(engine, ResyncIsAskedAgainWhenDeltasKeepComingAfterTheRetryTime) {
  const int64_t t0 = 100 * kSec;
  constexpr int64_t R = kResyncRetryNs;
  send(kBtse, at(kBtse, t0)
                  .snapshot(kBtc, 100, {bid("100.0", "2"), ask("100.1", "1")})
                  .snapshot(kEth, 200, {bid("2000.00", "1"), ask("2000.50", "1")}));
  const InstrumentState& btc = st("btse", "BTC-USDT");
  uint64_t btc_seq = 101, eth_seq = 200;
  auto deltas_at = [&](int64_t t) {
    ++btc_seq;  // chains on the missed delta, so only the out-of-sync rule applies
    ++eth_seq;
    return send(kBtse, at(kBtse, t)
                           .delta(kBtc, btc_seq, btc_seq - 1, {bid("100.0", "1")})
                           .delta(kEth, eth_seq, eth_seq - 1, {bid("2000.00", "2")}));
  };
  EXPECT_EQ(deltas_at(t0), Ids{kBtc});  // 101 missing
  EXPECT_EQ(btc.resyncs, 1u);
  EXPECT_EQ(deltas_at(t0 + R - 1), Ids{});
  EXPECT_EQ(btc.resyncs, 1u);
  EXPECT_EQ(deltas_at(t0 + R), Ids{kBtc});
  EXPECT_EQ(btc.resyncs, 2u);
  EXPECT_EQ(deltas_at(t0 + R + 1), Ids{});
  EXPECT_EQ(deltas_at(t0 + 2 * R - 1), Ids{});
  EXPECT_EQ(deltas_at(t0 + 2 * R), Ids{kBtc});
  EXPECT_EQ(btc.resyncs, 3u);
  EXPECT_EQ(btc.gaps, 1u);
  EXPECT_EQ(btc.book_errors, 1u);
  EXPECT_EQ(btc.dropped_out_of_sync, 5u);
  EXPECT_EQ(rec_.lost, Strings{"btse/BTC-USDT"});

  // ETH, on the same feed, published every one of its deltas and was never resynced.
  size_t eth_updates = 0;
  for (const auto& b : rec_.books) eth_updates += b.key == "btse/ETH-USDT" && !b.snapshot;
  EXPECT_EQ(eth_updates, 6u);
  EXPECT_EQ(st("btse", "ETH-USDT").resyncs, 0u);

  // The snapshot finally arrives: no more asks, deltas apply.
  EXPECT_EQ(send(kBtse, at(kBtse, t0 + 2 * R + 1).snapshot(kBtc, 500, {bid("100.0", "2"), ask("100.1", "1")})),
            Ids{});
  EXPECT_EQ(send(kBtse, at(kBtse, t0 + 10 * R).delta(kBtc, 501, 500, {bid("100.0", "3")})), Ids{});
  EXPECT_TRUE(btc.in_sync);
  EXPECT_EQ(side_of(btc, Side::bid), Strings{"100 3"});
  EXPECT_EQ(btc.resyncs, 3u);
}

TEST_F(engine, FailedSnapshotRestartsTheRetryClock) {
  const int64_t t0 = 100 * kSec;
  send(kBtse, at(kBtse, t0).snapshot(kBtc, 100, {bid("100.0", "2"), ask("100.1", "1")}));
  EXPECT_EQ(send(kBtse, at(kBtse, t0).delta(kBtc, 102, 101, {})), Ids{kBtc});
  // The answer comes late and crossed: that is a new ask, made now.
  const int64_t t1 = t0 + 3 * kSec;
  EXPECT_EQ(send(kBtse, at(kBtse, t1).snapshot(kBtc, 200, {bid("100.2", "1"), ask("100.1", "1")})),
            Ids{kBtc});
  EXPECT_EQ(send(kBtse, at(kBtse, t1 + 1'000'000).delta(kBtc, 201, 200, {})), Ids{});
  EXPECT_EQ(send(kBtse, at(kBtse, t1 + kResyncRetryNs - 1).delta(kBtc, 202, 201, {})), Ids{});
  EXPECT_EQ(send(kBtse, at(kBtse, t1 + kResyncRetryNs).delta(kBtc, 203, 202, {})), Ids{kBtc});
  EXPECT_EQ(st("btse", "BTC-USDT").resyncs, 3u);
}

TEST_F(engine, DeltaBeforeAnySnapshotIsDroppedAndAsksForOne) {
  const int64_t t0 = 100 * kSec;
  EXPECT_EQ(send(kBtse, at(kBtse, t0).delta(kBtc, 101, 100, {bid("100.0", "1")})), Ids{kBtc});
  EXPECT_EQ(send(kBtse, at(kBtse, t0 + kSec).delta(kBtc, 102, 101, {bid("100.0", "1")})), Ids{});
  const InstrumentState& btc = st("btse", "BTC-USDT");
  EXPECT_FALSE(btc.in_sync);
  EXPECT_EQ(btc.dropped_out_of_sync, 2u);
  EXPECT_EQ(btc.resyncs, 1u);
  EXPECT_EQ(btc.gaps, 0u);
  EXPECT_TRUE(rec_.books.empty());
  EXPECT_TRUE(rec_.lost.empty());  // there was nothing to lose
  EXPECT_TRUE(rec_.consolidated.empty());
}

TEST_F(engine, StreamDownLosesTheSequencedBooksOfThatFeedOnly) {
  send(kBtse, at(kBtse, 10 * kSec)
                  .snapshot(kBtc, 100, {bid("100.0", "2"), ask("100.1", "1")})
                  .snapshot(kEth, 200, {bid("2000.00", "1"), ask("2000.50", "1")}));
  send(kNarkasa, at(kNarkasa, 10 * kSec)
                     .replace(kNkBtc, {bid("99.90", "1"), ask("100.20", "1")})
                     .snapshot(kNkTry, 7, {bid("2000000", "1"), ask("2000100", "1")}));
  rec_.clear();

  engine_.on_stream_down(kBtse, 1);
  const InstrumentState& btc = st("btse", "BTC-USDT");
  const InstrumentState& eth = st("btse", "ETH-USDT");
  EXPECT_EQ(rec_.lost, (Strings{"btse/BTC-USDT", "btse/ETH-USDT"}));
  EXPECT_FALSE(btc.in_sync);
  EXPECT_FALSE(eth.in_sync);
  EXPECT_EQ(btc.book.size(Side::bid) + eth.book.size(Side::bid), 0u);
  EXPECT_EQ(btc.gaps + btc.resyncs + eth.gaps + eth.resyncs, 0u);
  EXPECT_TRUE(st("narkasa", "BTC-USDT").in_sync);
  EXPECT_TRUE(st("narkasa", "BTC-TRY").in_sync);
  ASSERT_EQ(rec_.consolidated.size(), 2u);
  EXPECT_EQ(rec_.consolidated[0].symbol, "BTC-USDT");
  EXPECT_TRUE(rec_.consolidated[0].changes.empty());
  EXPECT_EQ(rec_.consolidated[1].symbol, "ETH-USDT");
  EXPECT_EQ(cons_side("BTC-USDT", Side::bid), Strings{"99.9 1 narkasa=1"});
  EXPECT_TRUE(cons_side("ETH-USDT", Side::bid).empty());
  EXPECT_TRUE(rec_.books.empty());

  // Another stream of the same feed going down: nothing more to lose.
  engine_.on_stream_down(kBtse, 0);
  EXPECT_EQ(rec_.lost.size(), 2u);
  EXPECT_EQ(rec_.consolidated.size(), 2u);

  // On narkasa only the sequenced book is lost; the snapshot-only one is replaced anyway.
  engine_.on_stream_down(kNarkasa, 0);
  EXPECT_EQ(rec_.lost.back(), "narkasa/BTC-TRY");
  EXPECT_EQ(rec_.lost.size(), 3u);
  EXPECT_TRUE(st("narkasa", "BTC-USDT").in_sync);
  EXPECT_FALSE(st("narkasa", "BTC-TRY").in_sync);
  rec_.clear();

  // Deltas show the book's stream is alive with no snapshot asked for: ask now.
  EXPECT_EQ(send(kBtse, at(kBtse, 11 * kSec).delta(kBtc, 101, 100, {bid("100.0", "3")})), Ids{kBtc});
  EXPECT_TRUE(rec_.books.empty());
  EXPECT_EQ(btc.resyncs, 1u);
  EXPECT_EQ(send(kBtse, at(kBtse, 12 * kSec).snapshot(kBtc, 900, {bid("100.0", "4"), ask("100.1", "1")})),
            Ids{});
  EXPECT_TRUE(btc.in_sync);
  ASSERT_EQ(rec_.books.size(), 1u);
  EXPECT_TRUE(rec_.books[0].snapshot);
  EXPECT_EQ(cons_side("BTC-USDT", Side::bid), (Strings{"100 4 btse=4", "99.9 1 narkasa=1"}));
}

using Overdue = std::vector<std::pair<size_t, uint32_t>>;

TEST_F(engine, TimerAsksAgainForALostSnapshotWithoutWaitingForDeltas) {
  const int64_t t0 = 100 * kSec;
  constexpr int64_t R = kResyncRetryNs;
  send(kBtse, at(kBtse, t0)
                  .snapshot(kBtc, 100, {bid("100.0", "2"), ask("100.1", "1")})
                  .snapshot(kEth, 200, {bid("2000.00", "1"), ask("2000.50", "1")}));
  EXPECT_EQ(send(kBtse, at(kBtse, t0).delta(kBtc, 102, 101, {})), Ids{kBtc});  // gap: asked at t0
  const InstrumentState& btc = st("btse", "BTC-USDT");
  Overdue due;
  engine_.overdue_resyncs(t0 + R - 1, due);
  EXPECT_TRUE(due.empty());
  engine_.overdue_resyncs(t0 + R, due);
  EXPECT_EQ(due, (Overdue{{kBtse, kBtc}}));  // the quiet symbol is not stuck: asked again
  EXPECT_EQ(btc.resyncs, 2u);
  due.clear();
  engine_.overdue_resyncs(t0 + R + 1, due);  // the clock restarted at the ask
  EXPECT_TRUE(due.empty());
  // A delta-driven ask and the timer share one clock.
  EXPECT_EQ(send(kBtse, at(kBtse, t0 + 2 * R - 1).delta(kBtc, 103, 102, {})), Ids{});
  send(kBtse, at(kBtse, t0 + 2 * R).snapshot(kBtc, 500, {bid("100.0", "2"), ask("100.1", "1")}));
  engine_.overdue_resyncs(t0 + 10 * R, due);
  EXPECT_TRUE(due.empty());  // in sync: nothing to ask
  EXPECT_EQ(btc.resyncs, 2u);
  EXPECT_EQ(st("btse", "ETH-USDT").resyncs, 0u);
}

TEST_F(engine, TimerStartsTheClockForBooksLostWithTheirStream) {
  const int64_t t0 = 100 * kSec;
  constexpr int64_t R = kResyncRetryNs;
  send(kBtse, at(kBtse, t0).snapshot(kBtc, 100, {bid("100.0", "2"), ask("100.1", "1")}));
  send(kNarkasa, at(kNarkasa, t0).replace(kNkBtc, {bid("99.90", "1"), ask("100.20", "1")}));
  engine_.on_stream_down(kBtse, 1);
  Overdue due;
  engine_.overdue_resyncs(t0 + 5 * R, due);  // first sight: the reconnect's resubscribe gets its time
  EXPECT_TRUE(due.empty());
  engine_.overdue_resyncs(t0 + 6 * R - 1, due);
  EXPECT_TRUE(due.empty());
  engine_.overdue_resyncs(t0 + 6 * R, due);
  EXPECT_EQ(due, (Overdue{{kBtse, kBtc}}));  // the snapshot-only narkasa book is never asked for
  EXPECT_EQ(st("btse", "BTC-USDT").resyncs, 1u);

  // A feed that is down cannot answer: nothing is asked (or counted) until it is live again,
  // and then the clock starts afresh.
  engine_.on_state(kBtse, FeedState::down);
  due.clear();
  engine_.overdue_resyncs(t0 + 20 * R, due);
  EXPECT_TRUE(due.empty());
  engine_.on_state(kBtse, FeedState::live);
  engine_.overdue_resyncs(t0 + 21 * R, due);
  EXPECT_TRUE(due.empty());
  engine_.overdue_resyncs(t0 + 22 * R, due);
  EXPECT_EQ(due, (Overdue{{kBtse, kBtc}}));
  EXPECT_EQ(st("btse", "BTC-USDT").resyncs, 2u);
}

TEST_F(engine, TimerAsksForASnapshotOnlyBookThatNeverSynced) {
  // narkasa's first push (both sides) was lost; what follows carries one side, which is not a
  // book: nothing would ever bring the book in sync without a REST snapshot.
  const int64_t t0 = 100 * kSec;
  constexpr int64_t R = kResyncRetryNs;
  send(kNarkasa, at(kNarkasa, t0).replace(kNkTry, {bid("1", "1"), ask("2", "1")}));
  EXPECT_EQ(send(kNarkasa, at(kNarkasa, t0).replace_sides(kNkBtc, true, false, {bid("99.00", "1")})), Ids{});
  const InstrumentState& btc = st("narkasa", "BTC-USDT");
  EXPECT_FALSE(btc.in_sync);
  Overdue due;
  engine_.overdue_resyncs(t0, due);  // first sight starts the clock
  engine_.overdue_resyncs(t0 + R - 1, due);
  EXPECT_TRUE(due.empty());
  engine_.overdue_resyncs(t0 + R, due);
  EXPECT_EQ(due, (Overdue{{kNarkasa, kNkBtc}}));  // the synced narkasa book is left alone
  EXPECT_EQ(btc.resyncs, 1u);
  due.clear();
  send(kNarkasa, at(kNarkasa, t0 + R + 1).replace(kNkBtc, {bid("99.00", "1"), ask("100.00", "1")}));
  EXPECT_TRUE(btc.in_sync);
  engine_.overdue_resyncs(t0 + 10 * R, due);
  EXPECT_TRUE(due.empty());
  EXPECT_EQ(btc.resyncs, 1u);
}

TEST_F(engine, PayloadsAreBracketedAndStateAndRawAreForwarded) {
  ParseOut empty;
  std::vector<uint32_t> resync;
  engine_.on_events(kBtse, empty, resync);
  EXPECT_TRUE(rec_.begins.empty());
  send(kNarkasa, at(kNarkasa, kSec).replace(kNkBtc, {bid("1", "1")}).replace(kNkTry, {bid("1", "1")}));
  EXPECT_EQ(rec_.begins, std::vector<size_t>{kNarkasa});
  EXPECT_EQ(rec_.ends, std::vector<size_t>{kNarkasa});

  engine_.on_state(kCoinmotion, FeedState::down);
  ASSERT_EQ(rec_.states.size(), 1u);
  EXPECT_EQ(rec_.states[0].first, kCoinmotion);
  EXPECT_EQ(rec_.states[0].second, FeedState::down);
  engine_.on_raw(kBtse, RawKind::poll, 3, RecvTime{}, "{\"x\":1}");
  EXPECT_EQ(rec_.raws, Strings{"0/2/3/{\"x\":1}"});
}

}  // namespace
}  // namespace mdhub::test
