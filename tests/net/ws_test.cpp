// Websocket side of the server: upgrade routing, echo, bounded send queue with on_writable,
// oversized input, close/abort, stop(), large outgoing frames.
#include <cstdio>

#include "tests/net/net_fixture.hpp"

namespace mdhub::net::test {
namespace {

using SessionPtr = std::shared_ptr<WsSession>;

WsHandler echo_handler() {
  WsHandler w;
  w.on_message = [](const SessionPtr& s, std::string_view t) {
    s->send(text("echo:" + std::string(t)));
  };
  return w;
}

TEST(NetWs, EchoOnPrefixPathBesideHttp) {
  std::promise<std::pair<std::string, std::string>> opened;
  std::promise<void> closed;
  ServerHarness h({}, [&](Server& s) {
    WsHandler w = echo_handler();
    w.on_open = [&](const SessionPtr& ss) { opened.set_value({ss->path(), ss->target()}); };
    w.on_close = [&](const SessionPtr& ss) {
      EXPECT_FALSE(ss->send(text("late")));
      closed.set_value();
    };
    s.websocket("/feeds/", w);
    s.route("/feeds/", [](const HttpRequest&, Respond respond) {
      HttpResponse res;
      res.body = "http";
      respond(std::move(res));
    });
  });
  WsClient c(h.port(), "/feeds/bt%73e?x=1");
  EXPECT_EQ(c.handshake_response()[http::field::server], "mdhub");
  EXPECT_EQ(c.handshake_response().count(http::field::sec_websocket_extensions), 0u);
  const auto [path, target] = opened.get_future().get();
  EXPECT_EQ(path, "/feeds/btse");
  EXPECT_EQ(target, "/feeds/bt%73e?x=1");
  c.write("hello");
  EXPECT_EQ(c.read(), "echo:hello");
  EXPECT_TRUE(c.ws().got_text());
  c.write("binary in", true);
  EXPECT_EQ(c.read(), "echo:binary in");
  EXPECT_TRUE(c.ws().got_text());
  EXPECT_EQ(h.on_io([&] { return h.server().ws_sessions(); }), 1u);

  HttpClient hc(h.port());
  EXPECT_EQ(hc.request(http::verb::get, "/feeds/x").body(), "http");

  c.ws().close(websocket::close_code::normal);
  closed.get_future().get();
  EXPECT_EQ(h.on_io([&] { return h.server().ws_sessions(); }), 0u);
}

TEST(NetWs, UpgradeOnUnknownPathGets404) {
  ServerHarness h({}, [](Server& s) { s.websocket("/ws", echo_handler()); });
  asio::io_context ioc;
  websocket::stream<beast::tcp_stream> ws(ioc);
  beast::get_lowest_layer(ws).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), h.port()));
  websocket::response_type res;
  beast::error_code ec;
  ws.handshake(res, "127.0.0.1", "/ws/sub", ec);  // "/ws" is exact, not a prefix
  EXPECT_EQ(ec, websocket::error::upgrade_declined);
  EXPECT_EQ(res.result_int(), 404u);
  EXPECT_EQ(res.body(), R"({"error":{"code":"not_found","message":"no route for /ws/sub"}})");
}

TEST(NetWs, AnswersPings) {
  ServerHarness h({}, [](Server& s) { s.websocket("/ws", echo_handler()); });
  WsClient c(h.port());
  std::vector<std::string> pongs;
  c.ws().control_callback([&](websocket::frame_type kind, beast::string_view payload) {
    if (kind == websocket::frame_type::pong) pongs.emplace_back(payload);
  });
  c.ws().ping("p1");
  c.write("x");
  // The server answers the ping before it reads "x", so the pong precedes the echo.
  EXPECT_EQ(c.read(), "echo:x");
  EXPECT_EQ(pongs, std::vector<std::string>{"p1"});
}

std::string numbered_frame(size_t n, size_t size) {
  char head[16];
  std::snprintf(head, sizeof head, "%08zu", n);
  std::string s(size, '.');
  s.replace(0, 8, head);
  return s;
}

