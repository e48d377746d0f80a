// The render worker: bounded work in flight (503 overloaded beyond it, counted), a render
// that throws, and answers that arrive after their server is gone.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "src/net/offload.hpp"
#include "tests/net/net_fixture.hpp"

namespace mdhub::net {
namespace {

using test::HttpClient;
using test::ServerHarness;
namespace http = test::http;

/// A job the test holds on the worker until it releases it.
struct Gate {
  std::promise<void> open;
  std::shared_future<void> opened = open.get_future().share();
  std::function<HttpResponse()> job(std::string body) {
    return [f = opened, body = std::move(body)] {
      f.wait();
      HttpResponse r;
      r.body = body;
      return r;
    };
  }
};

bool wait_for(const std::function<bool()>& cond) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!cond()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::yield();
  }
  return true;
}

TEST(Offload, BeyondMaxPendingRequestsAre503OverloadedAndCounted) {
  Offload offload(1, 2);
  Gate gate;
  ServerHarness h({}, [&](Server& s) {
    s.route("/r", [&](const HttpRequest& req, Respond respond) { offload.answer(std::move(respond), gate.job(req.target)); });
  });
  // Two requests wait on the held worker; the third finds the queue full.
  auto first = std::async(std::launch::async, [&] { return HttpClient(h.port()).request(http::verb::get, "/r?1"); });
  auto second = std::async(std::launch::async, [&] { return HttpClient(h.port()).request(http::verb::get, "/r?2"); });
  ASSERT_TRUE(wait_for([&] { return offload.pending() == 2; }));
  auto refused = HttpClient(h.port()).request(http::verb::get, "/r?3");
  EXPECT_EQ(refused.result_int(), 503u);
  EXPECT_EQ(refused.body(), R"({"error":{"code":"overloaded","message":"too many answers are being rendered; retry shortly"}})");
  EXPECT_EQ(offload.overloaded(), 1u);
  gate.open.set_value();
  EXPECT_EQ(first.get().body(), "/r?1");
  EXPECT_EQ(second.get().body(), "/r?2");
  EXPECT_TRUE(wait_for([&] { return offload.pending() == 0; }));
  // Room again: answered by the worker.
  EXPECT_EQ(HttpClient(h.port()).request(http::verb::get, "/r?4").body(), "/r?4");
  EXPECT_EQ(offload.overloaded(), 1u);
}

TEST(Offload, ARenderThatThrowsIs500AndTheWorkerGoesOn) {
  Offload offload;
  ServerHarness h({}, [&](Server& s) {
    s.route("/bad", [&](const HttpRequest&, Respond respond) {
      offload.answer(std::move(respond), []() -> HttpResponse { throw std::runtime_error("no such level"); });
    });
    s.route("/good", [&](const HttpRequest&, Respond respond) {
      offload.answer(std::move(respond), [] { return HttpResponse{200, "text/plain", "fine", {}, false}; });
    });
  });
  HttpClient c(h.port());
  auto bad = c.request(http::verb::get, "/bad");
  EXPECT_EQ(bad.result_int(), 500u);
  EXPECT_EQ(bad.body(), R"({"error":{"code":"internal_error","message":"no such level"}})");
  EXPECT_EQ(c.request(http::verb::get, "/good").body(), "fine");
}

TEST(Offload, AnAnswerAfterTheServerIsGoneIsDroppedAndJoinWaitsForIt) {
  Offload offload;
  Gate gate;
  std::atomic<bool> rendered{false};
  ServerHarness h({}, [&](Server& s) {
    s.route("/r", [&](const HttpRequest&, Respond respond) {
      offload.answer(std::move(respond), [&, job = gate.job("late")] {
        auto r = job();
        rendered = true;
        return r;
      });
    });
  });
  auto client = std::async(std::launch::async, [&] {
    try {
      return HttpClient(h.port()).request(http::verb::get, "/r").result_int();
    } catch (const std::exception&) {
      return 0u;  // the connection went with the server
    }
  });
  ASSERT_TRUE(wait_for([&] { return offload.pending() == 1; }));
  h.destroy_server();
  EXPECT_EQ(client.get(), 0u);
  gate.open.set_value();
  offload.join();  // the held job still runs; its answer is dropped
  EXPECT_TRUE(rendered);
  EXPECT_EQ(offload.pending(), 0u);
  // Joined: refused at once, never queued.
  HttpResponse got;
  offload.answer([&](HttpResponse r) { got = std::move(r); }, [] { return HttpResponse{}; });
  EXPECT_EQ(got.status, 503u);
}

}  // namespace
}  // namespace mdhub::net
