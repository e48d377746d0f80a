#include "src/runtime/http_client.hpp"

#include <openssl/ssl.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <ctime>
#include <limits>
#include <optional>
#include <type_traits>

#include "src/runtime/tls_context.hpp"

namespace mdhub {

namespace {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

constexpr uint32_t kHeaderLimit = 64 << 10;
}  // namespace

/// One TCP (or TLS) connection; requests on it run one after another.
struct HttpClient::Conn {
  /// `stale`: failed on a reused connection before any response byte: worth one retry.
  using Finish = std::function<void(HttpResult, bool stale)>;
  virtual ~Conn() = default;
  virtual void request(const std::string& target, Finish finish) = 0;
  virtual bool reusable() const = 0;
  virtual void abandon() = 0;
};

namespace {

template <class Stream>
constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

template <class Stream>
class ConnImpl final : public HttpClient::Conn, public std::enable_shared_from_this<ConnImpl<Stream>> {
 public:
  template <class... StreamArgs>
  ConnImpl(net::io_context& io, const HttpOptions& opt, StreamArgs&&... args)
      : opt_(opt), resolver_(io), stream_(io.get_executor(), std::forward<StreamArgs>(args)...), deadline_(io) {}

  void request(const std::string& target, Finish finish) override {
    busy_ = true;
    timed_out_ = false;
    reused_ = connected_;
    finish_ = std::move(finish);
    req_ = {};
    req_.method(http::verb::get);
    req_.target(target);
    req_.version(11);
    req_.set(http::field::host, opt_.base.host_header());
    req_.set(http::field::user_agent, opt_.user_agent);
    req_.set(http::field::accept, "application/json");
    req_.keep_alive(true);
    auto self = this->shared_from_this();
    const uint64_t gen = ++gen_;
    deadline_.expires_after(opt_.timeout);
    deadline_.async_wait([self, gen](beast::error_code ec) {
      // An expiry queued just before the request finished must not hit the next one.
      if (ec || !self->busy_ || gen != self->gen_) return;
      self->timed_out_ = true;
      self->drop();  // the pending operation completes with an error
    });
    if (connected_) return do_write();
    resolver_.async_resolve(opt_.base.host, std::to_string(opt_.base.port),
                            [self](beast::error_code ec, tcp::resolver::results_type results) {
                              self->on_resolve(ec, results);
                            });
  }

  bool reusable() const override { return connected_ && !dead_ && !busy_; }

  void abandon() override {
    abandoned_ = true;
    dead_ = true;
    deadline_.cancel();
    drop();
  }

 private:
  void on_resolve(beast::error_code ec, const tcp::resolver::results_type& results) {
    if (ec) return fail("resolve " + opt_.base.host, ec);
    beast::get_lowest_layer(stream_).async_connect(
        results, [self = this->shared_from_this()](beast::error_code e, const tcp::endpoint&) {
          self->on_connect(e);
        });
  }

  void on_connect(beast::error_code ec) {
    if (ec) return fail("connect " + opt_.base.host_header(), ec);
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().set_option(tcp::no_delay(true), ignored);
    if constexpr (kTls<Stream>) {
      if (!is_ip_literal(opt_.base.host) &&
          SSL_ctrl(stream_.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                   const_cast<char*>(opt_.base.host.c_str())) != 1)
        return fail("tls", beast::error_code(net::error::invalid_argument));
      stream_.set_verify_callback(net::ssl::host_name_verification(opt_.base.host));
      stream_.async_handshake(net::ssl::stream_base::client,
                              [self = this->shared_from_this()](beast::error_code e) {
                                if (e) return self->fail("tls handshake", e);
                                self->connected_ = true;
                                self->do_write();
                              });
    } else {
      connected_ = true;
      do_write();
    }
  }

  void do_write() {
    http::async_write(stream_, req_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->fail("send", ec);
      self->do_read();
    });
  }

  void do_read() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(opt_.body_limit);
    http::async_read(stream_, buf_, *parser_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec) return fail("read", ec);
    auto& res = parser_->get();
    HttpResult r;
    r.ok = true;
    r.status = res.result_int();
    if (auto it = res.find(http::field::retry_after); it != res.end())
      r.retry_after = std::string(it->value());
    if (!res.keep_alive()) {
      dead_ = true;
      drop();
    }
    r.body = std::move(res.body());
    parser_.reset();
    finish(std::move(r), false);
  }

