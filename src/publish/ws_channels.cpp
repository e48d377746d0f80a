#include "src/publish/ws_channels.hpp"

#include <charconv>

namespace mdhub {

std::string ChannelSpec::kind_name() const {
  switch (kind) {
    case ChannelKind::book: return "book";
    case ChannelKind::book_top: return "book" + std::to_string(depth);
    case ChannelKind::bbo: return "bbo";
    case ChannelKind::trades: return "trades";
    case ChannelKind::ticker: return "ticker";
    case ChannelKind::status: return "status";
    case ChannelKind::candles:
      return "candles." + std::string(interval_name(interval)) +
             (candle_source == CandleSource::venue ? ".venue" : candle_source == CandleSource::trades ? ".trades" : "");
  }
  return "?";
}

bool parse_channel(std::string_view name, ChannelSpec& out, std::string& error) {
  if (name.rfind("status:", 0) == 0) {
    out.kind = ChannelKind::status;
    out.venue = std::string(name.substr(7));
    out.symbol.clear();
    if (out.venue.empty() || out.venue.find(':') != std::string::npos || out.venue == "all") {
      error = "a status channel is status:<venue> or status:*";
      return false;
    }
    return true;
  }
  const auto c1 = name.find(':');
  const auto c2 = c1 == std::string_view::npos ? c1 : name.find(':', c1 + 1);
  if (c2 == std::string_view::npos || name.find(':', c2 + 1) != std::string_view::npos) {
    error = "a channel is <kind>:<venue>:<symbol>";
    return false;
  }
  const std::string_view kind = name.substr(0, c1);
  out.venue = std::string(name.substr(c1 + 1, c2 - c1 - 1));
  out.symbol = std::string(name.substr(c2 + 1));
  if (out.venue.empty() || out.symbol.empty()) {
    error = "venue and symbol must not be empty";
    return false;
  }
  if (kind == "book") {
    out.kind = ChannelKind::book;
  } else if (kind == "bbo") {
    out.kind = ChannelKind::bbo;
  } else if (kind == "trades") {
    out.kind = ChannelKind::trades;
  } else if (kind == "ticker") {
    out.kind = ChannelKind::ticker;
  } else if (kind.rfind("candles.", 0) == 0) {
    out.kind = ChannelKind::candles;
    std::string_view rest = kind.substr(8);
    const auto dot = rest.find('.');
    const std::string_view source = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
    if (!parse_interval(rest.substr(0, dot), out.interval)) {
      error = "candle interval must be one of 1m 3m 5m 15m 30m 1h 2h 4h 1d";
      return false;
    }
    if (source == "venue") {
      out.candle_source = CandleSource::venue;
    } else if (source == "trades") {
      out.candle_source = CandleSource::trades;
    } else if (dot != std::string_view::npos) {
      error = "candles.<interval> takes an optional .venue or .trades, not '." + std::string(source) + "'";
      return false;
    }
  } else if (kind.rfind("book", 0) == 0) {
    const auto digits = kind.substr(4);
    size_t n = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc{} || p != digits.data() + digits.size() || n == 0 || n > kMaxTopDepth ||
        digits[0] == '0') {
      error = "book<N> takes N from 1 to " + std::to_string(kMaxTopDepth);
      return false;
    }
    out.kind = ChannelKind::book_top;
    out.depth = n;
  } else {
    error = "unknown channel kind '" + std::string(kind) +
            "' (book, book<N>, bbo, trades, ticker, candles.<interval>[.venue or .trades])";
    return false;
  }
  if (out.venue == "all" && out.kind != ChannelKind::book && out.kind != ChannelKind::book_top &&
      out.kind != ChannelKind::bbo) {
    error = kAllVenueKinds;
    return false;
  }
  return true;
}

bool provides(const VenueCapabilities& caps, const ChannelSpec& spec) {
  switch (spec.kind) {
    case ChannelKind::book:
    case ChannelKind::book_top: return caps.book;
    case ChannelKind::bbo: return caps.bbo || caps.book;
    case ChannelKind::trades: return caps.trades;
    case ChannelKind::ticker: return caps.ticker;
    case ChannelKind::candles: return caps.candles(spec.interval);
    case ChannelKind::status: return true;
  }
  return false;
}

std::string unsupported_message(std::string_view venue, const VenueCapabilities& caps, std::string_view what) {
  return "venue '" + std::string(venue) + "' provides " + caps.describe() + ", not " + std::string(what);
}

}  // namespace mdhub
