#pragma once
// In-process harness for the websocket API: a net::Server on 127.0.0.1:0, an Engine with one
// venue ("btse") and one instrument ("BTC-USD", prices at scale 2, quantities at scale 8),
// and WsApi wired as the app wires it. Test clients are Beast websockets on the same
// io_context; the test thread drives it with run_until(), bounded by a deadline, so nothing
// waits on a sleep. Single-threaded. Clients must be destroyed before the Hub, and the
// io_context is not run after a client is gone (its handlers refer to it).
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "book/decimal.hpp"
#include "feeds/common/json.hpp"
#include "src/publish/ws_api.hpp"
#include "src/engine/engine.hpp"
#include "src/net/server.hpp"

namespace mdhub::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

inline constexpr int kPriceScale = 2;
inline constexpr int kQtyScale = 8;

class Hub {
 public:
  explicit Hub(WsApiConfig cfg) {
    net::ServerOptions o;  // as the app's serving stack sets it up
    o.max_ws_frame_in = cfg.max_frame_bytes;
    o.ws_queue_bytes = cfg.queue_bytes;
    o.ws_io_threads = cfg.publish_threads;
    server_.emplace(io_, o);
    api_.emplace(io_, *server_, engine_, cfg, o.ws_queue_frames);
    engine_.add_observer(&*api_);
    engine_.add_feed("btse");
    add_symbol("BTC-USD");
    port_ = server_->listen("127.0.0.1", 0);
  }

  /// Lists one more btse instrument (same scales), as a feed discovering it; returns its
  /// instrument index for trade().
  uint32_t add_symbol(const std::string& symbol) {
    const auto base = symbol.substr(0, symbol.find('-'));
    const auto quote = symbol.substr(symbol.find('-') + 1);
    const uint32_t id = table_.add({"btse", symbol, symbol, base, quote, kPriceScale, kQtyScale});
    engine_.on_instruments(0, table_);
    return id;
  }

  asio::io_context& io() { return io_; }
  net::Server& server() { return *server_; }
  /// Feed states and staleness are told to the engine directly (as the runner and the timer do).
  Engine& engine() { return engine_; }
  uint16_t port() const { return port_; }
  const WsApiStats& stats() const { return api_->stats(); }
  WsApi& api() { return *api_; }
  /// Bytes queued to all clients and not yet written to their sockets.
  uint64_t queued_bytes() const { return api_->queued_bytes(); }
  const InstrumentState& inst() const { return *engine_.find("btse", "BTC-USD"); }
  const Engine& engine() const { return engine_; }