  void fail(const std::string& what, beast::error_code ec) {
    HttpResult r;
    r.timed_out = timed_out_;
    if (timed_out_) {
      r.error = "timed out after " + std::to_string(opt_.timeout.count()) + " ms";
    } else if (ec == http::error::body_limit) {
      r.error = "response body over " + std::to_string(opt_.body_limit) + " bytes";
    } else {
      r.error = what + ": " + ec.message();
    }
    const bool got_bytes = buf_.size() > 0 || (parser_ && parser_->got_some());
    const bool stale = reused_ && !timed_out_ && !got_bytes;
    dead_ = true;
    drop();
    finish(std::move(r), stale);
  }

  void finish(HttpResult r, bool stale) {
    deadline_.cancel();
    busy_ = false;
    if (abandoned_) return;
    auto f = std::move(finish_);
    finish_ = nullptr;
    if (f) f(std::move(r), stale);
  }

  void drop() {
    resolver_.cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().close(ignored);
  }

  HttpOptions opt_;
  tcp::resolver resolver_;
  Stream stream_;
  beast::flat_buffer buf_;
  net::steady_timer deadline_;
  http::request<http::empty_body> req_;
  std::optional<http::response_parser<http::string_body>> parser_;
  Finish finish_;
  bool connected_ = false, dead_ = false, busy_ = false, abandoned_ = false;
  bool timed_out_ = false, reused_ = false;
  uint64_t gen_ = 0;
};

}  // namespace

HttpClient::HttpClient(net::io_context& io, HttpOptions opt) : io_(io), opt_(std::move(opt)) {
  if (opt_.base.tls && !opt_.tls) {
    auto ctx = make_client_tls("");
    if (ctx) {
      opt_.tls = ctx.value();
    } else {
      opt_.tls = std::make_shared<net::ssl::context>(net::ssl::context::tls_client);
      opt_.tls->set_verify_mode(net::ssl::verify_peer);
    }
  }
}

HttpClient::~HttpClient() { close(); }

void HttpClient::close() {
  if (conn_) conn_->abandon();
  conn_.reset();
  busy_ = false;
}

void HttpClient::open_conn() {
  if (conn_) conn_->abandon();
  if (opt_.base.tls)
    conn_ = std::make_shared<ConnImpl<beast::ssl_stream<beast::tcp_stream>>>(io_, opt_, *opt_.tls);
  else
    conn_ = std::make_shared<ConnImpl<beast::tcp_stream>>(io_, opt_);
  ++connections_;
}

void HttpClient::get(std::string target, Done done) {
  busy_ = true;
  if (!conn_ || !conn_->reusable()) open_conn();
  send(std::move(target), std::move(done), true);
}

void HttpClient::send(std::string target, Done done, bool may_retry) {
  // `this` is safe in the callback: close() (also run by the destructor) abandons the
  // connection, which then never calls back.
  conn_->request(target, [this, target, done = std::move(done), may_retry](HttpResult r, bool stale) mutable {
    if (stale && may_retry) {
      open_conn();
      send(std::move(target), std::move(done), false);
      return;
    }
    busy_ = false;
    done(std::move(r));
  });
}

std::string_view to_string(RetryAfterForm f) {
  switch (f) {
    case RetryAfterForm::delay: return "retry_after_delay";
    case RetryAfterForm::epoch_s: return "retry_after_epoch_s";
    case RetryAfterForm::epoch_ms: return "retry_after_epoch_ms";
    case RetryAfterForm::date: return "retry_after_date";
  }
  return "retry_after_unknown";
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, int64_t now_wall_ms,
                                                           RetryAfterForm* form) {
  using std::chrono::milliseconds;
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  const auto until = [&](int64_t at_ms, RetryAfterForm f) {
    if (form) *form = f;
    return milliseconds(at_ms > now_wall_ms ? at_ms - now_wall_ms : 0);
  };
  int64_t n = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec == std::errc::result_out_of_range && p == value.data() + value.size() && value.front() != '-')
    return until(std::numeric_limits<int64_t>::max(), RetryAfterForm::epoch_ms);
  if (ec == std::errc{} && p == value.data() + value.size()) {
    if (n < 0) return std::nullopt;
    const int64_t now_s = now_wall_ms / 1000;
    if (n < now_s / 2) {
      if (form) *form = RetryAfterForm::delay;
      return milliseconds(n > std::numeric_limits<int64_t>::max() / 1000 ? std::numeric_limits<int64_t>::max() : n * 1000);
    }
    if (n / 30 < now_s) return until(n * 1000, RetryAfterForm::epoch_s);
    return until(n, RetryAfterForm::epoch_ms);
  }
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
  std::tm tm{};
  const std::string s(value);
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return until(static_cast<int64_t>(timegm(&tm)) * 1000, RetryAfterForm::date);
}

}  // namespace mdhub
