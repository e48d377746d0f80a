// The consolidated book is kept only while a websocket channel of it has a subscriber: the
// first `all` stream of a symbol watches it, the last one to go unwatches it. Across a watch,
// an unwatch and a watch again, every subscription starts with a snapshot of the true merged
// book and its updates follow it one by one.
#include "tests/app/ws_harness.hpp"

namespace mdhub::test {
namespace {

std::vector<Level> merged_side(const ConsolidatedState& c, Side s) {
  std::vector<Level> out;
  c.book.for_each(s, SIZE_MAX, [&](int64_t p, int64_t q, std::span<const VenueQty>) { out.push_back({p, q}); });
  return out;
}

class AppWsWatch : public ::testing::Test {
 protected:
  AppWsWatch() {
    cfg_.max_lag_ms = 0;  // every message must arrive: nothing may conflate
    hub_.emplace(cfg_);
    narkasa_ = hub_->add_venue("narkasa");
    hub_->book(BookMsg::Type::snapshot, 1, 0, initial_levels());
    hub_->book(BookMsg::Type::snapshot, 1, 0, initial_levels(), narkasa_);
  }

  const ConsolidatedState& cons() const { return *hub_->engine().find_consolidated("BTC-USD"); }

  /// `n` more steps of the walk, alternating between the two venues.
  void steps(int n) {
    for (int k = 0; k < n; ++k, ++step_) {
      const size_t feed = step_ % 2 ? narkasa_ : 0;
      hub_->book(BookMsg::Type::delta, seq_[feed == 0 ? 0 : 1] + 1, seq_[feed == 0 ? 0 : 1], step_levels(step_), feed);
      ++seq_[feed == 0 ? 0 : 1];
    }
  }

  /// Checks messages[from..] of `c`: one book_snapshot of book:all:BTC-USD, then updates
  /// whose seq rises by exactly one; the replica they build equals a merge of the member
  /// books made now, and the kept book too.
  void expect_follows(const Client& c, size_t from) {
    ReplicaBook replica;
    int64_t last = -1;
    size_t snapshots = 0;
    for (size_t i = from; i < c.messages().size(); ++i) {
      const Msg m = parse(c.messages()[i]);
      if (m.channel != "book:all:BTC-USD") continue;
      if (m.type == "book_snapshot") {
        EXPECT_EQ(snapshots++, 0u) << c.messages()[i];
      } else {
        ASSERT_EQ(m.type, "book_update") << c.messages()[i];
        EXPECT_EQ(m.seq, last + 1) << c.messages()[i];
      }
      last = m.seq;
      replica.apply(m);
    }
    EXPECT_EQ(snapshots, 1u);
    const ConsolidatedState fresh = hub_->engine().merged(cons());
    for (Side s : {Side::bid, Side::ask}) {
      EXPECT_EQ(replica.side(s), merged_side(fresh, s));
      EXPECT_EQ(merged_side(cons(), s), merged_side(fresh, s));
      EXPECT_FALSE(merged_side(fresh, s).empty());
    }
  }

  /// A ping answered: everything sent to `c` before it has arrived. Returns the pong's index.
  size_t barrier(Client& c) {
    const std::string pong = R"({"type":"pong","id":)" + std::to_string(++ping_) + "}";
    c.send(R"({"op":"ping","id":)" + std::to_string(ping_) + "}");
    size_t at = SIZE_MAX;
    EXPECT_TRUE(hub_->run_until([&] {
      c.start_reading();
      for (size_t i = 0; i < c.messages().size(); ++i)
        if (c.messages()[i] == pong) at = i;
      return at != SIZE_MAX;
    }));
    return at;
  }

  WsApiConfig cfg_;
  std::optional<Hub> hub_;
  size_t narkasa_ = 0;
  uint64_t seq_[2] = {1, 1};
  int64_t step_ = 1;
  int ping_ = 0;
};

TEST_F(AppWsWatch, KeptWhileAChannelOfItHasSubscribersAndExactAcrossRewatch) {
  EXPECT_FALSE(cons().maintained());
  steps(20);
  EXPECT_EQ(cons().book.size(Side::bid) + cons().book.size(Side::ask), 0u);

  Client a(*hub_), b(*hub_);
  a.send(R"({"op":"subscribe","channels":["book:all:BTC-USD"],"id":1})");
  barrier(a);
  EXPECT_TRUE(cons().maintained());
  b.send(R"({"op":"subscribe","channels":["bbo:all:BTC-USD"],"id":1})");
  barrier(b);
  EXPECT_EQ(cons().watchers, 2u);  // one per stream of the symbol
  steps(40);
  const size_t first = barrier(a);
  expect_follows(a, 0);
  EXPECT_GT(first, 30u);  // the steps reached the subscriber

  // The book channel goes; the bbo channel still needs the book.
  a.send(R"({"op":"unsubscribe","channels":["book:all:BTC-USD"],"id":2})");
  barrier(a);
  EXPECT_EQ(cons().watchers, 1u);
  steps(10);
  // The last one goes: the book is no longer kept.
  b.send(R"({"op":"unsubscribe","channels":["bbo:all:BTC-USD"],"id":2})");
  barrier(b);
  EXPECT_FALSE(cons().maintained());
  EXPECT_EQ(cons().book.size(Side::bid) + cons().book.size(Side::ask), 0u);
  steps(30);
  EXPECT_EQ(cons().book.size(Side::bid) + cons().book.size(Side::ask), 0u);

  // Watched again: a new subscription starts with a snapshot of the true book.
  const size_t again = a.messages().size();  // everything before has arrived (barrier)
  a.send(R"({"op":"subscribe","channels":["book:all:BTC-USD"],"id":3})");
  barrier(a);
  EXPECT_TRUE(cons().maintained());
  steps(40);
  barrier(a);
  expect_follows(a, again);
}

TEST_F(AppWsWatch, AClientThatLeavesUnwatchesItsBooks) {
  {
    Client a(*hub_);
    a.send(R"({"op":"subscribe","channels":["book5:all:BTC-USD","bbo:all:BTC-USD"],"id":1})");
    barrier(a);
    EXPECT_EQ(cons().watchers, 2u);
    a.close();
    ASSERT_TRUE(a.wait_closed());
    ASSERT_TRUE(hub_->run_until([&] { return !cons().maintained(); }));
  }
  EXPECT_EQ(cons().book.size(Side::bid) + cons().book.size(Side::ask), 0u);
}

TEST_F(AppWsWatch, AWildcardWatchesTheBooksOfSymbolsListedLater) {
  Client a(*hub_);
  a.send(R"({"op":"subscribe","channels":["book:all:*"],"id":1})");
  barrier(a);
  EXPECT_TRUE(cons().maintained());
  hub_->add_symbol("ETH-USD");
  const ConsolidatedState* eth = hub_->engine().find_consolidated("ETH-USD");
  ASSERT_NE(eth, nullptr);
  EXPECT_TRUE(eth->maintained());
  a.send(R"({"op":"unsubscribe","channels":["book:all:*"],"id":2})");
  barrier(a);
  EXPECT_FALSE(cons().maintained());
  EXPECT_FALSE(eth->maintained());
}

}  // namespace
}  // namespace mdhub::test
