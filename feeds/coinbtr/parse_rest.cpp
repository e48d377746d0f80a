#include "feeds/coinbtr/parse.hpp"

#include <string>
#include <vector>

#include "feeds/coinbtr/parse_util.hpp"
#include "feeds/coinbtr/time.hpp"

namespace mdhub::coinbtr {
namespace {

using namespace detail;

// Reads the envelope's `msg` (a string, or {"error":..., "code":...}) for error reports;
// false on broken JSON.
bool read_msg(od::value v, std::string& msg) {
  std::string_view s;
  od::json_type t;
  if (v.type().get(t)) return false;
  if (t == od::json_type::string) {
    if (v.get_string().get(s)) return false;
    msg.assign(s);
    return true;
  }
  od::object o;
  if (t != od::json_type::object) return true;
  if (v.get_object().get(o)) return false;
  Got g = text_field(o, "error", s);
  if (g == Got::bad) return false;
  if (g == Got::value) msg.assign(s);
  g = text_field(o, "code", s);
  if (g == Got::bad) return false;
  if (g == Got::value) msg += (msg.empty() ? "code " : " code ") + std::string(s);
  return true;
}

// Walks `{"success":..,"msg":..,"payload"|"data":..}`, handing the payload to `on_payload`;
// a string `next` (a paged listing's next page) goes to `next` when given.
template <class F>
bool envelope(json::Reader& rd, std::string_view text, std::string& err, F&& on_payload,
              std::string* next = nullptr) {
  if (blank(text)) {
    err = "empty body";  // clearer than simdjson's own message
    return false;
  }
  od::document doc;
  if (auto e = rd.iterate(text).get(doc)) return bad_json(err, e);
  od::object root;
  if (auto e = doc.get_object().get(root)) return bad_json(err, e);
  bool success = true, have_payload = false;
  std::string msg;
  for (auto field : root) {
    std::string_view key;
    od::value v;
    if (auto e = field.unescaped_key().get(key)) return bad_json(err, e);
    if (auto e = field.value().get(v)) return bad_json(err, e);
    od::json_type t;
    if (auto e = v.type().get(t)) return bad_json(err, e);
    if (key == "success" && t == od::json_type::boolean) {
      if (auto e = v.get_bool().get(success)) return bad_json(err, e);
    } else if (key == "msg") {
      if (!read_msg(v, msg)) return bad_json(err, simdjson::TAPE_ERROR);
    } else if (key == "next" && next && t == od::json_type::string) {
      std::string_view url;
      if (auto e = v.get_string().get(url)) return bad_json(err, e);
      next->assign(url);
    } else if ((key == "payload" || key == "data") && success && !have_payload) {
      have_payload = true;
      if (!on_payload(v, err)) return false;
    }
  }
  if (!consumed_all(doc)) {
    err = "bad JSON: content after the top-level value";
    return false;
  }
  if (!success) {
    err = "venue error: " + (msg.empty() ? std::string("success is false") : msg);
    return false;
  }
  if (!have_payload) {
    err = "missing payload";
    return false;
  }
  return true;
}

}  // namespace

ParseStatus parse_markets(json::Reader& rd, std::string_view body, std::vector<Instrument>& out,
                          std::string& error, std::string* next) {
  const size_t start = out.size();
  if (next) next->clear();
  const bool ok = envelope(rd, body, error, [&](od::value v, std::string& err) {
    od::array arr;
    if (v.get_array().get(arr)) {
      err = "markets payload is not an array";
      return false;
    }
    for (auto el : arr) {
      od::object row;
      if (el.get_object().get(row)) {
        err = "market is not an object";
        return false;
      }
      std::string_view name;
      if (text_field(row, "name", name) != Got::value) {
        err = "market without name";
        return false;
      }
      const std::string native(name);
      od::value ov;
      od::json_type ot;
      bool open = true;
      const Got g = json::field(row, "is_open", ov, ot);
      if (g == Got::bad || (g == Got::value && ot == od::json_type::boolean && ov.get_bool().get(open))) {
        err = "bad is_open";
        return false;
      }
      // The name is authoritative: legacy payloads carry base/quote reversed.
      const auto dash = native.find('-');
      if (!open || dash == std::string::npos || dash == 0 || dash + 1 == native.size()) continue;
      Instrument inst;
      inst.venue = "coinbtr";
      inst.base = upper(std::string_view(native).substr(0, dash));
      inst.quote = upper(std::string_view(native).substr(dash + 1));
      inst.symbol = inst.base + "-" + inst.quote;
      inst.native = inst.symbol;  // the venue's spelling: upper case with a hyphen
      out.push_back(std::move(inst));
    }
    return true;
  }, next);
  if (!ok) {
    out.resize(start);
    if (next) next->clear();
    return ParseStatus::error;
  }
  return ParseStatus::ok;
}

ParseStatus parse_rest_tickers(json::Reader& rd, std::string_view body,
                               const InstrumentTable& table, RecvTime t, ParseOut& out) {
  Txn m(out);
  std::string err;
  const bool ok = envelope(rd, body, err, [&](od::value v, std::string& e) {
    od::array arr;
    if (v.get_array().get(arr)) {
      e = "payload is not an array";
      return false;
    }
    for (auto el : arr) {
      od::object row;
      if (el.get_object().get(row)) {
        e = "ticker is not an object";
        return false;
      }
      std::string_view market;
      if (text_field(row, "market", market) != Got::value) {
        e = "ticker without market";
        return false;
      }
      const auto id = table.by_native(upper(market));
      if (!id) continue;
      const Instrument& inst = table[*id];
      TickerMsg tk;
      if (!dec(row, "last", inst.price_scale, false, tk.last, e) ||
          !dec(row, "high", inst.price_scale, false, tk.high, e) ||
          !dec(row, "low", inst.price_scale, false, tk.low, e) ||
          !dec(row, "volume", inst.qty_scale, false, tk.volume_base, e))
        return false;
      Event ev = make_event(EventKind::ticker, *id, kNone, t);
      ev.body = tk;
      out.events.push_back(ev);
    }
    return true;
  });
  if (!ok) return m.fail("tickers: " + err);
  return ParseStatus::ok;
}

ParseStatus parse_rest_orderbook(json::Reader& rd, std::string_view body,
                                 const InstrumentTable& table, uint32_t instrument,
                                 const ParseOptions& opt, RecvTime t, ParseOut& out) {
  Txn m(out);
  if (instrument >= table.size()) return m.fail("orderbook: unknown instrument");
  const Instrument& inst = table[instrument];
  std::string err;
  const bool ok = envelope(rd, body, err, [&](od::value v, std::string& e) {
    return book_object(v, inst, "price", "amount", opt.rest_book_levels, opt.rest_book_orders, out, nullptr, e);
  });
  if (!ok) return m.fail("orderbook: " + err);
  emit_book(out, m.levels_begin(), instrument, opt, t);
  return ParseStatus::ok;
}

ParseStatus parse_rest_trades(json::Reader& rd, std::string_view body,
                              const InstrumentTable& table, uint32_t instrument, RecvTime t,
                              ParseOut& out) {
  Txn m(out);
  if (instrument >= table.size()) return m.fail("trades: unknown instrument");
  const Instrument& inst = table[instrument];
  std::string err;
  const bool ok = envelope(rd, body, err, [&](od::value v, std::string& e) {
    od::array arr;
    if (v.get_array().get(arr)) {
      e = "payload is not an array";
      return false;
    }
    for (auto el : arr) {
      od::object row;
      if (el.get_object().get(row)) {
        e = "trade is not an object";
        return false;
      }
      int64_t price = 0, qty = 0, ts = 0, id = kNone;
      if (!dec(row, "price", inst.price_scale, true, price, e) ||
          !dec(row, "amount", inst.qty_scale, true, qty, e))
        return false;
      std::string_view created;
      if (text_field(row, "created_at", created) != Got::value || !parse_iso8601_us(created, ts)) {
        e = "created_at: missing or not an ISO-8601 time with a zone";
        return false;
      }
      od::value iv;
      od::json_type it;
      const Got g = json::field(row, "id", iv, it);
      if (g == Got::bad || (g == Got::value && !json::integer(iv, id))) {
        e = "id is not an integer";
        return false;
      }
      int8_t side = 0;
      if (!side_of(row, "side", side, e)) return false;
      push_trade(out, instrument, ts, t, price, qty, side, id);
    }
    return true;
  });
  if (!ok) return m.fail("trades: " + err);
  return ParseStatus::ok;
}

}  // namespace mdhub::coinbtr