TEST(NetWs, SendQueueIsBoundedAndSignalsWritable) {
  constexpr size_t kFrame = 64 << 10;
  constexpr size_t kTotal = 256;  // 16 MiB: more than loopback buffers, so writes stall
  ServerOptions opts;
  opts.ws_queue_bytes = 256 << 10;
  opts.ws_queue_frames = 1000;
  struct State {
    SessionPtr session;
    size_t accepted = 0, refusals = 0, writable = 0;
    size_t max_queued_bytes = 0;
    bool pumping = false;
    void pump() {
      while (accepted < kTotal) {
        if (!session->send(text(numbered_frame(accepted, kFrame)))) {
          ++refusals;
          return;
        }
        ++accepted;
        max_queued_bytes = std::max(max_queued_bytes, session->queued_bytes());
      }
    }
  } st;
  std::promise<void> opened;
  ServerHarness h(opts, [&](Server& s) {
    WsHandler w;
    w.on_open = [&](const SessionPtr& ss) {
      st.session = ss;
      opened.set_value();
    };
    w.on_writable = [&](const SessionPtr&) {
      ++st.writable;
      if (st.pumping) st.pump();
    };
    s.websocket("/ws", w);
  });
  WsClient c(h.port());
  opened.get_future().get();

  // The client reads nothing yet: the queue fills within one turn of the io_context.
  struct First {
    size_t accepted, frames, bytes;
    bool again;
    size_t frames_after;
  };
  const First first = h.on_io([&] {
    st.pump();
    const size_t frames = st.session->queued_frames(), bytes = st.session->queued_bytes();
    const bool again = st.session->send(text("x"));
    st.pumping = true;
    return First{st.accepted, frames, bytes, again, st.session->queued_frames()};
  });
  EXPECT_EQ(first.accepted, 4u);  // 4 x 64 KiB fill the 256 KiB limit exactly
  EXPECT_EQ(first.frames, 4u);
  EXPECT_EQ(first.bytes, 4 * kFrame);
  EXPECT_FALSE(first.again);
  EXPECT_EQ(first.frames_after, 4u);  // a refused send queues nothing

  // Now read everything: every accepted frame arrives once, in order.
  for (size_t i = 0; i < kTotal; ++i) {
    const std::string m = c.read();
    ASSERT_EQ(m.size(), kFrame);
    ASSERT_EQ(m.substr(0, 8), numbered_frame(i, 8)) << i;
  }
  const auto [refusals, writable, max_bytes] = h.on_io([&] {
    st.pumping = false;
    st.session.reset();
    return std::tuple{st.refusals, st.writable, st.max_queued_bytes};
  });
  EXPECT_GE(refusals, 2u);
  EXPECT_EQ(writable, refusals);  // exactly one on_writable per refused send
  EXPECT_LE(max_bytes, opts.ws_queue_bytes);
}

TEST(NetWs, OversizedMessageGetsErrorThenClose1009) {
  ServerOptions opts;
  opts.max_ws_frame_in = 1024;
  std::vector<std::string> errors;
  std::promise<void> closed;
  ServerHarness h(opts, [&](Server& s) {
    WsHandler w = echo_handler();
    w.on_error = [&](const SessionPtr& ss, std::string_view code) {
      errors.emplace_back(code);
      EXPECT_TRUE(ss->send(text(R"({"type":"error","code":"frame_too_large"})")));
    };
    w.on_close = [&, first = true](const SessionPtr&) mutable {
      if (std::exchange(first, false)) closed.set_value();
    };
    s.websocket("/ws", w);
  });
  {
    WsClient c(h.port());
    c.write(std::string(1024, 'a'));  // exactly at the limit: fine
    EXPECT_EQ(c.read().size(), 1024u + 5);
    c.write(std::string(1025, 'b'));
    EXPECT_EQ(c.read(), R"({"type":"error","code":"frame_too_large"})");
    EXPECT_EQ(c.read_until_error(), websocket::error::closed);
    EXPECT_EQ(c.ws().reason().code, websocket::close_code::too_big);
    closed.get_future().get();
  }
  EXPECT_EQ(errors, std::vector<std::string>{"frame_too_large"});

  // A message split over small frames counts as a whole.
  WsClient c(h.port());
  c.ws().auto_fragment(true);
  c.ws().write_buffer_bytes(256);
  c.write(std::string(4000, 'c'));
  EXPECT_EQ(c.read(), R"({"type":"error","code":"frame_too_large"})");
  EXPECT_EQ(c.read_until_error(), websocket::error::closed);
  EXPECT_EQ(c.ws().reason().code, websocket::close_code::too_big);
}

