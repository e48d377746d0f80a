// The embedded dashboard: every asset is embedded byte for byte, served with the right
// content type and caching headers, references only embedded files and no external URL,
// and the catch-all route leaves the API routes alone.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "src/dashboard/dashboard.hpp"

namespace mdhub::dashboard {
namespace {

std::string read_source(const std::string& rel) {
  std::ifstream in(std::string(MDHUB_SOURCE_DIR) + "/src/dashboard/assets" + rel, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string* header(const net::HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return &v;
  return nullptr;
}

net::HttpRequest get(std::string path, std::string method = "GET") {
  net::HttpRequest r;
  r.method = std::move(method);
  r.target = path;
  r.path = std::move(path);
  return r;
}

TEST(Dashboard, RootIsIndexHtml) {
  const Asset* root = find_asset("/");
  const Asset* index = find_asset("/index.html");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root, index);
  EXPECT_EQ(root->content_type, "text/html; charset=utf-8");
  EXPECT_TRUE(root->body.starts_with("<!doctype html>"));
}

TEST(Dashboard, ContentTypes) {
  ASSERT_NE(find_asset("/app.js"), nullptr);
  EXPECT_EQ(find_asset("/app.js")->content_type, "text/javascript; charset=utf-8");
  ASSERT_NE(find_asset("/style.css"), nullptr);
  EXPECT_EQ(find_asset("/style.css")->content_type, "text/css; charset=utf-8");
  ASSERT_NE(find_asset("/favicon.svg"), nullptr);
  EXPECT_EQ(find_asset("/favicon.svg")->content_type, "image/svg+xml");
}

TEST(Dashboard, UnknownPathsAreNotFound) {
  EXPECT_EQ(find_asset(""), nullptr);
  EXPECT_EQ(find_asset("/nope.js"), nullptr);
  EXPECT_EQ(find_asset("/../index.html"), nullptr);
  EXPECT_EQ(find_asset("index.html"), nullptr);
  EXPECT_EQ(find_asset("/app.js/"), nullptr);
}

TEST(Dashboard, EveryAssetIsEmbeddedExactly) {
  const auto paths = asset_paths();
  ASSERT_GE(paths.size(), 4u);
  size_t files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(std::string(MDHUB_SOURCE_DIR) +
                                                                     "/src/dashboard/assets"))
    files += e.is_regular_file();
  EXPECT_EQ(paths.size(), files) << "an asset file is not embedded (re-run cmake?)";
  for (auto p : paths) {
    const Asset* a = find_asset(p);
    ASSERT_NE(a, nullptr) << p;
    const std::string source = read_source(std::string(p));
    EXPECT_TRUE(a->body == source) << p << ": embedded " << a->body.size() << " bytes, the source has "
                                   << source.size() << " (rebuild to re-embed)";
    EXPECT_NE(a->content_type, "application/octet-stream") << p;
  }
}

// Every module import and every src/href of the page must name an embedded file.
TEST(Dashboard, ReferencesResolveToEmbeddedFiles) {
  const std::regex import_re(R"re(from '\./([A-Za-z0-9_./-]+)')re");
  const std::regex attr_re(R"re((?:src|href)="(/[^"]*)")re");
  size_t refs = 0;
  for (auto p : asset_paths()) {
    const std::string body(find_asset(p)->body);
    const std::regex& re = p.ends_with(".js") ? import_re : attr_re;
    if (!p.ends_with(".js") && !p.ends_with(".html")) continue;
    for (auto it = std::sregex_iterator(body.begin(), body.end(), re); it != std::sregex_iterator(); ++it) {
      std::string ref = (*it)[1];
      if (ref[0] != '/') ref = "/" + ref;
      ++refs;
      EXPECT_NE(find_asset(ref), nullptr) << p << " refers to " << ref;
    }
  }
  EXPECT_GE(refs, 10u);
}

// The page must work offline: no CDN, no web font, no external script or stylesheet.
TEST(Dashboard, NoExternalUrls) {
  const std::regex url_re(R"re((https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,})re");
  for (auto p : asset_paths()) {
    const std::string body(find_asset(p)->body);
    for (auto it = std::sregex_iterator(body.begin(), body.end(), url_re); it != std::sregex_iterator(); ++it) {
      // An SVG namespace name is an identifier, never fetched.
      EXPECT_EQ(it->str(), "http://www.w3.org") << p << " mentions " << it->str();
    }
  }
}

TEST(Dashboard, ServesWithCachingAndSecurityHeaders) {
  const auto r = serve(get("/"));
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(r.body, find_asset("/index.html")->body);
  ASSERT_NE(header(r, "Cache-Control"), nullptr);
  EXPECT_EQ(*header(r, "Cache-Control"), "no-cache");
  ASSERT_NE(header(r, "Content-Security-Policy"), nullptr);
  EXPECT_NE(header(r, "Content-Security-Policy")->find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(*header(r, "X-Content-Type-Options"), "nosniff");

  const auto js = serve(get("/app.js"));
  EXPECT_EQ(js.status, 200u);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(*header(js, "Cache-Control"), "no-cache");
}

TEST(Dashboard, ErrorsAreJson) {
  const auto missing = serve(get("/missing.png"));
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(missing.content_type, "application/json");
  EXPECT_EQ(missing.body, R"({"error":{"code":"not_found","message":"no page or API endpoint at /missing.png"}})");

  const auto post = serve(get("/", "POST"));
  EXPECT_EQ(post.status, 405u);
  EXPECT_EQ(post.body, R"({"error":{"code":"method_not_allowed","message":"the dashboard is read-only: use GET"}})");
  ASSERT_NE(header(post, "Allow"), nullptr);
  EXPECT_EQ(*header(post, "Allow"), "GET, HEAD");
}

/// One HTTP/1.1 exchange over loopback; returns the raw response.
std::string fetch(uint16_t port, const std::string& path) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket s(io);
  s.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  const std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  boost::asio::write(s, boost::asio::buffer(req));
  std::string out;
  boost::system::error_code ec;
  boost::asio::read(s, boost::asio::dynamic_buffer(out), ec);  // until the server closes
  return out;
}

TEST(Dashboard, CatchAllRouteLeavesOtherRoutesAlone) {
  boost::asio::io_context io;
  net::Server server(io);
  install_dashboard(server);
  server.route("/api/", [](const net::HttpRequest&, net::Respond respond) {
    net::HttpResponse r;
    r.body = R"({"api":true})";
    respond(std::move(r));
  });
  const uint16_t port = server.listen("127.0.0.1", 0);
  std::thread t([&] { io.run(); });

  const std::string page = fetch(port, "/");
  const std::string script = fetch(port, "/ladder.js");
  const std::string api = fetch(port, "/api/v1/instruments");
  const std::string missing = fetch(port, "/nothing-here");

  boost::asio::post(io, [&] { server.stop(); });
  t.join();

  EXPECT_TRUE(page.starts_with("HTTP/1.1 200")) << page.substr(0, 80);
  EXPECT_NE(page.find("Cache-Control: no-cache"), std::string::npos);
  EXPECT_NE(page.find(std::string(find_asset("/")->body)), std::string::npos);
  EXPECT_TRUE(script.starts_with("HTTP/1.1 200"));
  EXPECT_NE(script.find("Content-Type: text/javascript; charset=utf-8"), std::string::npos);
  EXPECT_NE(api.find(R"({"api":true})"), std::string::npos);
  EXPECT_TRUE(missing.starts_with("HTTP/1.1 404")) << missing.substr(0, 80);
  EXPECT_NE(missing.find(R"("code":"not_found")"), std::string::npos);
}

}  // namespace
}  // namespace mdhub::dashboard
