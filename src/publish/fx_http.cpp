#include "src/publish/fx_http.hpp"

#include <algorithm>
#include <charconv>
#include <memory>

#include "src/fx/market.hpp"
#include "src/publish/http_api.hpp"

namespace mdhub {
namespace {

using net::HttpRequest;
using net::HttpResponse;


template <size_t N>
void bump(std::array<std::atomic<uint64_t>, N>& counters, const std::array<std::string_view, N>& names,
          std::string_view name) {
  const auto it = std::find(names.begin(), names.end(), name);
  if (it != names.end()) counters[static_cast<size_t>(it - names.begin())].fetch_add(1, std::memory_order_relaxed);
}

class FxApi {
 public:
  FxApi(const Engine& e, fx::FxConfig cfg, FxStats& stats, std::function<int64_t()> now)
      : engine_(e), cfg_(std::move(cfg)), statics_(fx::static_rates(cfg_)), stats_(stats), now_(std::move(now)) {}

  HttpResponse book(const HttpRequest& req) const {
    std::string_view pair(req.path);
    pair.remove_prefix(std::string_view("/api/v1/book/fx/").size());
    const auto dash = pair.find('-');
    if (dash == std::string_view::npos || pair.find('/') != std::string_view::npos)
      return api_error(400, "bad_param", "use /api/v1/book/fx/{BASE}-{QUOTE}, e.g. /api/v1/book/fx/BTC-USD");
    size_t depth = 50;
    if (const std::string* v = req.param("depth")) {
      auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), depth);
      if (ec != std::errc{} || p != v->data() + v->size() || depth < 1 || depth > 5000)
        return api_error(400, "bad_param", "depth must be an integer from 1 to 5000");
    }
    const std::string base(pair.substr(0, dash)), quote(pair.substr(dash + 1));
    const fx::FxMarket m = fx::market_of(engine_, base, depth, now_());
    fx::FxError err;
    const auto b = fx::fx_book(m, cfg_, statics_, base, quote, depth, err, &stats_);
    if (!b) return api_error(err.status, err.code, err.message);
    stats_.published_one("http_book");
    std::string out = "{";
    fx::render_book_fields(out, *b);
    out += '}';
    return api_json(200, std::move(out));
  }

  HttpResponse premium(const HttpRequest& req) const {
    std::string_view base(req.path);
    base.remove_prefix(std::string_view("/api/v1/premium/").size());
    if (base.empty() || base.find('/') != std::string_view::npos)
      return api_error(400, "bad_param", "use /api/v1/premium/{BASE}?quote=QUOTE, e.g. /api/v1/premium/BTC?quote=USD");
    const std::string* quote = req.param("quote");
    if (!quote) return api_error(400, "bad_param", "quote is required: /api/v1/premium/{BASE}?quote=QUOTE");
    const fx::FxMarket m = fx::market_of(engine_, std::string(base), 0, now_());
    fx::FxError err;
    const auto p = fx::premium(m, cfg_, statics_, std::string(base), *quote, err, &stats_);
    if (!p) return api_error(err.status, err.code, err.message);
    stats_.published_one("http_premium");
    std::string out = "{";
    fx::render_premium_fields(out, *p);
    out += '}';
    return api_json(200, std::move(out));
  }

 private:
  const Engine& engine_;
  fx::FxConfig cfg_;
  std::vector<fx::StaticRate> statics_;
  FxStats& stats_;
  std::function<int64_t()> now_;
};

}  // namespace

void FxStats::excluded_one(std::string_view reason) { bump(excluded_count, kFxReasons, reason); }
void FxStats::published_one(std::string_view kind) { bump(published_count, kFxPublished, kind); }

void install_fx_http_api(net::Server& server, const Engine& engine, const fx::FxConfig& cfg, FxStats& stats,
                         std::function<int64_t()> now_us) {
  auto api = std::make_shared<FxApi>(engine, cfg, stats, std::move(now_us));
  server.route("/api/v1/book/fx/", api_get_only([api](const HttpRequest& r) { return api->book(r); }));
  server.route("/api/v1/premium/", api_get_only([api](const HttpRequest& r) { return api->premium(r); }));
}

}  // namespace mdhub
