// The cross-currency ("fx") views: the book of a base converted into one quote currency
// (`book:fx:BASE-QUOTE`) and the texts of the premium panel. Pure: no DOM. Converted
// prices are shown exactly as the server rounded them; nothing here re-rounds a price.
import { Book } from './book.js';
import { cmp, isZero } from './decimal.js';
import { duration } from './util.js';

/** A rate older than this is shown in the warning colour. */
export const AGE_WARN_MS = 5000;

const byteCmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The fx book: one entry per venue level, keyed by (venue, symbol, native price). An update
 * entry with qty "0" deletes its key; any other entry replaces it, converted price included
 * (a moved rate re-prices entries without a new snapshot). Same life cycle as Book: a
 * snapshot, then updates whose seq follows by one; a gap returns false.
 */
export class FxBook extends Book {
  constructor(channel) {
    super(channel);
    this.venues = [];       // the venues converted, with rate and path
    this.excluded = [];     // the venues left out, with reason and message
  }

  applyLevels(map, entries) {
    applyFx(map, entries);
  }

  snapshot(msg) {
    super.snapshot(msg);
    this.venues = Array.isArray(msg.venues) ? msg.venues : [];
    this.excluded = Array.isArray(msg.excluded) ? msg.excluded : [];
  }

  /** Applies an update; false, changing nothing, when it does not follow the last one. */
  update(msg) {
    const waiting = this.seq === null;
    if (!super.update(msg)) return false;
    if (waiting) return true;
    // Sent only when they changed: absent means unchanged.
    if (Array.isArray(msg.venues)) this.venues = msg.venues;
    if (Array.isArray(msg.excluded)) this.excluded = msg.excluded;
    return true;
  }

  /**
   * Both sides best first, as the server orders them: by converted price, then venue name,
   * then native price (bids: higher first, asks: lower first), then symbol.
   */
  view() {
    if (this.sorted.version !== this.version) {
      const tie = (a, b) => byteCmp(a.venue, b.venue);
      this.sorted = {
        version: this.version,
        bids: [...this.bids.values()].sort((a, b) => b.pn - a.pn || cmp(b.p, a.p) || tie(a, b) || cmp(b.native, a.native) || byteCmp(a.symbol, b.symbol)),
        asks: [...this.asks.values()].sort((a, b) => a.pn - b.pn || cmp(a.p, b.p) || tie(a, b) || cmp(a.native, b.native) || byteCmp(a.symbol, b.symbol)),
      };
    }
    return this.sorted;
  }
}

/** The key of an fx book entry. */
export const fxKey = (venue, symbol, native) => `${venue}\u0000${symbol}\u0000${native}`;

function applyFx(map, entries) {
  if (!Array.isArray(entries)) return;
  for (const e of entries) {
    if (!Array.isArray(e) || typeof e[0] !== 'string' || typeof e[1] !== 'string') continue;
    const src = e[2];
    if (!src || typeof src.venue !== 'string' || typeof src.symbol !== 'string' || typeof src.price !== 'string') continue;
    const key = fxKey(src.venue, src.symbol, src.price);
    if (isZero(e[1])) map.delete(key);
    else map.set(key, {
      key, p: e[0], q: e[1], pn: Number(e[0]), qn: Number(e[1]),
      venue: src.venue, symbol: src.symbol, native: src.price, rate: src.rate, by: null,
    });
  }
}

/** Where an fx ladder entry comes from: "narkasa BTC-TRY 1950000 TRY × 0.0307… = 60010.1 USD". */
export function entryTitle(l, quote) {
  const native = l.symbol.split('-')[1] || '';
  return l.rate === '1' && native === quote
    ? `${l.venue} ${l.symbol}: ${l.native} ${native} (native)`
    : `${l.venue} ${l.symbol}: ${l.native} ${native} × ${l.rate} = ${l.p} ${quote}`;
}

/** "2091500.5" -> "2,091,500.5": the digits and the fraction are those given. */
export function groupDigits(s) {
  const neg = s[0] === '-';
  const body = neg ? s.slice(1) : s;
  const dot = body.indexOf('.');
  const int = dot < 0 ? body : body.slice(0, dot);
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (neg ? '-' : '') + grouped + (dot < 0 ? '' : body.slice(dot));
}

/**
 * A price split for display: `lead`, grouped, and `zeros`, the trailing fraction zeros of
 * the declared scale, drawn faint. Together they are the server's string exactly (commas
 * aside): "60010.10000000" -> {lead: "60,010.1", zeros: "0000000"}; "7.000" -> {lead: "7",
 * zeros: ".000"}.
 */
export function priceParts(s) {
  const g = groupDigits(s);
  const dot = g.indexOf('.');
  if (dot < 0) return { lead: g, zeros: '' };
  const m = /0+$/.exec(g.slice(dot + 1));
  if (!m) return { lead: g, zeros: '' };
  const cut = g.length - m[0].length;
  return cut === dot + 1 ? { lead: g.slice(0, dot), zeros: g.slice(dot) } : { lead: g.slice(0, cut), zeros: g.slice(cut) };
}

/** A conversion path as a line: "TRY→USDT (narkasa) → USD (btse)"; "native" for none. */
export function pathText(path) {
  if (!Array.isArray(path) || !path.length) return 'native';
  return path.map((h, i) => `${i === 0 ? `${h.from}→` : ' → '}${h.to} (${h.source})`).join('');
}

/** Each hop with its source instrument, mid and age, one per line (the path's tooltip). */
export function pathTitle(path) {
  if (!Array.isArray(path) || !path.length) return 'priced in this quote: no conversion';
  return path.map((h) => `${h.from}→${h.to}: ${h.source === 'static' ? 'static' : h.source} ${h.symbol} ${h.source === 'static' ? 'rate' : 'mid'} ${h.mid}` +
    (h.age_ms === null || h.age_ms === undefined ? '' : `, ${duration(h.age_ms)} old`)).join('\n');
}

/**
 * The age of a rate now: the server's `rate_age_ms` when the message was received, plus the
 * time since (both ms). Null stays null (static rates or no conversion).
 */
export function liveAge(ageMs, receivedAt, now) {
  if (ageMs === null || ageMs === undefined) return null;
  return ageMs + Math.max(0, Math.round(now - receivedAt));
}

/** The age cell: text and whether it is past the warning age. */
export function ageCell(ms) {
  if (ms === null) return { text: '—', warn: false };
  return { text: duration(ms), warn: ms > AGE_WARN_MS };
}

/**
 * The quote currencies the premium panel offers for `base`: every quote of the instruments
 * listed, plus USD and USDT, sorted, without the base itself.
 */
export function quoteChoices(instruments, base) {
  const set = new Set(['USD', 'USDT']);
  for (const i of instruments || []) {
    const q = i.quote || (typeof i.symbol === 'string' ? i.symbol.split('-')[1] : null);
    if (q && /^[A-Z0-9]{2,12}$/.test(q)) set.add(q);
  }
  set.delete(base);
  return [...set].sort(byteCmp);
}

/** The reason and message of an excluded venue as one line. */
export function excludedText(x) {
  return `${x.venue} ${x.symbol}: ${x.reason}${x.message ? ` — ${x.message}` : ''}`;
}
