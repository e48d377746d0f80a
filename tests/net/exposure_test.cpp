// The server's access rules: auth token on chosen paths, Origin check on websocket
// upgrades, per-address connection cap, request-header deadline.
#include "tests/net/net_fixture.hpp"

namespace mdhub::net::test {
namespace {

/// Answers with the decoded query, "k=v;" per pair, to show what the handler was given.
void echo_query(const HttpRequest& req, Respond respond) {
  HttpResponse res;
  res.content_type = "text/plain";
  for (const auto& [k, v] : req.query) res.body += k + "=" + v + ";";
  respond(std::move(res));
}

ServerOptions guarded() {
  ServerOptions o;
  o.auth_token = "s3cret";
  o.auth_paths = {"/api/", "/ws"};
  return o;
}

void setup(Server& s) {
  s.route("/api/", echo_query);
  s.route("/open", echo_query);
  s.websocket("/ws", WsHandler{});
}

/// GET with optional Authorization header, on a fresh connection.
Response get(uint16_t port, const std::string& target, const std::string& authorization = {}) {
  HttpClient c(port);
  http::request<http::string_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (!authorization.empty()) req.set(http::field::authorization, authorization);
  http::write(c.stream(), req);
  return c.read();
}

/// A websocket handshake with the given Host and optional Origin; the declined response
/// (if any) in `res`.
beast::error_code ws_handshake(uint16_t port, const std::string& target, const std::string& host,
                               const std::string& origin, websocket::response_type& res) {
  asio::io_context ioc;
  websocket::stream<beast::tcp_stream> ws(ioc);
  beast::get_lowest_layer(ws).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  if (!origin.empty()) {
    ws.set_option(websocket::stream_base::decorator(
        [origin](websocket::request_type& req) { req.set(http::field::origin, origin); }));
  }
  beast::error_code ec;
  ws.handshake(res, host, target, ec);
  return ec;
}

constexpr std::string_view kUnauthorized =
    R"({"error":{"code":"unauthorized","message":"this path needs the server's token: header )"
    R"('Authorization: Bearer <token>' or query parameter 'token'"}})";

TEST(NetExposure, TokenGuardsChosenPathsOnly) {
  ServerHarness h(guarded(), setup);
  auto res = get(h.port(), "/api/v1/x?a=1");
  EXPECT_EQ(res.result_int(), 401u);
  EXPECT_EQ(res.body(), kUnauthorized);
  EXPECT_EQ(res[http::field::www_authenticate], "Bearer");
  EXPECT_EQ(get(h.port(), "/api/v1/x", "Bearer s3creT").result_int(), 401u);
  EXPECT_EQ(get(h.port(), "/api/v1/x", "Basic czNjcmV0").result_int(), 401u);
  EXPECT_EQ(get(h.port(), "/api/v1/x?token=s3cre").result_int(), 401u);

  res = get(h.port(), "/api/v1/x?a=1", "Bearer s3cret");
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(res.body(), "a=1;");
  // The query token is taken out before the handler sees the request.
  res = get(h.port(), "/api/v1/x?a=1&token=s3cret&b=2");
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(res.body(), "a=1;b=2;");
  // Paths outside auth_paths stay open, their parameters untouched.
  res = get(h.port(), "/open?token=whatever");
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(res.body(), "token=whatever;");

  websocket::response_type wres;
  EXPECT_EQ(ws_handshake(h.port(), "/ws", "127.0.0.1", "", wres), websocket::error::upgrade_declined);
  EXPECT_EQ(wres.result_int(), 401u);
  EXPECT_EQ(ws_handshake(h.port(), "/ws?token=s3cret", "127.0.0.1", "", wres), beast::error_code{});
  EXPECT_EQ(h.on_io([&] { return h.server().stats().unauthorized; }), 5u);
}

TEST(NetExposure, NoTokenMeansOpen) {
  ServerHarness h({}, setup);
  auto res = get(h.port(), "/api/v1/x?token=abc");
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(res.body(), "token=abc;");
  EXPECT_EQ(h.on_io([&] { return h.server().stats().unauthorized; }), 0u);
}

TEST(NetExposure, CrossOriginUpgradeRefusedUnlessListed) {
  ServerOptions o;
  o.check_origin = true;
  o.allowed_origins = {"https://dash.example"};
  ServerHarness h(o, setup);
  const std::string self = "127.0.0.1:" + std::to_string(h.port());
  websocket::response_type res;
  EXPECT_EQ(ws_handshake(h.port(), "/ws", self, "http://evil.example", res), websocket::error::upgrade_declined);
  EXPECT_EQ(res.result_int(), 403u);
  EXPECT_EQ(res.body(),
            R"x({"error":{"code":"forbidden_origin","message":"websocket from origin 'http://evil.example' )x"
            R"x(is not allowed (add it to allowed_origins)"}})x");
  // Same host, other port: another origin too.
  EXPECT_EQ(ws_handshake(h.port(), "/ws", self, "http://127.0.0.1:1", res), websocket::error::upgrade_declined);
  EXPECT_EQ(ws_handshake(h.port(), "/ws", self, "http://" + self, res), beast::error_code{});
  EXPECT_EQ(ws_handshake(h.port(), "/ws", self, "https://dash.example", res), beast::error_code{});
  EXPECT_EQ(ws_handshake(h.port(), "/ws", self, "", res), beast::error_code{});
  EXPECT_EQ(h.on_io([&] { return h.server().stats().forbidden_origin; }), 2u);
}

TEST(NetExposure, PerAddressCapClosesExcessAtAccept) {
  ServerOptions o;
  o.max_connections_per_ip = 2;
  ServerHarness h(o, setup);
  auto a = std::make_unique<HttpClient>(h.port());
  HttpClient b(h.port());
  EXPECT_EQ(a->request(http::verb::get, "/open").result_int(), 200u);
  EXPECT_EQ(b.request(http::verb::get, "/open").result_int(), 200u);
  HttpClient c(h.port());
  const auto ec = c.read_until_closed();
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  EXPECT_EQ(h.on_io([&] { return h.server().stats().per_ip_limit; }), 1u);
  // A slot comes back when a connection of that address ends.
  a.reset();
  EXPECT_TRUE(h.eventually([&] { return h.server().connections() == 1; }));
  HttpClient d(h.port());
  EXPECT_EQ(d.request(http::verb::get, "/open").result_int(), 200u);
}

TEST(NetExposure, HeaderMustCompleteInTime) {
  ServerOptions o;
  o.header_timeout_ms = 200;
  ServerHarness h(o, setup);
  HttpClient slow(h.port());
  slow.send_raw("GET /open HTTP/1.1\r\nHost: a\r\n");  // the header never ends
  EXPECT_EQ(slow.read_until_closed(), asio::error::eof);
  EXPECT_EQ(h.on_io([&] { return h.server().stats().header_timeout; }), 1u);
}

TEST(NetExposure, IdleKeepAliveIsNotAHeaderTimeout) {
  ServerOptions o;
  o.header_timeout_ms = 50;
  ServerHarness h(o, setup);
  HttpClient c(h.port());
  EXPECT_EQ(c.request(http::verb::get, "/open").result_int(), 200u);
  // Silence between requests is governed by idle_timeout_s (60 s), not the header deadline.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(c.request(http::verb::get, "/open?a=b").body(), "a=b;");
  EXPECT_EQ(h.on_io([&] { return h.server().stats().header_timeout; }), 0u);
}

}  // namespace
}  // namespace mdhub::net::test
