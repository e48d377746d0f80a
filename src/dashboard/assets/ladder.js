// The depth ladder: asks above, spread, bids below, with size, cumulative size and bars;
// in the consolidated view each level also shows which venues make it up. Rows are built
// once and only their changed text and widths are touched per frame.
import { cmp, fracDigits, sub, toBig, fromBig } from './decimal.js';
import { el, setText, setClass, venueColor } from './util.js';
import { entryTitle } from './fx.js';

export class Ladder {
  constructor(root, rows) {
    this.root = root;
    this.rows = 0;
    this.venues = null;
    this.fxQuote = null;
    root.textContent = '';
    root.append(this.head = el('div', 'ladder-head'));
    for (const t of ['Price', 'Size', 'Total']) this.head.append(el('span', 'num', t));
    this.head.append(this.mixHead = el('span', 'mix-head', 'Venues'));
    this.askRows = [];
    this.bidRows = [];
    this.asks = el('div', 'side asks');
    this.bids = el('div', 'side bids');
    this.spread = el('div', 'spread-row');
    this.spreadLabel = el('span', 'spread-label', 'Spread');
    this.spreadValue = el('span', 'spread-value num', '—');
    this.mid = el('span', 'spread-mid num', '');
    this.spread.append(this.spreadLabel, this.spreadValue, this.mid);
    this.overlay = el('div', 'ladder-overlay', '');
    root.append(this.asks, this.spread, this.bids, this.overlay);
    this.setRows(rows);
  }

  /** Levels shown per side (follows the panel's height). */
  setRows(rows) {
    if (rows === this.rows) return;
    this.rows = rows;
    this.asks.textContent = '';
    this.bids.textContent = '';
    this.askRows = [];
    this.bidRows = [];
    for (let i = 0; i < rows; i++) this.askRows.push(this.row(this.asks, 'ask'));
    for (let i = 0; i < rows; i++) this.bidRows.push(this.row(this.bids, 'bid'));
    this.setVenues(this.venues);
  }

  /** Rows per side that fit a ladder box `height` px tall. */
  fit(height) {
    const row = this.askRows.length ? this.askRows[0].r.getBoundingClientRect().height || 20 : 20;
    const fixed = this.head.getBoundingClientRect().height + this.spread.getBoundingClientRect().height + 12;
    return Math.max(3, Math.min(50, Math.floor((height - fixed) / 2 / row)));
  }

  row(parent, side) {
    const r = el('div', `lrow ${side}`);
    const cum = el('i', 'bar cum');
    const size = el('i', 'bar size');
    const px = el('span', 'num px');
    const qty = el('span', 'num qty');
    const tot = el('span', 'num tot');
    const mix = el('span', 'mix');
    r.append(cum, size, px, qty, tot, mix);
    parent.append(r);
    return { r, cum, size, px, qty, tot, mix, segs: [], title: '' };
  }

  /** Venues of the consolidated view (their colours in the breakdown), or null. */
  setVenues(venues) {
    this.venues = venues;
    this.root.classList.toggle('consolidated', !!venues);
    for (const row of [...this.askRows, ...this.bidRows]) {
      row.mix.textContent = '';
      row.segs = [];
      for (const v of venues || []) {
        const s = el('i', 'vseg');
        s.style.background = venueColor(v);
        row.mix.append(s);
        row.segs.push(s);
      }
    }
  }

  /**
   * The cross-currency book (entries of every venue converted into `quote`): a venue column,
   * and each row's title gives the native price and the rate. Null for a venue's own book.
   */
  setFx(quote) {
    this.fxQuote = quote;
    this.root.classList.toggle('fx', !!quote);
    setText(this.mixHead, quote ? 'Venue' : 'Venues');
    for (const row of [...this.askRows, ...this.bidRows]) {
      if (quote) setText(row.mix, '');
      row.title = '';
      row.r.title = '';
    }
  }

