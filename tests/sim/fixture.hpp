#pragma once
// Shared fixture: a Simulator on 127.0.0.1:0 in the test's io_context, plus helpers to
// read its JSON exactly (decimals as fixed-point mantissas, never through double).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "book/decimal.hpp"
#include "tests/sim/client.hpp"
#include "src/sim/sim_venue.hpp"
#include "src/sim/simulator.hpp"

namespace mdhub::sim::test {

using Levels = std::vector<std::pair<int64_t, int64_t>>;  // price, qty mantissas

inline const InstrumentSpec& find_spec(std::string_view venue, std::string_view symbol) {
  for (const VenueDef* d : venue_defs())
    if (d->id == venue)
      for (const auto& i : d->instruments)
        if (i.symbol == symbol || i.native == symbol) return i;
  throw std::runtime_error("no such instrument");
}

inline int64_t dec(std::string_view text, int scale) {
  auto r = parse_decimal(text, scale);
  if (!r) throw std::runtime_error("not an exact decimal: " + std::string(text));
  return *r;
}

inline Options options(uint64_t seed, std::vector<std::string> venues = {}, std::string faults = {}) {
  Options o;
  o.seed = seed;
  o.venues = std::move(venues);
  o.faults = std::move(faults);
  return o;
}

struct Truth {
  std::string symbol;
  bool has_seq = false;
  int64_t seq = 0;
  Levels bids, asks;
};

class SimFixture : public ::testing::Test {
 protected:
  void start(Options o = {}) {
    sim = std::make_unique<Simulator>(io, std::move(o));
    port = sim->listen("127.0.0.1", 0);
  }
  void TearDown() override {
    if (sim) sim->stop();
    sim.reset();
  }
  HttpResult get(const std::string& target) { return http(io, port, "GET", target); }
  HttpResult post(const std::string& target, const std::string& body = {}) {
    return http(io, port, "POST", target, body);
  }
  simdjson::dom::element json(const std::string& text) { return parser.parse(text); }

  Truth truth(std::string_view venue, std::string_view symbol, const std::string& query = {}) {
    const auto& sp = find_spec(venue, symbol);
    auto r = get("/sim/truth/" + std::string(venue) + "/" + std::string(symbol) + query);
    if (r.status != 200) throw std::runtime_error("truth: " + r.body);
    simdjson::dom::parser p;
    auto e = p.parse(r.body);
    Truth t;
    t.symbol = std::string(e["symbol"].get_string().value());
    t.has_seq = !e["seq"].is_null();
    if (t.has_seq) t.seq = e["seq"].get_int64().value();
    for (auto [side, out] : {std::pair{"bids", &t.bids}, std::pair{"asks", &t.asks}})
      for (auto lv : e[side].get_array())
        out->emplace_back(dec(lv.at(0).get_string().value(), sp.price_scale),
                          dec(lv.at(1).get_string().value(), sp.qty_scale));
    return t;
  }

  boost::asio::io_context io;
  std::unique_ptr<Simulator> sim;
  uint16_t port = 0;
  simdjson::dom::parser parser;
};

}  // namespace mdhub::sim::test