TEST(NetWs, CloseGoesAfterQueuedFrames) {
  std::promise<bool> send_after_close;
  ServerHarness h({}, [&](Server& s) {
    WsHandler w;
    w.on_message = [&](const SessionPtr& ss, std::string_view) {
      for (const char* m : {"a", "b", "c"}) ss->send(text(m));
      ss->close(4000, "bye now");
      ss->close(4001, "ignored");
      send_after_close.set_value(ss->send(text("d")));
    };
    s.websocket("/ws", w);
  });
  WsClient c(h.port());
  c.write("go");
  EXPECT_EQ(c.read(), "a");
  EXPECT_EQ(c.read(), "b");
  EXPECT_EQ(c.read(), "c");
  EXPECT_EQ(c.read_until_error(), websocket::error::closed);
  EXPECT_EQ(c.ws().reason().code, 4000);
  EXPECT_EQ(std::string(c.ws().reason().reason.data(), c.ws().reason().reason.size()), "bye now");
  EXPECT_FALSE(send_after_close.get_future().get());
}

TEST(NetWs, AbortDropsTheConnectionWithoutCloseFrame) {
  std::promise<void> closed;
  ServerHarness h({}, [&](Server& s) {
    WsHandler w;
    w.on_message = [](const SessionPtr& ss, std::string_view) {
      ss->abort();
      EXPECT_FALSE(ss->send(text("after abort")));
    };
    w.on_close = [&](const SessionPtr&) { closed.set_value(); };
    s.websocket("/ws", w);
  });
  WsClient c(h.port());
  c.write("abort please");
  const auto ec = c.read_until_error();
  EXPECT_NE(ec, websocket::error::closed);
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  closed.get_future().get();
  EXPECT_EQ(h.on_io([&] { return h.server().ws_sessions(); }), 0u);
}

TEST(NetWs, StopClosesWebsocketsWith1001AndRunReturns) {
  int opens = 0, closes = 0;
  std::promise<void> both_open;
  ServerHarness h(
      {},
      [&](Server& s) {
        WsHandler w = echo_handler();
        w.on_open = [&](const SessionPtr&) {
          if (++opens == 2) both_open.set_value();
        };
        w.on_close = [&](const SessionPtr&) { ++closes; };
        s.websocket("/ws", w);
        s.route("/x", [](const HttpRequest&, Respond respond) { respond(HttpResponse{}); });
      },
      /*keep_running=*/false);
  WsClient a(h.port()), b(h.port());
  HttpClient idle(h.port());
  EXPECT_EQ(idle.request(http::verb::get, "/x").result_int(), 200u);
  both_open.get_future().get();

  h.on_io([&] {
    h.server().stop();
    return 0;
  });
  for (WsClient* c : {&a, &b}) {
    EXPECT_EQ(c->read_until_error(), websocket::error::closed);
    EXPECT_EQ(c->ws().reason().code, websocket::close_code::going_away);
  }
  EXPECT_EQ(idle.read_until_closed(), asio::error::eof);
  ASSERT_TRUE(h.ran_out_within(std::chrono::milliseconds(5000)));
  EXPECT_EQ(closes, 2);  // the io thread is done: plain reads are safe
  EXPECT_EQ(h.server().ws_sessions(), 0u);
  EXPECT_EQ(h.server().connections(), 0u);
}

TEST(NetWs, LargeOutgoingFrameIsDelivered) {
  ServerHarness h({}, [&](Server& s) {
    WsHandler w;
    w.on_message = [](const SessionPtr& ss, std::string_view t) {
      if (t != "go") {
        ss->send(text("echo:" + std::string(t)));
        return;
      }
      std::string big = numbered_frame(7, (17u << 20) + 3);
      big.back() = '!';
      EXPECT_TRUE(ss->send(text(std::move(big))));  // over ws_queue_bytes: an empty queue takes it
      EXPECT_FALSE(ss->send(text("queue is over its byte limit now")));
      EXPECT_FALSE(ss->send(text(std::string((32u << 20) + 1, 'x'))));  // over max_ws_frame_out
      EXPECT_FALSE(ss->send(nullptr));
    };
    s.websocket("/ws", w);
  });
  WsClient c(h.port());
  c.write("go");
  const std::string m = c.read();
  EXPECT_EQ(m.size(), (17u << 20) + 3);
  EXPECT_EQ(m.substr(0, 8), "00000007");
  EXPECT_EQ(m.back(), '!');
  c.write("again");
  EXPECT_EQ(c.read(), "echo:again");
}

/// Every length class of the frame header (7-bit, 16-bit, 64-bit) and its edges.
const std::vector<size_t> kFrameSizes = {0, 1, 125, 126, 127, 65535, 65536, 70000};

