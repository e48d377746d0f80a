// DOM tables: the trades tape, the per-venue quote comparison and the feed health table.
import { el, setText, setClass, timeOfDay, duration, count, venueColor } from './util.js';
import { cmp, round, changePct } from './decimal.js';

/** When a trade happened: the venue's timestamp, else when mdhub received it (µs). */
export const tradeTime = (t) => t.ts_exchange ?? t.ts_received;

/**
 * Inserts `t` into `trades` (newest first) by trade time, not arrival: a venue polled over
 * REST delivers a batch late, and it belongs below the newer trades other venues streamed
 * meanwhile. Among equal times the later arrival goes first. Returns the index.
 */
export function insertTrade(trades, t) {
  const at = tradeTime(t);
  let lo = 0, hi = trades.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tradeTime(trades[mid]) > at) lo = mid + 1;
    else hi = mid;
  }
  trades.splice(lo, 0, t);
  return lo;
}

/** A ticker's 24 h change in percent: the venue's own, else computed from open and last. */
export function tickerChange(t) {
  if (!t) return null;
  if (typeof t.change_pct === 'string') return t.change_pct;
  return typeof t.open === 'string' && typeof t.last === 'string' ? changePct(t.open, t.last) : null;
}

/** Newest-first trades; fixed rows, text updated in place; a note replaces an empty tape. */
export class TradesTape {
  constructor(root, rows) {
    this.root = root;
    this.rows = [];
    root.textContent = '';
    const head = el('div', 'trow thead');
    for (const [t, c] of [['Time', ''], ['Price', 'num'], ['Size', 'num'], ['Venue', 'tvenue']]) head.append(el('span', c, t));
    root.append(head);
    for (let i = 0; i < rows; i++) {
      const r = el('div', 'trow');
      const cells = [el('span', 'ttime'), el('span', 'num tpx'), el('span', 'num tqty'), el('span', 'tvenue')];
      r.append(...cells);
      root.append(r);
      this.rows.push({ r, cells, key: null });
    }
    this.empty = el('div', 'empty-note', 'No trades yet');
    root.append(this.empty);
  }

  render(trades, showVenue, note) {
    this.root.classList.toggle('with-venue', showVenue);
    this.empty.classList.toggle('shown', trades.length === 0);
    setText(this.empty, note || 'No trades yet');
    this.rows.forEach((row, i) => {
      const t = trades[i];
      if (!t) {
        setClass(row.r, 'trow blank');
        row.key = null;
        for (const c of row.cells) setText(c, '');
        return;
      }
      if (row.key === t.key) return;
      row.key = t.key;
      setClass(row.r, `trow ${t.side === 'buy' ? 'buy' : t.side === 'sell' ? 'sell' : 'noside'}`);
      setText(row.cells[0], timeOfDay(tradeTime(t)));
      setText(row.cells[1], t.price);
      setText(row.cells[2], t.qty);
      setText(row.cells[3], t.venue);
      row.cells[3].style.color = venueColor(t.venue);
      row.r.title = `${t.venue} ${t.side || 'unknown side'} ${t.qty} @ ${t.price}${t.trade_id ? ` (id ${t.trade_id})` : ''}`;
    });
  }
}

const dash = (v) => (v === null || v === undefined ? '—' : v);

/** Per-venue quotes for the selected symbol, best bid / best ask across venues marked. */
export class VenueTable {
  constructor(tbody, onPick) {
    this.tbody = tbody;
    this.onPick = onPick;
    this.rows = new Map();
    this.venues = [];
  }

  setVenues(venues) {
    this.venues = venues;
    this.tbody.textContent = '';
    this.rows.clear();
    for (const v of venues) {
      const tr = el('tr');
      const name = el('td', 'venue-cell');
      const dot = el('i', 'dot');
      dot.style.background = venueColor(v);
      const link = el('button', 'linkish', v);
      link.addEventListener('click', () => this.onPick(v));
      name.append(dot, link);
      const cells = {};
      tr.append(name);
      for (const k of ['bid', 'bidQty', 'ask', 'askQty', 'last', 'change', 'volume']) {
        cells[k] = el('td', 'num');
        tr.append(cells[k]);
      }
      this.tbody.append(tr);
      this.rows.set(v, { tr, cells });
    }
  }

