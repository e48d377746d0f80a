#pragma once
// `mdhub export`: replays a recording at full speed through the parsers and the engine and
// writes every published normalized event to stdout, one per line, in constant memory.
//
// jsonl: exactly the websocket API messages (book_snapshot/book_update, trade, ticker, bbo,
//        candle), see DESIGN.md "Payload fields".
// csv:   one header line, then one row per event (a book snapshot or update: one row per
//        level; a level with qty 0 is a removal), columns:
//          kind,venue,symbol,seq,ts_exchange,ts_received,side,price,qty,
//          bid,bid_qty,ask,ask_qty,last,volume,trade_id,interval,open_time,open,high,low,close
//        kind: book_snapshot|book_update|trade|ticker|bbo|candle; timestamps integer µs since
//        the epoch; decimals exact; empty when the kind has no such field or it is absent.
#include <string>

namespace mdhub {

struct ExportOptions {
  std::string from;
  std::string format = "jsonl";  ///< jsonl | csv
  std::string kinds;             ///< comma list of book,trade,ticker,bbo,candle; empty = all
};

/// Returns the process exit code (2: bad options, 1: unreadable recording).
int run_export(const ExportOptions& opts);

}  // namespace mdhub
