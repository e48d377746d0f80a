#include "book/consolidated.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <random>
#include <vector>

namespace mdhub {
namespace {

using L = LevelUpdate;
constexpr Side B = Side::bid;
constexpr Side A = Side::ask;

struct Row {
  int64_t price;
  int64_t total;
  std::vector<VenueQty> parts;
  friend bool operator==(const Row&, const Row&) = default;
};

std::ostream& operator<<(std::ostream& os, const Row& r) {
  os << r.price << ":" << r.total << "[";
  for (const auto& p : r.parts) os << int{p.venue} << "=" << p.qty << " ";
  return os << "]";
}

std::vector<Row> rows(const ConsolidatedBook& c, Side s, size_t max = SIZE_MAX) {
  std::vector<Row> out;
  c.for_each(s, max, [&](int64_t price, int64_t total, std::span<const VenueQty> parts) {
    out.push_back(Row{price, total, {parts.begin(), parts.end()}});
  });
  return out;
}

// Brute force: per-venue maps merged from scratch.
struct Brute {
  std::vector<std::map<int64_t, int64_t>> venue[2];
  explicit Brute(size_t n) {
    venue[0].resize(n);
    venue[1].resize(n);
  }
  void set(size_t v, const L& u) {
    auto& m = venue[static_cast<size_t>(u.side)][v];
    if (u.qty == 0) m.erase(u.price); else m[u.price] = u.qty;
  }
  void reset(size_t v, std::span<const L> levels) {
    venue[0][v].clear();
    venue[1][v].clear();
    for (const L& u : levels) {
      if (u.qty != 0) set(v, u);
    }
  }
  std::vector<Row> rows(Side s) const {
    std::map<int64_t, Row> merged;
    const auto& vs = venue[static_cast<size_t>(s)];
    for (size_t v = 0; v < vs.size(); ++v) {
      for (auto [p, q] : vs[v]) {
        Row& r = merged[p];
        r.price = p;
        r.total += q;
        r.parts.push_back(VenueQty{static_cast<uint8_t>(v), q});
      }
    }
    std::vector<Row> out;
    for (auto& [p, r] : merged) out.push_back(r);
    if (s == Side::bid) std::reverse(out.begin(), out.end());
    return out;
  }
};

TEST(ConsolidatedBook, MergesVenuesWithBreakdown) {
  ConsolidatedBook c(3);
  ASSERT_EQ(c.update(0, L{B, 100, 5}), BookError::none);
  ASSERT_EQ(c.update(1, L{B, 100, 7}), BookError::none);
  ASSERT_EQ(c.update(2, L{B, 99, 1}), BookError::none);
  ASSERT_EQ(c.update(1, L{A, 101, 2}), BookError::none);
  ASSERT_EQ(c.update(2, L{A, 101, 3}), BookError::none);
  ASSERT_EQ(c.update(0, L{A, 102, 4}), BookError::none);
  EXPECT_EQ(rows(c, B), (std::vector<Row>{{100, 12, {{0, 5}, {1, 7}}}, {99, 1, {{2, 1}}}}));
  EXPECT_EQ(rows(c, A), (std::vector<Row>{{101, 5, {{1, 2}, {2, 3}}}, {102, 4, {{0, 4}}}}));
  EXPECT_EQ(c.best(B), (Level{100, 12}));
  EXPECT_EQ(c.best(A), (Level{101, 5}));
  EXPECT_FALSE(c.crossed());
  EXPECT_EQ(rows(c, B, 1).size(), 1u);
  // Changing one venue's size changes the total; deleting one venue's level keeps the
  // others; deleting the last removes the price.
  ASSERT_EQ(c.update(0, L{B, 100, 1}), BookError::none);
  EXPECT_EQ(c.best(B), (Level{100, 8}));
  ASSERT_EQ(c.update(1, L{B, 100, 0}), BookError::none);
  EXPECT_EQ(rows(c, B).front(), (Row{100, 1, {{0, 1}}}));
  ASSERT_EQ(c.update(0, L{B, 100, 0}), BookError::none);
  EXPECT_EQ(c.best(B), (Level{99, 1}));
  EXPECT_EQ(c.size(B), 1u);
  // Deleting what a venue does not have changes nothing.
  ASSERT_EQ(c.update(1, L{B, 99, 0}), BookError::none);
  EXPECT_EQ(rows(c, B), (std::vector<Row>{{99, 1, {{2, 1}}}}));
}

TEST(ConsolidatedBook, ShowsCrossesAcrossVenues) {
  ConsolidatedBook c(2);
  ASSERT_EQ(c.update(0, L{B, 105, 1}), BookError::none);
  ASSERT_EQ(c.update(1, L{A, 103, 2}), BookError::none);
  EXPECT_TRUE(c.crossed());
  EXPECT_EQ(c.best(B), (Level{105, 1}));
  EXPECT_EQ(c.best(A), (Level{103, 2}));
  ASSERT_EQ(c.update(1, L{A, 105, 2}), BookError::none);  // locked counts as crossed
  ASSERT_EQ(c.update(1, L{A, 103, 0}), BookError::none);
  EXPECT_TRUE(c.crossed());
  ASSERT_EQ(c.update(1, L{A, 105, 0}), BookError::none);
  EXPECT_FALSE(c.crossed());
}

TEST(ConsolidatedBook, ResetAndClearVenue) {
  ConsolidatedBook c(2);
  const L v0[] = {{B, 100, 1}, {B, 99, 2}, {A, 101, 3}};
  const L v1[] = {{B, 100, 4}, {A, 101, 5}, {A, 102, 6}};
  ASSERT_EQ(c.reset(0, v0), BookError::none);
  ASSERT_EQ(c.reset(1, v1), BookError::none);
  EXPECT_EQ(rows(c, B), (std::vector<Row>{{100, 5, {{0, 1}, {1, 4}}}, {99, 2, {{0, 2}}}}));
  // A new snapshot for venue 0 replaces only venue 0 (zeros ignored, last-wins).
  const L v0b[] = {{B, 98, 7}, {A, 102, 1}, {A, 102, 2}, {B, 97, 0}};
  ASSERT_EQ(c.reset(0, v0b), BookError::none);
  EXPECT_EQ(rows(c, B), (std::vector<Row>{{100, 4, {{1, 4}}}, {98, 7, {{0, 7}}}}));
  EXPECT_EQ(rows(c, A), (std::vector<Row>{{101, 5, {{1, 5}}}, {102, 8, {{0, 2}, {1, 6}}}}));
  EXPECT_EQ(c.venue_size(0, B), 1u);
  c.clear_venue(1);
  EXPECT_EQ(rows(c, B), (std::vector<Row>{{98, 7, {{0, 7}}}}));
  EXPECT_EQ(rows(c, A), (std::vector<Row>{{102, 2, {{0, 2}}}}));
  // A bad snapshot removes the venue.
  const L bad[] = {{B, 98, -1}};
  EXPECT_EQ(c.reset(0, bad), BookError::negative_qty);
  EXPECT_EQ(c.size(B) + c.size(A), 0u);
  c.clear();
  EXPECT_FALSE(c.best(B).has_value());
}

TEST(ConsolidatedBook, RejectsBadInputWithoutChange) {
  ConsolidatedBook c(2);
  ASSERT_EQ(c.update(0, L{B, 100, 1}), BookError::none);
  EXPECT_EQ(c.update(2, L{B, 100, 1}), BookError::bad_level);  // venue out of range
  EXPECT_EQ(c.update(0, L{B, 0, 1}), BookError::bad_level);
  EXPECT_EQ(c.update(0, L{B, 100, -1}), BookError::negative_qty);
  EXPECT_EQ(c.update(0, L{B, 100, kMaxConsolidatedQty + 1}), BookError::bad_level);
  const L msg[] = {{B, 101, 1}, {B, 102, -1}};
  EXPECT_EQ(c.apply(0, msg), BookError::negative_qty);
  EXPECT_EQ(rows(c, B), (std::vector<Row>{{100, 1, {{0, 1}}}}));
  EXPECT_EQ(c.reset(5, msg), BookError::bad_level);
  // Totals at the largest allowed quantity on every venue do not overflow.
  ConsolidatedBook big(kMaxConsolidatedVenues);
  for (size_t v = 0; v < kMaxConsolidatedVenues; ++v) {
    ASSERT_EQ(big.update(v, L{A, 7, kMaxConsolidatedQty}), BookError::none);
  }
  EXPECT_EQ(big.best(A)->qty, kMaxConsolidatedQty * static_cast<int64_t>(kMaxConsolidatedVenues));
  EXPECT_EQ(rows(big, A).front().parts.size(), kMaxConsolidatedVenues);
}

TEST(ConsolidatedBook, RandomAgainstBruteForce) {
  constexpr size_t kVenues = 5;
  ConsolidatedBook c(kVenues);
  Brute brute(kVenues);
  std::mt19937_64 rng(99);
  std::vector<L> msg;
  for (int op = 0; op < 8000; ++op) {
    const size_t v = rng() % kVenues;
    const uint64_t kind = rng() % 100;
    if (kind < 2) {
      msg.clear();
      for (int i = 0, n = static_cast<int>(rng() % 40); i < n; ++i) {
        const Side s = (rng() & 1) ? B : A;
        msg.push_back(L{s, s == B ? 1000 - static_cast<int64_t>(rng() % 50) : 990 + static_cast<int64_t>(rng() % 50),
                        static_cast<int64_t>(rng() % 5)});
      }
      ASSERT_EQ(c.reset(v, msg), BookError::none);
      brute.reset(v, msg);
    } else if (kind < 3) {
      c.clear_venue(v);
      brute.reset(v, {});
    } else {
      // Venues overlap and cross each other on purpose.
      const Side s = (rng() & 1) ? B : A;
      const int64_t price = s == B ? 1000 - static_cast<int64_t>(rng() % 50) : 990 + static_cast<int64_t>(rng() % 50);
      const L u{s, price, (rng() % 4 == 0) ? 0 : static_cast<int64_t>(1 + rng() % 100)};
      ASSERT_EQ(c.update(v, u), BookError::none);
      brute.set(v, u);
    }
    const auto want_b = brute.rows(B);
    const auto want_a = brute.rows(A);
    ASSERT_EQ(rows(c, B), want_b) << "op " << op;
    ASSERT_EQ(rows(c, A), want_a) << "op " << op;
    ASSERT_EQ(c.crossed(), !want_b.empty() && !want_a.empty() && want_b[0].price >= want_a[0].price);
    for (size_t k = 0; k < kVenues; ++k) {
      ASSERT_EQ(c.venue_size(k, B), brute.venue[0][k].size());
    }
  }
}

TEST(ConsolidatedScaler, ConvertsExactlyOrFails) {
  auto s = LevelScaler::make(1, 4, 2, 8);
  ASSERT_TRUE(s.has_value());
  auto u = (*s)(L{B, 592525, 6865});  // 59252.5 x 0.6865
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(*u, (L{B, 5925250, 68650000}));
  auto down = LevelScaler::make(2, 8, 1, 4);
  ASSERT_TRUE(down.has_value());
  EXPECT_EQ((*down)(L{A, 5925250, 68650000}).value(), (L{A, 592525, 6865}));
  EXPECT_EQ((*down)(L{A, 5925251, 68650000}).error(), DecimalError::precision);
  EXPECT_EQ((*down)(L{A, 5925250, 68650001}).error(), DecimalError::precision);
  auto up = LevelScaler::make(0, 0, 18, 18);
  EXPECT_EQ((*up)(L{A, 10, 1}).error(), DecimalError::overflow);
  EXPECT_EQ(LevelScaler::make(0, 0, 19, 0).error(), DecimalError::overflow);
  EXPECT_EQ(LevelScaler::make(-1, 0, 0, 0).error(), DecimalError::overflow);
}

}  // namespace
}  // namespace mdhub
