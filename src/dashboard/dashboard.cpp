#include "src/dashboard/dashboard.hpp"

#include <algorithm>
#include <map>
#include <string>

#include "embedded.hpp"
#include "src/net/http_util.hpp"

namespace mdhub::dashboard {
namespace {

std::string_view content_type_for(std::string_view path) {
  const auto dot = path.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  // Module scripts are refused by browsers unless served with a JavaScript MIME type.
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "json") return "application/json";
  if (ext == "woff2") return "font/woff2";
  if (ext == "txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

/// Served path ("/app.js") -> asset, built once from the generated table.
const std::map<std::string, Asset, std::less<>>& table() {
  static const auto t = [] {
    std::map<std::string, Asset, std::less<>> m;
    for (size_t i = 0; i < detail::kEmbeddedFileCount; ++i) {
      const auto& f = detail::kEmbeddedFiles[i];
      const std::string path = std::string("/") + f.path;
      m.emplace(path, Asset{std::string_view(reinterpret_cast<const char*>(f.data), f.size),
                            content_type_for(path)});
    }
    return m;
  }();
  return t;
}

// The page loads only its own files and talks only to its own origin; the policy makes the
// browser enforce that, so a stray external URL fails loudly instead of leaking requests.
constexpr std::string_view kPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";

}  // namespace

const Asset* find_asset(std::string_view path) {
  if (path == "/") path = "/index.html";
  const auto& t = table();
  auto it = t.find(path);
  return it == t.end() ? nullptr : &it->second;
}

std::vector<std::string_view> asset_paths() {
  std::vector<std::string_view> out;
  for (const auto& [path, asset] : table()) out.emplace_back(path);
  return out;
}

net::HttpResponse serve(const net::HttpRequest& req) {
  net::HttpResponse r;
  if (req.method != "GET") {
    r.status = 405;
    r.body = net::detail::json_error("method_not_allowed", "the dashboard is read-only: use GET");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  const Asset* a = find_asset(req.path);
  if (!a) {
    r.status = 404;
    r.body = net::detail::json_error("not_found", "no page or API endpoint at " + req.path);
    return r;
  }
  r.content_type = std::string(a->content_type);
  r.body = std::string(a->body);
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (a->content_type.starts_with("text/html")) {
    r.headers.emplace_back("Content-Security-Policy", std::string(kPolicy));
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
  }
  return r;
}

}  // namespace mdhub::dashboard

namespace mdhub {

void install_dashboard(net::Server& server) {
  server.route("/", [](const net::HttpRequest& req, net::Respond respond) { respond(dashboard::serve(req)); });
}

}  // namespace mdhub