  /** `quotes`: venue -> {bid, bid_qty, ask, ask_qty} (BBO), `tickers`: venue -> ticker. */
  render(quotes, tickers, selected) {
    let bestBid = null, bestAsk = null;
    const q = (v) => {
      const b = quotes.get(v), t = tickers.get(v);
      return {
        bid: b ? b.bid : t ? t.bid : null, bidQty: b ? b.bid_qty : null,
        ask: b ? b.ask : t ? t.ask : null, askQty: b ? b.ask_qty : null,
        last: t ? t.last : null, change: tickerChange(t), volume: t ? t.volume_base : null,
      };
    };
    const all = new Map(this.venues.map((v) => [v, q(v)]));
    for (const x of all.values()) {
      if (x.bid !== null && (bestBid === null || cmp(x.bid, bestBid) > 0)) bestBid = x.bid;
      if (x.ask !== null && (bestAsk === null || cmp(x.ask, bestAsk) < 0)) bestAsk = x.ask;
    }
    for (const [v, x] of all) {
      const { tr, cells } = this.rows.get(v);
      setClass(tr, v === selected ? 'selected' : '');
      setText(cells.bid, dash(x.bid));
      setClass(cells.bid, `num${x.bid !== null && x.bid === bestBid ? ' best-bid' : ''}`);
      setText(cells.bidQty, dash(x.bidQty));
      setText(cells.ask, dash(x.ask));
      setClass(cells.ask, `num${x.ask !== null && x.ask === bestAsk ? ' best-ask' : ''}`);
      setText(cells.askQty, dash(x.askQty));
      setText(cells.last, dash(x.last));
      setText(cells.change, x.change === null ? '—' : pct(x.change));
      setClass(cells.change, `num ${x.change === null ? '' : cmp(x.change, '0') >= 0 ? 'up' : 'down'}`);
      setText(cells.volume, dash(x.volume));
    }
  }
}

/** "1.23456" -> "+1.23%" by exact decimal rounding. */
export function pct(s) {
  const r = round(s, 2);
  return `${r[0] === '-' ? '' : '+'}${r}%`;
}

/**
 * Feeds that are down, from /api/v1/feeds: enabled, neither live nor stopped, and either
 * marked down or failing (a venue that cannot be reached alternates between down and a
 * retry). Null when none is; else {down, total, summary: "2 of 5 feeds down", text}, the
 * text naming each error once with its venues ("2 of 5 feeds down: btse, narkasa: refused").
 */
export function feedTrouble(feeds) {
  const on = feeds.filter((f) => f.enabled !== false);
  const bad = on.filter((f) => f.state !== 'live' && f.state !== 'stopped' && (f.state === 'down' || f.last_error));
  if (!bad.length) return null;
  const why = new Map();
  for (const f of bad) {
    const e = f.last_error || 'no error reported';
    if (!why.has(e)) why.set(e, []);
    why.get(e).push(f.venue);
  }
  const reasons = [...why].map(([e, vs]) => `${vs.join(', ')}: ${e}`).join('; ');
  const summary = `${bad.length} of ${on.length} feed${on.length > 1 ? 's' : ''} down`;
  return { down: bad.length, total: on.length, summary, text: `${summary}: ${reasons}` };
}

/** The stages of /api/v1/feeds `latency`, in pipeline order, as the feed table's columns. */
export const LATENCY_STAGES = ['exchange_to_received', 'received_to_parsed', 'parsed_to_applied', 'applied_to_written'];

/** A latency given in µs, compact: "850 µs", "2.0 ms", "12 ms", "3.9 s". */
export function micros(us) {
  if (us < 1000) return `${us} µs`;
  if (us < 1e6) return `${(us / 1000).toFixed(us < 10000 ? 1 : 0)} ms`;
  return `${(us / 1e6).toFixed(1)} s`;
}

/** One stage of a feed's `latency` as "p50 / p99"; "—" before its first sample. */
export function latencyText(stage) {
  if (!stage || !stage.count || stage.p50_us === null) return '—';
  return `${micros(stage.p50_us)} / ${micros(stage.p99_us)}`;
}

const STATE_CLASS = { live: 'ok', starting: 'warn', discovering: 'warn', connecting: 'warn', down: 'bad', stopped: 'muted' };

/** Feed health from /api/v1/feeds, rebuilt on each poll (a handful of rows every 2 s). */
export function renderFeeds(tbody, feeds, nowMs) {
  tbody.textContent = '';
  for (const f of feeds) {
    const tr = el('tr');
    const name = el('td', 'venue-cell');
    const dot = el('i', 'dot');
    dot.style.background = venueColor(f.venue);
    name.append(dot, el('span', '', f.venue));
    const state = el('td');
    state.append(el('span', `pill ${STATE_CLASS[f.state] || 'muted'}`, f.enabled === false ? 'disabled' : f.state));
    const since = f.connected_since ? duration(nowMs - f.connected_since / 1000) : '—';
    const age = f.last_message_age_ms;
    const ageCell = el('td', `num${age !== null && age > 10000 ? ' stale' : ''}`, age === null ? '—' : duration(age));
    const books = f.books ? `${f.books_in_sync}/${f.books}` : '—';
    const cells = [
      name, state, el('td', 'num', since), ageCell, el('td', 'num', count(f.messages)),
      numCell(f.reconnects), numCell(f.gaps), numCell(f.resyncs), numCell(f.parse_errors),
      el('td', `num${f.books && f.books_in_sync < f.books ? ' stale' : ''}`, books),
      ...LATENCY_STAGES.map((k) => {
        const st = f.latency && f.latency[k];
        const td = el('td', 'num lat', latencyText(st));
        td.dataset.stage = k;
        td.title = st ? `p50 / p99 of ${st.count} samples` : '';
        return td;
      }),
      el('td', 'err-cell', f.last_error || ''),
    ];
    cells[cells.length - 1].title = f.last_error || '';
    tr.append(...cells);
    tbody.append(tr);
  }
}

function numCell(n) {
  return el('td', `num${n ? ' nonzero' : ' zero'}`, count(n));
}
