#pragma once
// Private to src/net: one HTTP/1.1 connection (keep-alive, one request at a time),
// templated on the byte stream and instantiated in session_plain.cpp / session_tls.cpp.
// Hands the connection to a WsSessionImpl on a websocket upgrade.
#include <boost/asio/post.hpp>

#include <atomic>
#include <algorithm>
#include <memory>
#include <optional>
#include <string>

#include "src/net/access.hpp"
#include "src/net/http_util.hpp"
#include "src/net/ws_session.hpp"

namespace mdhub::net::detail {

/// After a response with `Connection: close`, unread request bytes are drained this long
/// before the socket closes, so the peer sees the response rather than a reset.
inline constexpr std::chrono::seconds kLingerTimeout{2};
inline constexpr std::chrono::milliseconds kStopLingerTimeout{200};
/// Bytes asked for by the first read of a request (the header usually fits).
inline constexpr size_t kFirstRead = 4096;
inline const std::vector<std::pair<std::string, std::string>> kBearerChallenge = {
    {"WWW-Authenticate", "Bearer"}};

template <class Stream>
class HttpSession final : public Closable,
                          public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  HttpSession(std::shared_ptr<ServerCore> core, Stream&& stream, ConnectionSlot slot)
      : core_(std::move(core)), stream_(std::move(stream)), slot_(std::move(slot)) {
    boost::system::error_code ec;
    const auto ep = lowest().socket().remote_endpoint(ec);
    if (!ec) {
      // Appends, not `"[" + str`: GCC 12 warns falsely (-Wrestrict) on literal + temporary.
      const bool v6 = ep.address().is_v6();
      if (v6) remote_ += '[';
      remote_ += ep.address().to_string();
      if (v6) remote_ += ']';
      remote_ += ':';
      remote_ += std::to_string(ep.port());
    }
  }

  ~HttpSession() override {
    if (live_id_ != 0) core_->remove_live(live_id_);
  }

