#pragma once
// The web dashboard: static assets (HTML, JS modules, CSS, icons) embedded in the binary at
// build time and served by mdhub itself at `GET /`; the page then goes live over `/ws` and
// polls the HTTP API. No file is read at run time and the page makes no external request.
// Everything here is immutable after static initialisation: thread-safe.
#include <string_view>
#include <vector>

#include "src/net/server.hpp"

namespace mdhub::dashboard {

struct Asset {
  std::string_view body;          ///< the file's bytes, static storage
  std::string_view content_type;  ///< e.g. "text/javascript; charset=utf-8"
};

/// The asset served at a request path ("/" and "/index.html" -> index.html, "/app.js" ->
/// app.js), or nullptr. Only embedded files are ever returned: no file system access.
const Asset* find_asset(std::string_view path);

/// Paths of every embedded asset as served ("/index.html", "/app.js", ...), sorted.
std::vector<std::string_view> asset_paths();

/// The response to one request: the asset with `Cache-Control: no-cache` (so an upgraded
/// binary is picked up on reload), a JSON 404 for unknown paths, 405 for methods other
/// than GET (HEAD arrives as GET).
net::HttpResponse serve(const net::HttpRequest& req);

}  // namespace mdhub::dashboard

namespace mdhub {

/// Registers dashboard::serve as the catch-all route "/". More specific routes (/api/...,
/// /ws, /healthz, /metrics) keep winning by the server's longest-match rule. Call before
/// Server::listen, from the server's thread.
void install_dashboard(net::Server& server);

}  // namespace mdhub