TEST(NetWs, FramesQueuedTogetherArriveWholeAndInOrderOnIoThreads) {
  // Sent in one handler call: they reach the session's I/O thread in one batch and leave
  // in gathered writes, larger than the socket buffers.
  ServerOptions opts;
  opts.ws_io_threads = 2;
  std::promise<bool> all_taken;
  ServerHarness h(opts, [&](Server& s) {
    WsHandler w;
    w.on_message = [&](const SessionPtr& ss, std::string_view t) {
      bool ok = true;
      for (size_t round = 0; round < 3; ++round) {
        for (size_t i = 0; i < kFrameSizes.size(); ++i) {
          ok = ss->send(text(kFrameSizes[i] < 8 ? std::string(kFrameSizes[i], char('a' + i))
                                                : numbered_frame(round * 100 + i, kFrameSizes[i]))) && ok;
        }
      }
      if (t == "go") all_taken.set_value(ok);
    };
    s.websocket("/ws", w);
  });
  WsClient c(h.port());
  c.write("go");
  ASSERT_TRUE(all_taken.get_future().get());
  for (size_t round = 0; round < 3; ++round) {
    for (size_t i = 0; i < kFrameSizes.size(); ++i) {
      const std::string want = kFrameSizes[i] < 8 ? std::string(kFrameSizes[i], char('a' + i))
                                                  : numbered_frame(round * 100 + i, kFrameSizes[i]);
      ASSERT_EQ(c.read(), want) << round << " " << i;
    }
  }
  c.write("more");  // the session still reads and writes after the batch
  ASSERT_EQ(c.read().size(), kFrameSizes[0]);
}

TEST(NetWs, PingsDuringAStalledBatchAreAnsweredBetweenWholeFrames) {
  // While the client does not read, the server's frames stall half-written on the socket;
  // the pongs it owes must wait for a frame boundary, never split a frame.
  constexpr size_t kFrame = 64 << 10;
  constexpr size_t kFrames = 64;  // 4 MiB
  ServerOptions opts;
  opts.ws_io_threads = 1;
  opts.ws_queue_bytes = 8 << 20;
  ServerHarness h(opts, [&](Server& s) {
    WsHandler w;
    w.on_message = [](const SessionPtr& ss, std::string_view t) {
      if (t != "go") return;
      for (size_t i = 0; i < kFrames; ++i) EXPECT_TRUE(ss->send(text(numbered_frame(i, kFrame))));
    };
    s.websocket("/ws", w);
  });
  WsClient c(h.port());
  std::vector<std::string> pongs;
  c.ws().control_callback([&](websocket::frame_type kind, beast::string_view payload) {
    if (kind == websocket::frame_type::pong) pongs.emplace_back(payload);
  });
  c.write("go");
  for (int i = 0; i < 8; ++i) {
    const std::string p = "p" + std::to_string(i);
    c.ws().ping(websocket::ping_data(p.data(), p.size()));
  }
  for (size_t i = 0; i < kFrames; ++i) ASSERT_EQ(c.read(), numbered_frame(i, kFrame)) << i;
  c.write("go");  // the pongs not yet seen come before the next data
  for (size_t i = 0; i < kFrames; ++i) ASSERT_EQ(c.read(), numbered_frame(i, kFrame)) << i;
  ASSERT_EQ(pongs.size(), 8u);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(pongs[static_cast<size_t>(i)], "p" + std::to_string(i));
}

TEST(NetWs, DestroyingTheServerDropsItsWebsocketsAtOnceWithOrWithoutIoThreads) {
  for (size_t threads : {size_t{0}, size_t{2}}) {
    ServerOptions opts;
    opts.ws_io_threads = threads;
    std::promise<SessionPtr> opened;
    ServerHarness h(opts, [&](Server& s) {
      WsHandler w = echo_handler();
      w.on_open = [&](const SessionPtr& ss) { opened.set_value(ss); };
      s.websocket("/ws", w);
    });
    WsClient c(h.port());
    SessionPtr held = opened.get_future().get();  // outlives the Server
    c.write("x");
    EXPECT_EQ(c.read(), "echo:x");
    h.destroy_server();
    const beast::error_code ec = c.read_until_error();
    EXPECT_TRUE(ec) << threads;
    EXPECT_NE(ec, websocket::error::closed) << threads << ": no close frame, the connection just ends";
    EXPECT_FALSE(h.on_io([&] { return held->send(text("late")); })) << threads;
    h.on_io([&] {
      held.reset();
      return 0;
    });
  }
}

}  // namespace
}  // namespace mdhub::net::test