  /// Runs handlers until `done()` holds; false if it does not within `limit`.
  template <class F>
  bool run_until(F done, std::chrono::milliseconds limit = 5000ms) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= end) return false;
      if (io_.stopped()) io_.restart();
      io_.run_one_for(10ms);
    }
    return true;
  }
  /// Runs the handlers that are ready now.
  void poll() {
    if (io_.stopped()) io_.restart();
    io_.poll();
  }

  /// Trade n: price 1000 + n/100, qty n/100, buy, trade id n.
  void trade(int64_t n, uint32_t instrument = 0) {
    TradeMsg t;
    t.price = 100000 + n;
    t.qty = n * 1000000;
    t.side = 1;
    t.trade_id = n;
    push(EventKind::trade, t, instrument);
  }

  /// A venue ticker, as a feed parses it; `exchange_time` false: the venue gave no time.
  void ticker(const TickerMsg& t, bool exchange_time = true) { push(EventKind::ticker, t, 0, exchange_time); }
  /// A venue L1 quote, as a feed parses it.
  void bbo(const BboMsg& b) { push(EventKind::bbo, b); }

  /// A venue candle, as a feed parses it.
  void candle(const CandleMsg& c, uint32_t instrument = 0) { push(EventKind::candle, c, instrument); }

  /// Adds a venue listing BTC-USD with the same scales (a second member of the consolidated
  /// book); returns its feed index for book().
  size_t add_venue(const std::string& venue) {
    engine_.add_feed(venue);
    const size_t feed = engine_.feeds().size() - 1;
    InstrumentTable t;
    t.add({venue, "BTC-USD", "BTC-USD", "BTC", "USD", kPriceScale, kQtyScale});
    engine_.on_instruments(feed, t);
    return feed;
  }

  /// A book message with the given levels (of feed `feed`'s first instrument).
  void book(BookMsg::Type type, uint64_t seq, uint64_t prev_seq, const std::vector<LevelUpdate>& levels,
            size_t feed = 0) {
    out_.clear();
    BookMsg m;
    m.type = type;
    m.level_count = static_cast<uint32_t>(levels.size());
    m.seq = seq;
    m.prev_seq = prev_seq;
    out_.levels = levels;
    push(EventKind::book, m, 0, true, feed);
  }

 private:
  template <class Body>
  void push(EventKind kind, const Body& body, uint32_t instrument = 0, bool exchange_time = true, size_t feed = 0) {
    if (kind != EventKind::book) out_.clear();
    Event e;
    e.kind = kind;
    e.instrument = instrument;
    ++clock_;
    e.ts_exchange_us = exchange_time ? 1'700'000'000'000'000 + clock_ : kNone;
    e.recv = {(1'700'000'000'000'000 + clock_) * 1000 + 500, clock_ * 1000};
    e.body = body;
    out_.events.push_back(e);
    std::vector<uint32_t> resync;
    engine_.on_events(feed, out_, resync);
    EXPECT_TRUE(resync.empty());
  }

  asio::io_context io_;
  Engine engine_;
  std::optional<net::Server> server_;
  std::optional<WsApi> api_;
  uint16_t port_ = 0;
  InstrumentTable table_;
  ParseOut out_;
  int64_t clock_ = 0;
};

/// A websocket client of the Hub. Reads only after start_reading(); until then the server's
/// frames pile up in the kernel buffers (kept small with `rcvbuf`) and then in the server's
/// queue for this client.
class Client {
 public:
  explicit Client(Hub& hub, int rcvbuf = 0) : hub_(hub), ws_(hub.io()) {
    auto& sock = beast::get_lowest_layer(ws_).socket();
    sock.open(tcp::v4());
    // Before connect, so that the advertised window stays small.
    if (rcvbuf > 0) sock.set_option(asio::socket_base::receive_buffer_size(rcvbuf));
    sock.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), hub.port()));
    ws_.read_message_max(1 << 20);
    ws_.async_handshake("127.0.0.1", "/ws", [this](beast::error_code ec) {
      handshake_ec_ = ec;
      handshaken_ = true;
    });
    EXPECT_TRUE(hub_.run_until([this] { return handshaken_; }));
    EXPECT_FALSE(handshake_ec_) << handshake_ec_.message();
  }
  ~Client() {
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// Queues a text message; writes go out one at a time as the io_context runs.
  void send(std::string text) {
    out_.push_back(std::move(text));
    if (out_.size() == 1) write_next();
  }
  /// Sends and waits until it is written.
  void send_now(std::string text) {
    send(std::move(text));
    EXPECT_TRUE(hub_.run_until([this] { return out_.empty(); }));
  }

  void start_reading() {
    if (reading_) return;
    reading_ = true;
    read_next();
  }
  /// Reads until `n` messages have arrived in total.
  bool wait_messages(size_t n, std::chrono::milliseconds limit = 5000ms) {
    start_reading();
    return hub_.run_until([&] { return msgs_.size() >= n || closed_; }, limit);
  }
  bool wait_closed(std::chrono::milliseconds limit = 5000ms) {
    start_reading();
    return hub_.run_until([&] { return closed_; }, limit);
  }
  /// Starts the close handshake from the client side.
  void close() {
    ws_.async_close(websocket::close_code::normal, [](beast::error_code) {});
  }
  /// Drops the TCP connection without a close frame (a client that vanishes).
  void drop() {
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

  const std::vector<std::string>& messages() const { return msgs_; }
  bool closed() const { return closed_; }
  beast::error_code read_error() const { return read_ec_; }
  const websocket::close_reason& close_reason() const { return reason_; }

 private:
  void write_next() {
    ws_.async_write(asio::buffer(out_.front()), [this](beast::error_code ec, size_t) {
      EXPECT_FALSE(ec) << ec.message();
      out_.pop_front();
      if (!out_.empty() && !ec) write_next();
    });
  }
  void read_next() {
    ws_.async_read(buf_, [this](beast::error_code ec, size_t) {
      if (ec) {
        read_ec_ = ec;
        reason_ = ws_.reason();
        closed_ = true;
        return;
      }
      msgs_.push_back(beast::buffers_to_string(buf_.data()));
      buf_.consume(buf_.size());
      read_next();
    });
  }

  Hub& hub_;
  websocket::stream<beast::tcp_stream> ws_;
  bool handshaken_ = false;
  beast::error_code handshake_ec_;
  std::deque<std::string> out_;
  bool reading_ = false, closed_ = false;
  beast::flat_buffer buf_;
  std::vector<std::string> msgs_;
  beast::error_code read_ec_;
  websocket::close_reason reason_;
};

/// The fields of a data message the tests look at.
struct Msg {
  std::string type, channel;
  int64_t seq = -1;
  std::string price, qty, trade_id;                  ///< trade
  std::vector<std::pair<std::string, std::string>> bids, asks;  ///< book
  std::string code;                                  ///< error
};

inline Msg parse(std::string_view text) {
  Msg m;
  json::Reader reader;
  json::od::document doc;
  json::od::object obj;
  EXPECT_FALSE(reader.iterate(text).get(doc) || doc.get_object().get(obj)) << text;
  auto str = [](json::od::value v) {
    std::string_view s;
    return v.get_string().get(s) ? std::string("<not a string>") : std::string(s);
  };
  auto levels = [&](json::od::value v, std::vector<std::pair<std::string, std::string>>& out) {
    json::od::array arr;
    EXPECT_FALSE(v.get_array().get(arr)) << text;
    for (auto lv : arr) {
      json::od::array pair;
      EXPECT_FALSE(lv.get_array().get(pair)) << text;
      std::vector<std::string> parts;
      size_t breakdowns = 0;  // a consolidated level's third element: its venues' sizes
      for (auto p : pair) {
        if (parts.size() == 2 && p.value().type().value_unsafe() == json::od::json_type::object) ++breakdowns;
        else parts.push_back(str(p.value()));
      }
      EXPECT_EQ(parts.size(), 2u) << text;
      EXPECT_LE(breakdowns, 1u) << text;
      if (parts.size() == 2) out.emplace_back(parts[0], parts[1]);
    }
  };
  for (auto field : obj) {
    std::string_view k;
    json::od::value v;
    if (field.unescaped_key().get(k) || field.value().get(v)) {
      ADD_FAILURE() << text;
      return m;
    }
    if (k == "type") m.type = str(v);
    else if (k == "channel") m.channel = str(v);
    else if (k == "code") m.code = str(v);
    else if (k == "price") m.price = str(v);
    else if (k == "qty") m.qty = str(v);
    else if (k == "trade_id") m.trade_id = str(v);
    else if (k == "seq") EXPECT_FALSE(v.get_int64().get(m.seq)) << text;
    else if (k == "bids") levels(v, m.bids);
    else if (k == "asks") levels(v, m.asks);
  }
  return m;
}

/// A client-side book built from book_snapshot / book_update messages, keyed by mantissa.
class ReplicaBook {
 public:
  void apply(const Msg& m) {
    if (m.type == "book_snapshot") {
      bids_.clear();
      asks_.clear();
    }
    for (const auto& [p, q] : m.bids) set(bids_, p, q);
    for (const auto& [p, q] : m.asks) set(asks_, p, q);
  }
  /// Levels best first, as the engine's book lists them.
  std::vector<Level> side(Side s) const {
    std::vector<Level> out;
    if (s == Side::bid) {
      for (auto it = bids_.rbegin(); it != bids_.rend(); ++it) out.push_back({it->first, it->second});
    } else {
      for (const auto& [p, q] : asks_) out.push_back({p, q});
    }
    return out;
  }

 private:
  static void set(std::map<int64_t, int64_t>& side, const std::string& price, const std::string& qty) {
    // Exact parse: a rendered decimal with more digits than the scale would be a bug.
    auto p = parse_decimal(price, kPriceScale);
    auto q = parse_decimal(qty, kQtyScale);
    ASSERT_TRUE(p && q) << price << " " << qty;
    if (*q == 0) side.erase(*p);
    else side[*p] = *q;
  }
  std::map<int64_t, int64_t> bids_, asks_;
};

inline std::vector<Level> engine_side(const InstrumentState& i, Side s) {
  std::vector<Level> out;
  i.book.for_each(s, SIZE_MAX, [&](const Level& l) { out.push_back(l); });
  return out;
}

/// Checks that messages[first..] are Hub::trade(1), trade(2), ... on trades:btse:BTC-USD,
/// with seq and trade id equal to their number; returns how many there are.
inline int64_t expect_trades_from_one(const std::vector<std::string>& messages, size_t first) {
  int64_t n = 0;
  for (size_t i = first; i < messages.size(); ++i) {
    const Msg m = parse(messages[i]);
    if (m.type != "trade") break;
    ++n;
    EXPECT_EQ(m.seq, n) << messages[i];
    EXPECT_EQ(m.channel, "trades:btse:BTC-USD");
    EXPECT_EQ(m.trade_id, std::to_string(n));
    EXPECT_EQ(m.price, format_decimal(100000 + n, kPriceScale));
    EXPECT_EQ(m.qty, format_decimal(n * 1000000, kQtyScale));
  }
  return n;
}

/// Book levels of step n of a deterministic walk: one bid and one ask change, some of them
/// deletes (qty 0), bids always below 1000 and asks above, so the book never crosses.
inline std::vector<LevelUpdate> step_levels(int64_t n) {
  return {{Side::bid, 99000 - (n * 7 % 50) * 10, (n % 5) * 10000000},
          {Side::ask, 100100 + (n * 11 % 50) * 10, ((n + 2) % 5) * 10000000}};
}

/// Ten levels a side for the walk above to start from.
inline std::vector<LevelUpdate> initial_levels() {
  std::vector<LevelUpdate> v;
  for (int64_t i = 0; i < 10; ++i) {
    v.push_back({Side::bid, 99000 - i * 10, (i + 1) * 10000000});
    v.push_back({Side::ask, 100100 + i * 10, (i + 1) * 10000000});
  }
  return v;
}

}  // namespace mdhub::test
