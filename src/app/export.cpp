#include "src/app/export.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <cstdio>
#include <iostream>

#include "feeds/common/json_write.hpp"
#include "src/app/replay.hpp"
#include "src/publish/render.hpp"

namespace mdhub {
namespace {

enum Kind : uint8_t { kBook, kTrade, kTicker, kBbo, kCandle, kKinds };
constexpr std::array<std::string_view, kKinds> kKindNames{"book", "trade", "ticker", "bbo", "candle"};

constexpr std::string_view kCsvHeader =
    "kind,venue,symbol,seq,ts_exchange,ts_received,side,price,qty,"
    "bid,bid_qty,ask,ask_qty,last,volume,trade_id,interval,open_time,open,high,low,close,source,closed\n";

/// Writes each published event to stdout. Output goes through a buffer flushed in large
/// chunks; memory stays bounded by the flush threshold.
class ExportWriter final : public EngineObserver {
 public:
  ExportWriter(bool csv, std::array<bool, kKinds> kinds) : csv_(csv), kinds_(kinds) {
    if (csv_) buf_ += kCsvHeader;
  }
  ~ExportWriter() override { flush(); }
  ExportWriter(const ExportWriter&) = delete;
  ExportWriter& operator=(const ExportWriter&) = delete;

  void flush() {
    if (!buf_.empty()) std::fwrite(buf_.data(), 1, buf_.size(), stdout);
    buf_.clear();
    std::fflush(stdout);
  }

  void on_book(const InstrumentState& s, bool snapshot, std::span<const LevelUpdate> changes) override {
    if (!kinds_[kBook]) return;
    const std::string_view type = snapshot ? "book_snapshot" : "book_update";
    if (csv_) {
      auto row = [&](Side side, int64_t price, int64_t qty) {
        csv_head(type, s, render::book_stamp(s));
        buf_ += side == Side::bid ? "bid," : "ask,";
        dec(price, s.info.price_scale);
        buf_ += ',';
        dec(qty, s.info.qty_scale);
        buf_ += ",,,,,,,,,,,,,,,\n";
      };
      if (snapshot) {
        for (Side side : {Side::bid, Side::ask})
          s.book.for_each(side, SIZE_MAX, [&](const Level& l) { row(side, l.price, l.qty); });
      } else {
        for (const auto& u : changes) row(u.side, u.price, u.qty);
      }
    } else {
      json_head(type, "book", s);
      if (snapshot) render::book_payload(buf_, s, s.book_seq, SIZE_MAX);
      else render::book_update_payload(buf_, s, s.book_seq, changes);
      buf_ += "}\n";
    }
    maybe_flush();
  }

  void on_trade(const InstrumentState& s, const TradeRecord& t) override {
    if (!kinds_[kTrade]) return;
    if (csv_) {
      csv_head("trade", s, render::trade_stamp(t));
      buf_ += t.side > 0 ? "buy," : t.side < 0 ? "sell," : ",";
      dec(t.price, s.info.price_scale);
      buf_ += ',';
      dec(t.qty, s.info.qty_scale);
      buf_ += ",,,,,,,";
      if (t.trade_id != kNone) buf_ += std::to_string(t.trade_id);
      buf_ += ",,,,,,,,\n";
    } else {
      json_head("trade", "trades", s);
      render::trade_payload(buf_, s, t);
      buf_ += "}\n";
    }
    maybe_flush();
  }

  void on_ticker(const InstrumentState& s) override {
    if (!kinds_[kTicker]) return;
    const TickerMsg t = render::ticker_view(s);
    if (csv_) {
      csv_head("ticker", s, render::ticker_stamp(s));
      buf_ += ",,,";
      dec(t.bid, s.info.price_scale);
      buf_ += ",,";
      dec(t.ask, s.info.price_scale);
      buf_ += ",,";
      dec(t.last, s.info.price_scale);
      buf_ += ',';
      dec(t.volume_base, s.info.qty_scale);
      buf_ += ",,,,";
      dec(t.open, s.info.price_scale);
      buf_ += ',';
      dec(t.high, s.info.price_scale);
      buf_ += ',';
      dec(t.low, s.info.price_scale);
      buf_ += ",,,\n";
    } else {
      json_head("ticker", "ticker", s);
      render::ticker_payload(buf_, s);
      buf_ += "}\n";
    }
    maybe_flush();
  }

