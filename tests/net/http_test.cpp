// HTTP side of the server: routing, decoding, limits, asynchronous responses, keep-alive,
// connection limits.
#include <boost/asio/steady_timer.hpp>

#include "tests/net/net_fixture.hpp"

namespace mdhub::net::test {
namespace {

HttpHandler reply(std::string body) {
  return [body](const HttpRequest&, Respond respond) {
    HttpResponse res;
    res.content_type = "text/plain";
    res.body = body;
    respond(std::move(res));
  };
}

TEST(NetHttp, RoutesExactPrefixAndLongestMatch) {
  ServerHarness h({}, [](Server& s) {
    s.route("/a", reply("exact-a"));
    s.route("/api/", reply("api"));
    s.route("/api/v1/", reply("api-v1"));
    s.route("/api/v1/feeds", reply("feeds"));
  });
  HttpClient c(h.port());
  auto res = c.request(http::verb::get, "/a");
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(res.body(), "exact-a");
  EXPECT_EQ(res[http::field::server], "mdhub");
  EXPECT_EQ(res[http::field::content_type], "text/plain");
  EXPECT_EQ(c.request(http::verb::get, "/api/x").body(), "api");
  EXPECT_EQ(c.request(http::verb::get, "/api/").body(), "api");
  EXPECT_EQ(c.request(http::verb::get, "/api/v1/book/btse/BTC-USDT").body(), "api-v1");
  EXPECT_EQ(c.request(http::verb::get, "/api/v1/feeds").body(), "feeds");
  EXPECT_EQ(c.request(http::verb::get, "/api/v1/feeds?x=1").body(), "feeds");

  for (const char* target : {"/a/", "/ab", "/api", "/nope"}) {
    res = c.request(http::verb::get, target);
    EXPECT_EQ(res.result_int(), 404u) << target;
    EXPECT_EQ(res[http::field::content_type], "application/json");
    EXPECT_EQ(res.body(), std::string(R"({"error":{"code":"not_found","message":"no route for )") +
                              target + "\"}}");
  }
}

TEST(NetHttp, DecodesPathAndQuery) {
  std::promise<HttpRequest> seen;
  bool first = true;
  ServerHarness h({}, [&](Server& s) {
    s.route("/echo/", [&](const HttpRequest& req, Respond respond) {
      if (std::exchange(first, false)) seen.set_value(req);
      HttpResponse res;
      res.body = req.param("y") ? *req.param("y") : "none";
      respond(std::move(res));
    });
  });
  HttpClient c(h.port());
  auto res = c.request(http::verb::post, "/echo/a%20b%2Fc+d?x=1&y=a%2Bb+c&&z&x=2", "payload");
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(res.body(), "a+b c");
  const HttpRequest req = seen.get_future().get();
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/echo/a%20b%2Fc+d?x=1&y=a%2Bb+c&&z&x=2");
  EXPECT_EQ(req.path, "/echo/a b/c+d");  // '+' is literal in a path
  using Q = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(req.query, (Q{{"x", "1"}, {"y", "a+b c"}, {"z", ""}, {"x", "2"}}));
  ASSERT_NE(req.param("x"), nullptr);
  EXPECT_EQ(*req.param("x"), "1");
  EXPECT_EQ(req.param("missing"), nullptr);
  EXPECT_EQ(req.body, "payload");
  EXPECT_TRUE(req.remote.starts_with("127.0.0.1:")) << req.remote;

  res = c.request(http::verb::get, "/echo/%zz");
  EXPECT_EQ(res.result_int(), 400u);
  EXPECT_EQ(res.body(), R"({"error":{"code":"bad_request","message":"malformed request target"}})");
  // The connection survives a bad target.
  EXPECT_EQ(c.request(http::verb::get, "/echo/?y=ok").body(), "ok");
}

TEST(NetHttp, MalformedRequestGets400AndClose) {
  ServerHarness h({}, [](Server& s) { s.route("/", reply("x")); });
  HttpClient c(h.port());
  c.send_raw("NOT A REQUEST\r\n\r\n");
  auto res = c.read();
  EXPECT_EQ(res.result_int(), 400u);
  EXPECT_TRUE(res.body().starts_with(R"({"error":{"code":"bad_request","message":")"))
      << res.body();
  EXPECT_FALSE(res.keep_alive());
  EXPECT_EQ(c.read_until_closed(), asio::error::eof);
}

TEST(NetHttp, OversizedHeaderGets431) {
  ServerHarness h({}, [](Server& s) { s.route("/", reply("x")); });
  HttpClient c(h.port());
  c.send_raw("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(16 << 10, 'y') + "\r\n\r\n");
  auto res = c.read();
  EXPECT_EQ(res.result_int(), 431u);
  EXPECT_EQ(res.body(),
            R"({"error":{"code":"header_too_large","message":"request header too large"}})");
  EXPECT_EQ(c.read_until_closed(), asio::error::eof);
}

TEST(NetHttp, IdleConnectionTimesOut) {
  ServerOptions opts;
  opts.idle_timeout_s = 1;
  ServerHarness h(opts, [](Server& s) { s.route("/", reply("x")); });
  HttpClient c(h.port());
  EXPECT_EQ(c.request(http::verb::get, "/").body(), "x");
  EXPECT_EQ(c.read_until_closed(), asio::error::eof);  // after about a second of silence
}

TEST(NetHttp, DroppedRespondClosesTheConnection) {
  ServerHarness h({}, [](Server& s) { s.route("/forget", [](const HttpRequest&, Respond) {}); });
  HttpClient c(h.port());
  c.send(http::verb::get, "/forget");
  EXPECT_EQ(c.read_until_closed(), asio::error::eof);
  EXPECT_TRUE(h.eventually([&] { return h.server().connections() == 0; }));
}

TEST(NetHttp, BodyOverLimitGets413) {
  ServerOptions opts;
  opts.max_request_body = 1024;
  ServerHarness h(opts, [](Server& s) {
    s.route("/up", [](const HttpRequest& req, Respond respond) {
      HttpResponse res;
      res.body = std::to_string(req.body.size());
      respond(std::move(res));
    });
  });
  {
    HttpClient c(h.port());
    EXPECT_EQ(c.request(http::verb::post, "/up", std::string(1024, 'x')).body(), "1024");
  }
  HttpClient c(h.port());
  auto res = c.request(http::verb::post, "/up", std::string(4096, 'x'));
  EXPECT_EQ(res.result_int(), 413u);
  EXPECT_EQ(res.body(),
            R"({"error":{"code":"payload_too_large","message":"request body over 1024 bytes"}})");
  EXPECT_FALSE(res.keep_alive());
  EXPECT_EQ(c.read_until_closed(), asio::error::eof);
}

TEST(NetHttp, KeepAliveServesSeveralRequestsOnOneConnection) {
  int calls = 0;
  ServerHarness h({}, [&](Server& s) {
    s.route("/n", [&](const HttpRequest&, Respond respond) {
      HttpResponse res;
      res.body = std::to_string(++calls);
      respond(std::move(res));
    });
  });
  HttpClient c(h.port());
  auto r1 = c.request(http::verb::get, "/n");
  EXPECT_TRUE(r1.keep_alive());
  EXPECT_EQ(r1.body(), "1");
  EXPECT_EQ(c.request(http::verb::get, "/n").body(), "2");
  EXPECT_EQ(h.on_io([&] { return h.server().connections(); }), 1u);
  // Two pipelined requests are answered in order.
  c.send(http::verb::get, "/n");
  c.send(http::verb::get, "/n");
  EXPECT_EQ(c.read().body(), "3");
  EXPECT_EQ(c.read().body(), "4");
  // Connection: close from the client is honoured.
  auto last = c.request(http::verb::get, "/n", {}, false);
  EXPECT_FALSE(last.keep_alive());
  EXPECT_EQ(c.read_until_closed(), asio::error::eof);
}

TEST(NetHttp, HeadAnswersLikeGetWithoutBody) {
  std::string method;
  ServerHarness h({}, [&](Server& s) {
    s.route("/x", [&](const HttpRequest& req, Respond respond) {
      method = req.method;
      HttpResponse res;
      res.body = "0123456789";
      respond(std::move(res));
    });
  });
  HttpClient c(h.port());
  c.send(http::verb::head, "/x");
  http::response_parser<http::empty_body> p;
  p.skip(true);  // a HEAD response has no body whatever Content-Length says
  http::read(c.stream(), c.buffer(), p);
  EXPECT_EQ(p.get().result_int(), 200u);
  EXPECT_EQ(p.get()[http::field::content_length], "10");
  EXPECT_EQ(method, "GET");
  // Nothing but the header was sent: the next response parses cleanly.
  EXPECT_EQ(c.request(http::verb::get, "/x").body(), "0123456789");
}

TEST(NetHttp, ResponseHeadersAndCloseFlag) {
  ServerHarness h({}, [](Server& s) {
    s.route("/h", [](const HttpRequest&, Respond respond) {
      HttpResponse res;
      res.status = 429;
      res.body = "{}";
      res.headers = {{"Retry-After", "3"}, {"X-Bad", "a\r\nInjected: 1"}};
      res.close = true;
      respond(std::move(res));
    });
  });
  HttpClient c(h.port());
  auto res = c.request(http::verb::get, "/h");
  EXPECT_EQ(res.result_int(), 429u);
  EXPECT_EQ(res[http::field::retry_after], "3");
  EXPECT_EQ(res.count("X-Bad"), 0u);
  EXPECT_EQ(res.count("Injected"), 0u);
  EXPECT_EQ(res[http::field::content_type], "application/json");
  EXPECT_FALSE(res.keep_alive());
  EXPECT_EQ(c.read_until_closed(), asio::error::eof);
}

TEST(NetHttp, RespondLaterFromTimerAndFromAnotherThread) {
  std::atomic<ServerHarness*> hp{nullptr};
  std::promise<Respond> parked;
  ServerHarness h({}, [&](Server& s) {
    s.route("/timer", [&](const HttpRequest&, Respond respond) {
      auto t = std::make_shared<asio::steady_timer>(hp.load()->io(), std::chrono::milliseconds(20));
      t->async_wait([t, respond](beast::error_code) {
        HttpResponse res;
        res.body = "late";
        respond(res);
        respond(res);  // a second call is ignored
      });
    });
    s.route("/park", [&](const HttpRequest&, Respond respond) { parked.set_value(respond); });
  });
  hp = &h;
  HttpClient c(h.port());
  EXPECT_EQ(c.request(http::verb::get, "/timer").body(), "late");
  EXPECT_EQ(c.request(http::verb::get, "/timer").body(), "late");  // exactly one response each

  c.send(http::verb::get, "/park");
  Respond respond = parked.get_future().get();
  HttpResponse res;
  res.body = "from another thread";
  respond(res);  // called on the test thread
  EXPECT_EQ(c.read().body(), "from another thread");
}

TEST(NetHttp, RespondAfterClientLeftIsHarmless) {
  std::promise<Respond> parked;
  ServerHarness h({}, [&](Server& s) {
    s.route("/park", [&](const HttpRequest&, Respond respond) { parked.set_value(respond); });
    s.route("/ok", reply("ok"));
  });
  auto c = std::make_unique<HttpClient>(h.port());
  c->send(http::verb::get, "/park");
  Respond respond = parked.get_future().get();
  c.reset();
  respond(HttpResponse{});
  EXPECT_TRUE(h.eventually([&] { return h.server().connections() == 0; }));
  HttpClient c2(h.port());
  EXPECT_EQ(c2.request(http::verb::get, "/ok").body(), "ok");
}

TEST(NetHttp, RespondAfterServerDestroyedIsHarmless) {
  std::promise<Respond> parked;
  ServerHarness h({}, [&](Server& s) {
    s.route("/park", [&](const HttpRequest&, Respond respond) { parked.set_value(respond); });
  });
  HttpClient c(h.port());
  c.send(http::verb::get, "/park");
  Respond respond = parked.get_future().get();
  h.destroy_server();
  respond(HttpResponse{});
  EXPECT_NE(c.read_until_closed(), beast::error_code{});
}

TEST(NetHttp, MaxConnectionsGives503) {
  ServerOptions opts;
  opts.max_connections = 1;
  ServerHarness h(opts, [](Server& s) {
    s.route("/x", reply("ok"));
    s.websocket("/ws", WsHandler{});
  });
  auto first = std::make_unique<HttpClient>(h.port());
  EXPECT_EQ(first->request(http::verb::get, "/x").result_int(), 200u);

  HttpClient second(h.port());
  auto res = second.request(http::verb::get, "/x");
  EXPECT_EQ(res.result_int(), 503u);
  EXPECT_EQ(res.body(), R"({"error":{"code":"overloaded","message":"too many connections"}})");
  EXPECT_FALSE(res.keep_alive());

  asio::io_context ioc;
  websocket::stream<beast::tcp_stream> ws(ioc);
  beast::get_lowest_layer(ws).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), h.port()));
  websocket::response_type wres;
  beast::error_code ec;
  ws.handshake(wres, "127.0.0.1", "/ws", ec);
  EXPECT_EQ(ec, websocket::error::upgrade_declined);
  EXPECT_EQ(wres.result_int(), 503u);

  first.reset();
  EXPECT_TRUE(h.eventually([&] { return h.server().connections() == 0; }));
  HttpClient third(h.port());
  EXPECT_EQ(third.request(http::verb::get, "/x").result_int(), 200u);
}

TEST(NetHttp, StopEndsIdleConnectionsAndRunReturns) {
  ServerHarness h({}, [](Server& s) { s.route("/x", reply("ok")); }, /*keep_running=*/false);
  HttpClient c(h.port());
  EXPECT_EQ(c.request(http::verb::get, "/x").body(), "ok");
  h.on_io([&] {
    h.server().stop();
    return 0;
  });
  EXPECT_EQ(c.read_until_closed(), asio::error::eof);
  EXPECT_TRUE(h.ran_out_within(std::chrono::milliseconds(5000)));
}

}  // namespace
}  // namespace mdhub::net::test
