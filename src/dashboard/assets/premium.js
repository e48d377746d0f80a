// The premium panel: where the selected market's base is cheapest in one quote currency,
// one row per venue from `premium:fx:BASE-QUOTE`, best venue marked, each rate with its
// path and a live age; excluded venues with their reason; a refused channel's message.
import { el, setText, setClass, venueColor } from './util.js';
import { priceParts, pathText, pathTitle, liveAge, ageCell, excludedText } from './fx.js';

const COLS = ['venue', 'symbol', 'bid', 'ask', 'bid_bp', 'ask_bp', 'rate', 'path', 'age'];

export class PremiumPanel {
  /** `nativeName(venue, symbol)`: the venue's own name of an instrument, or null. */
  constructor(tbody, excludedRoot, noteRoot, nativeName) {
    this.tbody = tbody;
    this.nativeName = nativeName;
    this.excludedRoot = excludedRoot;
    this.noteRoot = noteRoot;
    this.rows = new Map();  // venue/symbol -> row cells
  }

  /**
   * Draws `msg` (the last premium message, or null) received at `receivedAt` (performance
   * time), ages as of `now`; `note` (a refusal or a wait) replaces the rows when set.
   */
  render(msg, receivedAt, now, note) {
    const venues = msg && !note && Array.isArray(msg.venues) ? msg.venues : [];
    setText(this.noteRoot, note || (!msg ? 'Waiting for prices…' : !venues.length ? 'No venue can be converted now' : ''));
    this.noteRoot.hidden = !this.noteRoot.textContent;
    const seen = new Set();
    venues.forEach((v, i) => {
      const id = `${v.venue}/${v.symbol}`;
      seen.add(id);
      let row = this.rows.get(id);
      if (!row) {
        row = this.row(v);
        this.rows.set(id, row);
      }
      // Rows follow the server's order (by ask_bp).
      if (this.tbody.children[i] !== row.tr) this.tbody.insertBefore(row.tr, this.tbody.children[i] || null);
      this.fill(row, v, msg, receivedAt, now);
    });
    for (const [id, row] of this.rows) {
      if (seen.has(id)) continue;
      row.tr.remove();
      this.rows.delete(id);
    }
    const excluded = msg && !note && Array.isArray(msg.excluded) ? msg.excluded : [];
    const text = excluded.map(excludedText);
    if (this.excludedRoot.dataset.text !== text.join('\n')) {
      this.excludedRoot.dataset.text = text.join('\n');
      this.excludedRoot.textContent = '';
      if (text.length) this.excludedRoot.append(el('span', 'legend-title', 'Excluded'));
      excluded.forEach((x, i) => {
        const item = el('span', 'fx-excluded', text[i]);
        item.dataset.venue = x.venue;
        item.dataset.reason = x.reason;
        this.excludedRoot.append(item);
      });
    }
    this.excludedRoot.hidden = !text.length;
  }

  row(v) {
    const tr = el('tr');
    tr.dataset.venue = v.venue;
    tr.dataset.symbol = v.symbol;
    const cells = {};
    for (const c of COLS) {
      const td = el('td', ['venue', 'symbol', 'path'].includes(c) ? `p-${c}` : `num p-${c}`);
      tr.append(td);
      cells[c] = td;
    }
    const dot = el('i', 'dot');
    dot.style.background = venueColor(v.venue);
    const name = el('span', 'venue-cell', v.venue);
    name.prepend(dot);
    cells.venue.append(name);
    setText(cells.symbol, v.symbol);
    const native = this.nativeName(v.venue, v.symbol);
    if (native) cells.symbol.title = `${v.venue} calls it ${native}`;
    return { tr, cells, prices: {} };
  }

  fill(row, v, msg, receivedAt, now) {
    const c = row.cells;
    const isBest = (b) => !!(b && b.venue === v.venue && b.symbol === v.symbol);
    const bestBid = isBest(msg.best_bid), bestAsk = isBest(msg.best_ask);
    price(row, 'bid', v.bid);
    price(row, 'ask', v.ask);
    setClass(c.bid, `num p-bid${bestBid ? ' best-bid' : ''}`);
    setClass(c.ask, `num p-ask${bestAsk ? ' best-ask' : ''}`);
    setText(c.bid_bp, v.bid_bp ?? '—');
    setText(c.ask_bp, v.ask_bp ?? '—');
    setClass(c.bid_bp, `num p-bid_bp${bestBid ? ' best-bid' : ''}`);
    setClass(c.ask_bp, `num p-ask_bp${bestAsk ? ' best-ask' : ''}`);
    setText(c.rate, v.rate ?? '—');
    setText(c.path, pathText(v.path));
    const title = pathTitle(v.path);
    if (c.path.title !== title) c.path.title = title;
    const age = ageCell(liveAge(v.rate_age_ms ?? null, receivedAt, now));
    setText(c.age, age.text);
    setClass(c.age, `num p-age${age.warn ? ' stale' : ''}`);
    setClass(row.tr, bestBid || bestAsk ? 'best' : '');
  }
}

/** A price cell: the server's string, grouped, its declared scale's trailing zeros faint. */
function price(row, side, text) {
  if (row.prices[side] === text) return;
  row.prices[side] = text;
  const td = row.cells[side];
  td.textContent = '';
  if (text === null || text === undefined) {
    td.textContent = '—';
    return;
  }
  const { lead, zeros } = priceParts(text);
  td.append(lead);
  if (zeros) td.append(el('span', 'tz', zeros));
}