  void on_bbo(const InstrumentState& s) override {
    if (!kinds_[kBbo]) return;
    const BboMsg b = s.bbo();
    if (b.bid == kNone && b.ask == kNone) return;
    if (csv_) {
      csv_head("bbo", s, render::bbo_stamp(s));
      buf_ += ",,,";
      dec(b.bid, s.info.price_scale);
      buf_ += ',';
      dec(b.bid_qty, s.info.qty_scale);
      buf_ += ',';
      dec(b.ask, s.info.price_scale);
      buf_ += ',';
      dec(b.ask_qty, s.info.qty_scale);
      buf_ += ",,,,,,,,,,,\n";
    } else {
      json_head("bbo", "bbo", s);
      render::bbo_payload(buf_, s);
      buf_ += "}\n";
    }
    maybe_flush();
  }

  void on_candle(const InstrumentState& s, const CandleRecord& r) override {
    if (!kinds_[kCandle]) return;
    const CandleMsg& c = r.candle;
    const std::string channel = "candles." + std::string(interval_name(c.interval));
    if (csv_) {
      csv_head("candle", s, render::candle_stamp(r));
      buf_ += ",,,,,,,,";
      dec(c.volume, s.info.qty_scale);
      buf_ += ",,";
      buf_ += interval_name(c.interval);
      buf_ += ',';
      buf_ += std::to_string(c.open_time_us);
      buf_ += ',';
      dec(c.open, s.info.price_scale);
      buf_ += ',';
      dec(c.high, s.info.price_scale);
      buf_ += ',';
      dec(c.low, s.info.price_scale);
      buf_ += ',';
      dec(c.close, s.info.price_scale);
      buf_ += r.from_venue ? ",venue," : ",trades,";
      buf_ += c.closed ? "true\n" : "false\n";
    } else {
      json_head("candle", channel, s);
      render::candle_payload(buf_, s, r);
      buf_ += "}\n";
    }
    maybe_flush();
  }

 private:
  void maybe_flush() {
    if (buf_.size() >= (1u << 20)) flush();
  }
  // CSV cells: bare text, empty for kNone.
  void dec(int64_t v, int scale) {
    if (v != kNone) jsonw::decimal(buf_, v, scale);
  }
  void num(int64_t v) {
    if (v != kNone) jsonw::integer(buf_, v);
  }
  // The websocket API's head; the payload follows from render::*_payload.
  void json_head(std::string_view type, std::string_view channel_kind, const InstrumentState& s) {
    buf_ += '{';
    render::message_head(buf_, type, std::string(channel_kind) + ":" + s.info.venue + ":" + s.info.symbol,
                         s.info.venue, s.info.symbol);
  }
  // kind,venue,symbol,seq,ts_exchange,ts_received, (venue and symbol never hold commas)
  void csv_head(std::string_view kind, const InstrumentState& s, const render::Stamp& st) {
    buf_ += kind;
    buf_ += ',';
    buf_ += s.info.venue;
    buf_ += ',';
    buf_ += s.info.symbol;
    buf_ += ',';
    buf_ += std::to_string(st.seq);
    buf_ += ',';
    num(st.ts_exchange_us);
    buf_ += ',';
    num(st.ts_received_us);
    buf_ += ',';
  }

  bool csv_;
  std::array<bool, kKinds> kinds_;
  std::string buf_;
};

}  // namespace

int run_export(const ExportOptions& opts) {
  if (opts.format != "jsonl" && opts.format != "csv") {
    std::cerr << "--format must be jsonl or csv, got '" << opts.format << "'\n";
    return 2;
  }
  std::array<bool, kKinds> kinds{};
  if (opts.kinds.empty()) {
    kinds.fill(true);
  } else {
    std::string_view rest = opts.kinds;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      const std::string_view k = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      // The websocket's kind names (plural) mean the same events.
      const std::string_view name = k == "trades" ? "trade" : k == "candles" ? "candle" : k;
      size_t i = 0;
      while (i < kKinds && kKindNames[i] != name) ++i;
      if (i == kKinds) {
        std::cerr << "--kind: unknown kind '" << k << "' (book, trade or trades, ticker, bbo, candle or candles)\n";
        return 2;
      }
      kinds[i] = true;
    }
  }

  record::RecordingReader reader(recording_reader_options());
  if (!open_recording(reader, opts.from)) return 1;
  Engine engine;
  ExportWriter writer(opts.format == "csv", kinds);
  engine.add_observer(&writer);
  Replayer replayer(engine);
  record::Record rec;
  std::string error;
  while (reader.next(rec)) {
    if (!replayer.apply(rec, error)) {
      writer.flush();
      std::cerr << "export: " << error << "\n";
      return 1;
    }
  }
  writer.flush();
  spdlog::info("export: {} records, {} parse errors", replayer.stats().records, replayer.stats().parse_errors);
  return 0;
}

}  // namespace mdhub
