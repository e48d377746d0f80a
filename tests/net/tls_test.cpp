// https/wss: a self-signed certificate made in the test, verified by the clients.
#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "tests/net/net_fixture.hpp"

namespace mdhub::net::test {
namespace {

namespace ssl = asio::ssl;
namespace fs = std::filesystem;

/// A self-signed certificate for 127.0.0.1 / localhost, written as PEM files into a
/// fresh temporary directory that is removed afterwards.
class TempCert {
 public:
  TempCert() {
    static int counter = 0;
    dir_ = fs::temp_directory_path() /
           ("mdhub-net-tls-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(dir_);
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* x = X509_new();
    if (!key || !x) throw std::runtime_error("openssl allocation failed");
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, key);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
    for (const auto& [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"},
                                     std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
      if (!ext) throw std::runtime_error("openssl extension failed");
      X509_add_ext(x, ext, -1);
      X509_EXTENSION_free(ext);
    }
    if (X509_sign(x, key, EVP_sha256()) == 0) throw std::runtime_error("openssl sign failed");

    BIO* cert_bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(cert_bio, x);
    cert_pem_ = read_bio(cert_bio);
    BIO* key_bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(key_bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    const std::string key_pem = read_bio(key_bio);
    X509_free(x);
    EVP_PKEY_free(key);
    std::ofstream(cert_file()) << cert_pem_;
    std::ofstream(key_file()) << key_pem;
  }
  ~TempCert() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  TempCert(const TempCert&) = delete;
  TempCert& operator=(const TempCert&) = delete;

  std::string cert_file() const { return (dir_ / "cert.pem").string(); }
  std::string key_file() const { return (dir_ / "key.pem").string(); }
  const std::string& cert_pem() const { return cert_pem_; }

 private:
  static std::string read_bio(BIO* bio) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    std::string s(data, static_cast<size_t>(n));
    BIO_free(bio);
    return s;
  }
  fs::path dir_;
  std::string cert_pem_;
};

ssl::context client_context(const std::string& ca_pem) {
  ssl::context ctx(ssl::context::tls_client);
  if (!ca_pem.empty()) ctx.add_certificate_authority(asio::buffer(ca_pem));
  ctx.set_verify_mode(ssl::verify_peer);
  return ctx;
}

ServerOptions tls_options(const TempCert& cert) {
  ServerOptions opts;
  opts.tls_cert_file = cert.cert_file();
  opts.tls_key_file = cert.key_file();
  return opts;
}

void setup(Server& s) {
  s.route("/hello", [](const HttpRequest& req, Respond respond) {
    HttpResponse res;
    res.body = "secure " + req.path;
    respond(std::move(res));
  });
  WsHandler w;
  w.on_message = [](const std::shared_ptr<WsSession>& ss, std::string_view t) {
    ss->send(text("echo:" + std::string(t)));
  };
  s.websocket("/ws", w);
}

TEST(NetTls, HttpsAndWssWithVerifiedCertificate) {
  TempCert cert;
  ServerHarness h(tls_options(cert), setup);
  auto ctx = client_context(cert.cert_pem());
  asio::io_context ioc;
  {
    beast::ssl_stream<beast::tcp_stream> s(ioc, ctx);
    s.set_verify_callback(ssl::host_name_verification("127.0.0.1"));
    beast::get_lowest_layer(s).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), h.port()));
    s.handshake(ssl::stream_base::client);
    for (int i = 0; i < 2; ++i) {  // keep-alive over TLS
      http::request<http::string_body> req{http::verb::get, "/hello", 11};
      req.set(http::field::host, "127.0.0.1");
      http::write(s, req);
      beast::flat_buffer buf;
      Response res;
      http::read(s, buf, res);
      EXPECT_EQ(res.result_int(), 200u);
      EXPECT_EQ(res.body(), "secure /hello");
    }
  }
  {
    websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(ioc, ctx);
    ws.next_layer().set_verify_callback(ssl::host_name_verification("localhost"));
    beast::get_lowest_layer(ws).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), h.port()));
    ws.next_layer().handshake(ssl::stream_base::client);
    ws.handshake("localhost", "/ws");
    ws.write(asio::buffer(std::string_view("over tls")));
    beast::flat_buffer buf;
    ws.read(buf);
    EXPECT_EQ(beast::buffers_to_string(buf.data()), "echo:over tls");
    ws.close(websocket::close_code::normal);
  }
}

TEST(NetTls, UntrustedOrPlainClientsAreRefused) {
  TempCert cert;
  ServerHarness h(tls_options(cert), setup);
  asio::io_context ioc;
  {
    auto ctx = client_context("");  // trusts nothing
    beast::ssl_stream<beast::tcp_stream> s(ioc, ctx);
    beast::get_lowest_layer(s).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), h.port()));
    beast::error_code ec;
    s.handshake(ssl::stream_base::client, ec);
    EXPECT_TRUE(ec);
  }
  // Plain HTTP on the TLS port never gets an HTTP answer.
  HttpClient c(h.port());
  c.send(http::verb::get, "/hello");
  Response res;
  beast::error_code ec;
  http::read(c.stream(), c.buffer(), res, ec);
  EXPECT_TRUE(ec);
}

TEST(NetTls, BadCertificateFileFailsListen) {
  asio::io_context io;
  ServerOptions opts;
  opts.tls_cert_file = "/nonexistent/cert.pem";
  opts.tls_key_file = "/nonexistent/key.pem";
  Server s(io, opts);
  try {
    s.listen("127.0.0.1", 0);
    FAIL() << "listen should throw";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(std::string(e.what()).starts_with("cannot load TLS certificate /nonexistent/cert.pem"))
        << e.what();
  }
}

TEST(NetServer, ListenFailureIsAClearError) {
  asio::io_context io;
  Server a(io), b(io);
  const uint16_t port = a.listen("127.0.0.1", 0);
  try {
    b.listen("127.0.0.1", port);
    FAIL() << "second bind should fail";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(std::string(e.what()).starts_with("cannot listen on 127.0.0.1:" +
                                                  std::to_string(port) + ": "))
        << e.what();
  }
}

}  // namespace
}  // namespace mdhub::net::test