  /** Draws `book` (a Book, or null); `note` replaces it with a message when set. */
  render(book, note) {
    const v = book && book.shown ? book.view() : { bids: [], asks: [] };
    const bids = v.bids.slice(0, this.rows);
    const asks = v.asks.slice(0, this.rows);
    const msg = note || (!book || !book.shown ? 'Waiting for the order book…' : !bids.length && !asks.length ? 'The book is empty' : '');
    this.root.classList.toggle('stale', !!(book && book.stale));
    setText(this.overlay, msg);
    this.overlay.classList.toggle('shown', !!msg);

    const bidCum = cumulative(bids), askCum = cumulative(asks);
    let maxCum = 0, maxQty = 0;
    for (const c of [...bidCum, ...askCum]) maxCum = Math.max(maxCum, c.n);
    for (const l of [...bids, ...asks]) maxQty = Math.max(maxQty, l.qn);
    const fd = (list, key) => list.reduce((m, x) => Math.max(m, fracDigits(x[key])), 0);
    const pf = Math.max(fd(bids, 'p'), fd(asks, 'p'));
    const qf = Math.max(fd(bids, 'q'), fd(asks, 'q'));
    const cf = Math.max(fd(bidCum, 's'), fd(askCum, 's'));

    const bestBid = bids[0], bestAsk = asks[0];
    const crossed = bestBid && bestAsk && cmp(bestBid.p, bestAsk.p) >= 0;
    const fill = (row, l, c, side) => {
      if (!l) {
        setClass(row.r, `lrow ${side} empty`);
        for (const n of [row.px, row.qty, row.tot]) setText(n, '');
        row.cum.style.width = '0';
        row.size.style.width = '0';
        if (this.fxQuote) this.fxSource(row, null);
        return;
      }
      const isCrossed = crossed && (side === 'bid' ? cmp(l.p, bestAsk.p) >= 0 : cmp(l.p, bestBid.p) <= 0);
      setClass(row.r, `lrow ${side}${isCrossed ? ' crossed' : ''}`);
      aligned(row.px, l.p, pf);
      aligned(row.qty, l.q, qf);
      aligned(row.tot, c.s, cf);
      row.cum.style.width = `${maxCum > 0 ? (100 * c.n) / maxCum : 0}%`;
      row.size.style.width = `${maxQty > 0 ? (60 * l.qn) / maxQty : 0}%`;
      if (this.venues) this.breakdown(row, l);
      else if (this.fxQuote) this.fxSource(row, l);
    };
    for (let i = 0; i < this.rows; i++) {
      // Asks are drawn best-last, so the best ask sits right above the spread.
      const ai = this.rows - 1 - i;
      fill(this.askRows[i], asks[ai], askCum[ai], 'ask');
      fill(this.bidRows[i], bids[i], bidCum[i], 'bid');
    }

    if (bestBid && bestAsk) {
      const spread = sub(bestAsk.p, bestBid.p);
      const mid = (bestBid.pn + bestAsk.pn) / 2;
      const bps = mid > 0 ? ((bestAsk.pn - bestBid.pn) / mid) * 1e4 : 0;
      setClass(this.spread, crossed ? 'spread-row crossed' : 'spread-row');
      setText(this.spreadLabel, crossed ? 'Crossed' : 'Spread');
      setText(this.spreadValue, spread);
      setText(this.mid, `${bps.toFixed(1)} bps`);
    } else {
      setClass(this.spread, 'spread-row');
      setText(this.spreadLabel, 'Spread');
      setText(this.spreadValue, '—');
      setText(this.mid, '');
    }
  }

  /** The venue of an fx entry, its native price and rate on hover. */
  fxSource(row, l) {
    setText(row.mix, l ? l.venue : '');
    row.mix.style.color = l ? venueColor(l.venue) : '';
    const title = l ? entryTitle(l, this.fxQuote) : '';
    if (row.title !== title) {
      row.title = title;
      row.r.title = title;
    }
  }

  breakdown(row, l) {
    const by = l.by || {};
    let title = '';
    this.venues.forEach((v, i) => {
      const q = by[v];
      const share = q && l.qn > 0 ? (100 * Number(q)) / l.qn : 0;
      row.segs[i].style.width = `${share}%`;
      if (q) title += `${title ? '\n' : ''}${v}: ${q}`;
    });
    if (row.title !== title) {
      row.title = title;
      row.r.title = title;
      row.mix.dataset.venues = Object.keys(by).join(' ');
    }
  }
}

/** Exact running totals (text `s`) with a Number copy (`n`) for the bars. */
function cumulative(levels) {
  let scale = 0;
  for (const l of levels) scale = Math.max(scale, fracDigits(l.q));
  let m = 0n;
  return levels.map((l) => {
    m += toBig(l.q, scale);
    const s = fromBig(m, scale);
    return { s, n: Number(s) };
  });
}

/**
 * Shows `text` unchanged and pads it, invisibly (CSS ::after), to `frac` fraction digits so
 * that decimal points line up while the text itself stays exactly as received.
 */
function aligned(node, text, frac) {
  setText(node, text);
  const have = fracDigits(text);
  const pad = frac > have ? (have === 0 ? '.' : '') + '0'.repeat(frac - have) : '';
  if (node.dataset.pad !== pad) node.dataset.pad = pad;
}
