// wss:// and https:// against a mock venue whose certificate is issued by a test CA made
// with the openssl command line for this suite.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tests/feeds_common/runtime_fixture.hpp"

namespace mdhub::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class RuntimeTls : public RuntimeFixture {
 protected:
  static void SetUpTestSuite() {
    std::string tmpl = (fs::temp_directory_path() / "mdhub-tls-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    {
      std::ofstream ext(dir_ / "ext.cnf");
      ext << "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n";
    }
    const std::string d = dir_.string();
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    const std::string cmd =
        "cd '" + d + "' && (openssl req -x509" + ec +
        " -keyout ca.key -out ca.pem -days 2 -subj '/CN=mdhub test CA'"
        " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign"
        " && openssl req" + ec + " -keyout server.key -out server.csr -subj '/CN=mdhub test server'"
        " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial"
        " -out server.pem -days 2 -extfile ext.cnf)";
    ASSERT_EQ(std::system((cmd + " >/dev/null 2>&1").c_str()), 0) << cmd;
  }
  static void TearDownTestSuite() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  std::shared_ptr<boost::asio::ssl::context> server_ctx() {
    return server_tls((dir_ / "server.pem").string(), (dir_ / "server.key").string());
  }
  static std::string ca() { return (dir_ / "ca.pem").string(); }

  static std::shared_ptr<FakeScript> stream_script(const std::string& url) {
    auto s = std::make_shared<FakeScript>();
    StreamPlan p;
    p.name = "main";
    p.url = url;
    p.subscribe = {"sub"};
    s->streams.push_back(p);
    return s;
  }

  static fs::path dir_;
};

fs::path RuntimeTls::dir_;

TEST_F(RuntimeTls, WssAndHttpsWithConfiguredCa) {
  MockVenue v(io, server_ctx());
  v.on_http = discovery_then(nullptr);
  auto cfg = config(v);
  ASSERT_EQ(cfg.rest_base.substr(0, 8), "https://");
  cfg.ca_file = ca();
  auto r = make_runner(cfg, stream_script(v.ws_url("/ws")));
  r->start();
  ASSERT_TRUE(run_until([&] { return v.peers.size() == 1 && v.peers[0]->received.size() == 1; }))
      << r->stats().last_error;
  EXPECT_EQ(v.peers[0]->received[0], "sub");
  v.peers[0]->send("trade:0:31337");
  ASSERT_TRUE(run_until([&] { return sink.trades.size() == 1; }));
  EXPECT_EQ(sink.trades[0].price, 31337);
  EXPECT_EQ(r->stats().state, FeedState::live);
  r->stop();
  EXPECT_TRUE(run_until([&] { return !v.peers[0]->open; }));
}

TEST_F(RuntimeTls, UntrustedCertificateIsRejected) {
  MockVenue v(io, server_ctx());
  v.on_http = discovery_then(nullptr);
  auto r = make_runner(config(v), stream_script(v.ws_url("/ws")));  // no ca_file
  r->start();
  ASSERT_TRUE(run_until([&] { return r->stats().rest_errors >= 1; }));
  EXPECT_EQ(r->stats().state, FeedState::down);
  EXPECT_NE(r->stats().last_error.find("certificate verify failed"), std::string::npos) << r->stats().last_error;
  EXPECT_TRUE(v.requests.empty());
}

TEST_F(RuntimeTls, HostNameMismatchIsRejected) {
  MockVenue v(io, server_ctx());
  v.on_http = discovery_then(nullptr);
  auto cfg = config(v);
  cfg.ca_file = ca();
  // The certificate names 127.0.0.1 only.
  cfg.rest_base = "https://localhost:" + std::to_string(v.port()) + "/fake/api";
  auto r = make_runner(cfg, stream_script(v.ws_url("/ws")));
  r->start();
  ASSERT_TRUE(run_until([&] { return r->stats().rest_errors >= 1; }));
  EXPECT_EQ(r->stats().state, FeedState::down);
  EXPECT_NE(r->stats().last_error.find("certificate verify failed"), std::string::npos) << r->stats().last_error;
  EXPECT_TRUE(v.requests.empty());

  // Same for a websocket stream.
  auto cfg2 = config(v);
  cfg2.ca_file = ca();
  auto script = stream_script("wss://localhost:" + std::to_string(v.port()) + "/ws");
  auto r2 = make_runner(cfg2, script, 1);
  r2->start();
  ASSERT_TRUE(run_until([&] { return r2->stats().state == FeedState::down; }));
  EXPECT_NE(r2->stats().last_error.find("main: tls handshake: certificate verify failed"), std::string::npos)
      << r2->stats().last_error;
  EXPECT_TRUE(v.peers.empty());
}

TEST_F(RuntimeTls, MissingCaFileIsReported) {
  MockVenue v(io, server_ctx());
  auto cfg = config(v);
  cfg.ca_file = (dir_ / "nope.pem").string();
  auto r = make_runner(cfg, stream_script(v.ws_url("/ws")));
  r->start();
  EXPECT_EQ(r->stats().state, FeedState::down);
  EXPECT_NE(r->stats().last_error.find("cannot load ca_file"), std::string::npos) << r->stats().last_error;
}

}  // namespace
}  // namespace mdhub::test
