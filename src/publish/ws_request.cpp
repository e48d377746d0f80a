#include "src/publish/ws_request.hpp"

namespace mdhub {

namespace {

bool fail(WsRequestError& err, std::string_view id, std::string_view code, std::string_view message) {
  err.id.assign(id);
  err.code.assign(code);
  err.message.assign(message);
  return false;
}

}  // namespace

bool parse_ws_request(json::Reader& reader, std::string_view text, WsRequest& out, WsRequestError& err) {
  out = WsRequest{};
  json::od::document doc;
  json::od::object obj;
  if (reader.iterate(text).get(doc) || doc.get_object().get(obj)) {
    return fail(err, {}, "bad_request", "messages must be JSON objects");
  }
  std::string_view id_raw;
  bool has_channels = false;
  for (auto field : obj) {
    std::string_view k;
    if (field.unescaped_key().get(k)) return fail(err, {}, "bad_request", "malformed JSON");
    json::od::value v;
    if (field.value().get(v)) return fail(err, {}, "bad_request", "malformed JSON");
    if (k == "op") {
      std::string_view op;
      if (v.get_string().get(op)) return fail(err, {}, "bad_request", "'op' must be a string");
      out.op.assign(op);  // the view points into a buffer the next string overwrites
    } else if (k == "id") {
      json::od::json_type t;
      if (v.type().get(t) || (t != json::od::json_type::number && t != json::od::json_type::string))
        return fail(err, {}, "bad_request", "'id' must be a number or a string");
      id_raw = v.raw_json_token();
      while (!id_raw.empty() && (id_raw.back() == ' ' || id_raw.back() == '\n' || id_raw.back() == '\t' || id_raw.back() == '\r'))
        id_raw.remove_suffix(1);
    } else if (k == "channels") {
      has_channels = true;
      json::od::array arr;
      if (v.get_array().get(arr)) return fail(err, id_raw, "bad_request", "'channels' must be an array of strings");
      for (auto e : arr) {
        std::string_view ch;
        if (e.get_string().get(ch)) return fail(err, id_raw, "bad_request", "'channels' must be an array of strings");
        out.channels.emplace_back(ch);
      }
    }
  }
  out.id.assign(id_raw);
  if (out.op.empty()) return fail(err, out.id, "bad_request", "missing 'op'");
  if (out.op == "ping" || out.op == "list") return true;
  if (out.op != "subscribe" && out.op != "unsubscribe")
    return fail(err, out.id, "unknown_op", "op must be subscribe, unsubscribe, list or ping");
  if (!has_channels || out.channels.empty())
    return fail(err, out.id, "bad_request", "'channels' must list at least one channel");
  return true;
}

}  // namespace mdhub
