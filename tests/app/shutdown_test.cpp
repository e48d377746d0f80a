// Shutdown: the server tells when every client websocket has closed, and an exception that
// escapes the event loop ends in an orderly shutdown (clients closed 1011), not an abort.
#include <stdexcept>

#include "src/app/serve.hpp"
#include "tests/app/ws_harness.hpp"

namespace mdhub::test {
namespace {

TEST(Shutdown, StopNotifiesOnceEveryClientClosed) {
  Hub hub(WsApiConfig{});
  Client a(hub), b(hub);
  a.start_reading();
  b.start_reading();
  ASSERT_TRUE(hub.run_until([&] { return hub.server().ws_sessions() == 2; }));
  int notified = 0;
  hub.server().stop(1001, [&] { ++notified; });
  ASSERT_TRUE(hub.run_until([&] { return notified == 1; }));
  EXPECT_TRUE(a.closed());
  EXPECT_TRUE(b.closed());
  EXPECT_EQ(a.close_reason().code, 1001);
  EXPECT_EQ(b.close_reason().code, 1001);
  EXPECT_EQ(hub.server().ws_sessions(), 0u);
  hub.run_until([] { return false; }, 50ms);
  EXPECT_EQ(notified, 1);
}

TEST(Shutdown, StopWithoutClientsNotifiesAtOnce) {
  Hub hub(WsApiConfig{});
  bool notified = false;
  hub.server().stop(1001, [&] { notified = true; });
  EXPECT_FALSE(notified);  // never from inside stop()
  ASSERT_TRUE(hub.run_until([&] { return notified; }));
}

TEST(Shutdown, ClientThatNeverAnswersIsCutOffWithinTheDeadline) {
  Hub hub(WsApiConfig{});
  Client a(hub);  // never reads: the close frame gets no answer
  ASSERT_TRUE(hub.run_until([&] { return hub.server().ws_sessions() == 1; }));
  bool notified = false;
  hub.server().stop(1001, [&] { notified = true; });
  EXPECT_TRUE(hub.run_until([&] { return notified; }, 3000ms));
}

TEST(Shutdown, EscapedExceptionClosesClientsWith1011) {
  Hub hub(WsApiConfig{});
  Client a(hub);
  a.start_reading();
  ASSERT_TRUE(hub.run_until([&] { return hub.server().ws_sessions() == 1; }));
  int escapes = 0;
  bool queued_ran = false;
  asio::post(hub.io(), [] { throw std::runtime_error("bug outside any feed"); });
  asio::post(hub.io(), [&] { queued_ran = true; });
  const bool clean = run_contained(hub.io(), [&] {
    ++escapes;
    hub.server().stop(1011, [&] { hub.io().stop(); });
  });
  EXPECT_FALSE(clean);
  EXPECT_EQ(escapes, 1);
  EXPECT_TRUE(queued_ran);  // the loop went on after the throw
  ASSERT_TRUE(hub.run_until([&] { return a.closed(); }));
  EXPECT_EQ(a.close_reason().code, 1011);
  EXPECT_EQ(hub.server().ws_sessions(), 0u);
}

TEST(Shutdown, SecondEscapeDuringTheShutdownEndsTheLoop) {
  asio::io_context io;
  auto work = asio::make_work_guard(io);  // a shutdown that would never end by itself
  int escapes = 0;
  asio::post(io, [] { throw std::runtime_error("first"); });
  const bool clean = run_contained(io, [&] {
    ++escapes;
    asio::post(io, [] { throw std::runtime_error("second"); });
  });
  EXPECT_FALSE(clean);
  EXPECT_EQ(escapes, 1);
}

TEST(Shutdown, CleanLoopReportsClean) {
  asio::io_context io;
  bool ran = false;
  asio::post(io, [&] { ran = true; });
  EXPECT_TRUE(run_contained(io, [] { FAIL() << "nothing escaped"; }));
  EXPECT_TRUE(ran);
}

}  // namespace
}  // namespace mdhub::test