  void run() {
    live_id_ = core_->add_live(this->weak_from_this());
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      state_ = State::handshake;
      lowest().expires_after(idle_timeout());
      stream_.async_handshake(asio::ssl::stream_base::server,
                              beast::bind_front_handler(&HttpSession::on_handshake,
                                                        this->shared_from_this()));
    } else {
      do_read();
    }
  }

  void shutdown(uint16_t) override {
    // A request being handled or a response being written finishes first; its response
    // carries `Connection: close` because core_->stopped is set.
    if (state_ == State::reading || state_ == State::handshake || state_ == State::closing) {
      kill();
    }
  }

  void kill() override {
    if (state_ == State::upgraded || state_ == State::closed) return;
    state_ = State::closed;
    lowest().close();
  }

 private:
  enum class State { handshake, reading, handling, writing, closing, closed, upgraded };

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }
  std::chrono::seconds idle_timeout() const {
    return std::chrono::seconds(std::max(1, core_->opts.idle_timeout_s));
  }

  void on_handshake(beast::error_code ec) {
    if (ec) return close_now();
    do_read();
  }

  // A request is read in three steps, each with its own deadline: its first bytes (an
  // idle keep-alive connection may wait idle_timeout_s), its header (header_timeout_ms
  // from then), its body (idle_timeout_s again).
  void do_read() {
    state_ = State::reading;
    parser_.emplace();
    parser_->body_limit(core_->opts.max_request_body);
    if (buffer_.size() > 0) return read_header();  // pipelined: the next request is here
    lowest().expires_after(idle_timeout());
    stream_.async_read_some(buffer_.prepare(kFirstRead),
                            [s = this->shared_from_this()](beast::error_code ec, size_t n) {
                              if (s->state_ != State::reading) return;
                              if (ec) return s->close_now();
                              s->buffer_.commit(n);
                              s->read_header();
                            });
  }

  void read_header() {
    lowest().expires_after(std::chrono::milliseconds(std::max(1, core_->opts.header_timeout_ms)));
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&HttpSession::on_header, this->shared_from_this()));
  }

  void on_header(beast::error_code ec, size_t n) {
    if (state_ != State::reading) return;
    if (ec == beast::error::timeout) {
      ++core_->stats.header_timeout;
      return close_now();
    }
    if (ec || parser_->is_done()) return on_read(ec, n);
    lowest().expires_after(idle_timeout());
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&HttpSession::on_read, this->shared_from_this()));
  }

  void on_read(beast::error_code ec, size_t) {
    if (state_ != State::reading) return;  // killed meanwhile
    if (ec) {
      if (ec == http::error::body_limit) {
        std::string msg = "request body over ";
        msg += std::to_string(core_->opts.max_request_body);
        msg += " bytes";
        return reply_error(413, "payload_too_large", std::move(msg), true);
      }
      if (ec == http::error::header_limit) {
        return reply_error(431, "header_too_large", "request header too large", true);
      }
      // A request that does not parse gets told why; a vanished or idle peer does not.
      if (ec.category() == http::make_error_code(http::error::bad_target).category() &&
          ec != http::error::end_of_stream && ec != http::error::partial_message) {
        std::string msg = "malformed request: ";
        msg += ec.message();
        return reply_error(400, "bad_request", std::move(msg), true);
      }
      return close_now();
    }
    handle_request();
  }

  void handle_request() {
    auto& req = parser_->get();
    version_ = req.version();
    keep_alive_ = req.keep_alive();
    head_ = req.method() == http::verb::head;
    if (!slot_.counted()) {
      return reply_error(503, "overloaded", "too many connections", true);
    }
    std::string path;
    std::vector<std::pair<std::string, std::string>> query;
    if (!parse_target(req.target(), path, query)) {
      return reply_error(400, "bad_request", "malformed request target", false);
    }
    if (core_->dead) return close_now();
    if (!authorized(req, path, query)) {
      ++core_->stats.unauthorized;
      write_response(401, "application/json",
                     json_error("unauthorized", "this path needs the server's token: header 'Authorization: "
                                                "Bearer <token>' or query parameter 'token'"),
                     &kBearerChallenge, false);
      return;
    }
    if (websocket::is_upgrade(req)) {
      if (auto ws = core_->find_ws_route(path)) {
        if (core_->stopped) return reply_error(503, "shutting_down", "server is stopping", true);
        if (!origin_allowed(req)) {
          ++core_->stats.forbidden_origin;
          std::string msg = "websocket from origin '";
          msg += req[http::field::origin];
          msg += "' is not allowed (add it to allowed_origins)";
          return reply_error(403, "forbidden_origin", std::move(msg), false);
        }
        return upgrade(std::move(ws), std::move(path));
      }
    }
    auto handler = core_->find_route(path);
    if (!handler) return reply_error(404, "not_found", "no route for " + path, false);

    HttpRequest r;
    r.method = head_ ? std::string("GET") : std::string(req.method_string());
    r.target = std::string(req.target());
    r.path = std::move(path);
    r.query = std::move(query);
    r.body = std::move(req.body());
    r.remote = remote_;
    state_ = State::handling;
    lowest().expires_never();  // the handler may take its time (simulated slow answers)
    (*handler)(r, make_responder());
  }

  /// With an auth token, a path under auth_paths needs it (and loses its `token` parameter).
  bool authorized(const http::request<http::string_body>& req, std::string_view path,
                  std::vector<std::pair<std::string, std::string>>& query) const {
    const auto& o = core_->opts;
    if (o.auth_token.empty() ||
        std::none_of(o.auth_paths.begin(), o.auth_paths.end(),
                     [&](const std::string& r) { return route_matches(r, path); }))
      return true;
    bool ok = false;
    if (auto h = req.find(http::field::authorization); h != req.end()) {
      ok = token_equal(o.auth_token, bearer_token(h->value()));
    }
    for (const auto& [k, v] : query) {
      if (k == "token") ok = ok || token_equal(o.auth_token, v);
    }
    std::erase_if(query, [](const auto& kv) { return kv.first == "token"; });
    return ok;
  }

  bool origin_allowed(const http::request<http::string_body>& req) const {
    const auto& o = core_->opts;
    const auto origin = req.find(http::field::origin);
    if (!o.check_origin || origin == req.end()) return true;
    return same_origin(origin->value(), req[http::field::host], std::is_same_v<Stream, TlsStream>) ||
           origin_listed(origin->value(), o.allowed_origins);
  }

  Respond make_responder() {
    // Holds the session alive until the response is given (no I/O is pending meanwhile).
    // Dropping every copy unanswered frees the session, which closes the connection.
    struct Pending {
      Pending(std::shared_ptr<HttpSession> s, asio::io_context::executor_type e)
          : session(std::move(s)), ex(std::move(e)) {}
      std::shared_ptr<HttpSession> session;  // taken by the one call that wins `done`
      asio::io_context::executor_type ex;
      std::atomic<bool> done{false};
    };
    auto p = std::make_shared<Pending>(this->shared_from_this(), core_->io.get_executor());
    return [p](HttpResponse res) {
      if (p->done.exchange(true)) return;
      // Always a fresh turn of the io_context: never re-enters the session from inside the
      // handler, and makes a call from another thread safe.
      asio::post(p->ex, [s = std::move(p->session), res = std::move(res)]() mutable {
        s->on_response(std::move(res));
      });
    };
  }

  void on_response(HttpResponse res) {
    if (state_ != State::handling) return;  // killed while the handler worked
    write_response(res.status, res.content_type, std::move(res.body), &res.headers, res.close);
  }

  void reply_error(unsigned status, std::string_view code, std::string message, bool close) {
    write_response(status, "application/json", json_error(code, message), nullptr, close);
  }

  static bool header_ok(std::string_view s) {
    return s.find_first_of("\r\n") == std::string_view::npos;
  }

  void write_response(unsigned status, std::string_view content_type, std::string body,
                      const std::vector<std::pair<std::string, std::string>>* headers,
                      bool close) {
    res_ = {};
    res_.version(version_);
    res_.result(status >= 100 && status <= 999 ? status : 500);
    res_.set(http::field::server, "mdhub");
    if (!content_type.empty() && header_ok(content_type)) {
      res_.set(http::field::content_type, content_type);
    }
    if (headers) {
      for (const auto& [name, value] : *headers) {
        if (!name.empty() && header_ok(name) && header_ok(value)) res_.insert(name, value);
      }
    }
    close_after_ = close || !keep_alive_ || core_->stopped || !slot_.counted();
    res_.keep_alive(!close_after_);
    const auto cls = http::to_status_class(res_.result());
    if (cls == http::status_class::informational || res_.result() == http::status::no_content ||
        res_.result() == http::status::not_modified) {
      body.clear();  // these statuses carry no body
    }
    res_.body() = std::move(body);
    res_.prepare_payload();
    if (head_) res_.body().clear();  // Content-Length still tells the GET size
    state_ = State::writing;
    lowest().expires_after(idle_timeout());
    http::async_write(stream_, res_,
                      beast::bind_front_handler(&HttpSession::on_write, this->shared_from_this()));
  }

  void on_write(beast::error_code ec, size_t) {
    if (state_ != State::writing) return;
    res_ = {};
    if (ec) return close_now();
    // stop() may have come while the response was being written.
    if (close_after_ || core_->stopped) return graceful_close();
    do_read();
  }

  void graceful_close() {
    state_ = State::closing;
    const std::chrono::milliseconds linger =
        core_->stopped ? kStopLingerTimeout : std::chrono::milliseconds(kLingerTimeout);
    lowest().expires_after(linger);
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      stream_.async_shutdown([s = this->shared_from_this()](beast::error_code) { s->close_now(); });
    } else {
      boost::system::error_code ignored;
      lowest().socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
      buffer_.clear();
      do_drain();
    }
  }

  void do_drain() {
    lowest().async_read_some(buffer_.prepare(64 << 10),
                             [s = this->shared_from_this()](beast::error_code ec, size_t) {
                               s->buffer_.clear();
                               if (ec || s->state_ != State::closing) return s->close_now();
                               s->do_drain();
                             });
  }

  void close_now() {
    if (state_ == State::upgraded || state_ == State::closed) return;
    state_ = State::closed;
    lowest().close();
  }

  void upgrade(std::shared_ptr<const WsHandler> ws, std::string path) {
    state_ = State::upgraded;
    core_->remove_live(live_id_);
    live_id_ = 0;
    lowest().expires_never();
    start_ws_session<Stream>(core_, std::move(stream_), std::move(slot_), std::move(ws),
                             parser_->release(), std::move(path));
  }

  std::shared_ptr<ServerCore> core_;
  Stream stream_;
  ConnectionSlot slot_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  std::string remote_;
  uint64_t live_id_ = 0;
  State state_ = State::reading;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_ = false;
  bool close_after_ = false;
};

}  // namespace mdhub::net::detail
