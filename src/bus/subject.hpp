#pragma once
// NATS subjects of the bus (DESIGN.md "Scale-out"): <prefix>.<kind>.<venue>.<symbol>, kinds as
// the websocket channels (book, bbo, trades, ticker, candles.<interval>) plus `snapshot`.
// A venue or symbol is one subject token: '.' would split it, '*' and '>' are wildcards and
// whitespace ends a subject in the protocol, so such names are refused, never escaped into
// something a consumer could not map back. Pure.
#include <optional>
#include <string>
#include <string_view>

namespace mdhub::bus {

/// Whether `t` can be one subject token: non-empty, no '.', '*', '>', whitespace or control.
bool valid_token(std::string_view t);

/// `<prefix>.<kind>.<venue>.<symbol>`, or nothing when venue or symbol is not a valid token.
/// `kind` may itself hold dots (`candles.1m`); the prefix is checked by the config.
std::optional<std::string> subject(std::string_view prefix, std::string_view kind, std::string_view venue,
                                   std::string_view symbol);

}  // namespace mdhub::bus
