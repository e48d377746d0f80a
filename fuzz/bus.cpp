// The bus decoder of `mdhub edge`: every input as a payload of two instruments (default and
// coarse scales), as a subject, through the scale and seq readers, and as a run of seqs
// through a BookFollower, whose invariants must hold whatever arrives.
#include "fuzz/check.hpp"
#include "src/edge/bus_decode.hpp"

using namespace mdhub;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static edge::Decoder decoder;
  static ParseOut out;
  static const Instrument fine = listed("btse", "BTC-USD", "BTC", "USD");
  static const Instrument coarse = [] {
    Instrument i = listed("btse", "BTC-USD", "BTC", "USD");
    i.price_scale = 2;
    i.qty_scale = 0;
    return i;
  }();
  constexpr RecvTime t{1700000000'000'000'000, 42};
  const std::string_view s = fuzz::text(data, size);
  out.clear();
  out.events.resize(1);
  fuzz::check_parse(out, 1, [&] { return decoder.decode(s, fine, 0, t, out); });
  fuzz::check_parse(out, 1, [&] { return decoder.decode(s, coarse, 0, t, out); });
  for (size_t i = 1; i < out.events.size(); ++i) {  // the first is the caller's
    if (const auto* b = std::get_if<BookMsg>(&out.events[i].body)) {
      fuzz::require(b->type != BookMsg::Type::replace, "the bus has snapshots and deltas only");
      fuzz::require(b->seq != 0, "book messages carry a seq");
      fuzz::require(b->type == BookMsg::Type::snapshot || b->prev_seq + 1 == b->seq, "a delta follows its seq");
    }
  }
  int ps = 0, qs = 0;
  std::string err;
  if (edge::book_scales(s, ps, qs, err)) {
    fuzz::require(ps >= kDefaultPriceScale && ps <= kMaxScale && qs >= kDefaultQtyScale && qs <= kMaxScale,
                  "scales in range");
  } else {
    fuzz::require(!err.empty(), "a scale error has a message");
  }
  uint64_t seq = 0;
  bool snap = false;
  (void)decoder.seq_of(s, seq, &snap);
  edge::BusSubject bs;
  if (edge::parse_subject(s, "md", bs)) {
    fuzz::require(!bs.venue.empty() && !bs.symbol.empty(), "subject tokens are not empty");
    fuzz::require(bs.venue.find('.') == std::string_view::npos && bs.symbol.find('.') == std::string_view::npos,
                  "subject tokens hold no dot");
  }
  // Bytes as seqs: 0x00 a snapshot at the next byte, 0x01 lose(), else an update.
  edge::BookFollower f(8);
  for (size_t i = 0; i < size; ++i) {
    const uint64_t v = data[i];
    if (v == 0 && i + 1 < size) {
      const uint64_t at = data[++i];
      if (f.on_snapshot(at)) {
        uint64_t next = f.seq();
        fuzz::require(f.synced(), "an accepted snapshot syncs");
        const auto bridge = f.take_bridge();
        fuzz::require(f.seq() == next + bridge.size(), "the bridge is contiguous");
        fuzz::require(f.pending() == 0, "nothing pending once synced");
      }
    } else if (v == 1) {
      f.lose();
    } else {
      const bool was = f.synced();
      const uint64_t before = f.seq();
      const auto verdict = f.on_update(v, "u");
      if (verdict == edge::BookFollower::Verdict::apply) fuzz::require(was && v == before + 1, "apply is the next seq");
      if (verdict == edge::BookFollower::Verdict::skip) fuzz::require(was && v <= before, "skip is already held");
      fuzz::require(f.pending() <= 8, "pending is bounded");
    }
  }
  return 0;
}
