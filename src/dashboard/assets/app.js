// mdhub dashboard: picks a market and a venue (or "all" = the consolidated book), keeps
// the live state from /ws in memory, and renders at most once per animation frame.
// Every websocket message is applied to state as it arrives; only drawing is throttled.
import { Connection } from './conn.js';
import { Book } from './book.js';
import { FxBook, quoteChoices, excludedText } from './fx.js';
import { PremiumPanel } from './premium.js';
import { Ladder } from './ladder.js';
import { DepthChart } from './depth.js';
import { CandleChart, CandleSeries } from './candles.js';
import { TradesTape, VenueTable, renderFeeds, pct, insertTrade, tickerChange, feedTrouble } from './tables.js';
import { el, setText, setClass, themeColors, venueColor, count } from './util.js';
import { cmp, sum } from './decimal.js';

const INTERVALS = ['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '1d'];
const LADDER_ROWS = 14;
const TAPE_ROWS = 48;
const MAX_TRADES = 200;
const FEEDS_EVERY_MS = 2000;
const RESYNC_MAX_MS = 5000;  // longest wait before a book resubscribe (see onGap)
const VENUE_CANDLES_EVERY_MS = 5000;
const PREMIUM_AGE_EVERY_MS = 500;  // the rate ages count up between messages

const $ = (id) => document.getElementById(id);

const S = {
  bySymbol: new Map(),  // symbol -> [venue, ...]
  symbol: null,
  venue: 'all',
  interval: '1m',
  chartVenue: null,     // candle venue in the consolidated view
  chartPicked: false,   // chosen by the user: no longer follows the venues' own candles
  book: null,
  bookNote: '',
  trades: [],           // newest first, by trade time
  tradesNote: '',
  tradeKeys: new Set(),
  tickers: new Map(),   // venue -> ticker message
  bbos: new Map(),      // venue -> bbo message
  consBbo: null,
  candles: null,
  candleNote: '',
  feeds: [],
  feedsError: '',
  gen: 0,               // bumps on every selection change: late REST answers are dropped
  gaps: 0,
  lastSnapshotAt: -1e9,
  resyncDelay: 0,
  resyncTimer: null,
  msgs: 0,
  rate: 0,
  lastPrice: null,
  lastDir: '',
  instruments: [],      // as /api/v1/instruments lists them (quote currencies)
  fxQuote: 'USD',       // the premium panel's currency, and the converted ladder's
  fxLadder: false,      // the book panel shows book:fx:BASE-QUOTE
  premium: null,        // last premium message of premiumChannel()
  premiumAt: 0,         // when it arrived (performance time): ages count on from there
  premiumNote: '',
  premiumFor: null,     // the channel premium and premiumNote belong to
};

// ---- rendering: dirty flags, one frame at most ------------------------------------------

const dirty = new Set();
let framePending = false;
function mark(...parts) {
  for (const p of parts) dirty.add(p);
  if (!framePending) {
    framePending = true;
    requestAnimationFrame(frame);
  }
}

let colors = null;
const ladder = new Ladder($('ladder'), LADDER_ROWS);
const depth = new DepthChart($('depth'), () => mark('depth'));
const chart = new CandleChart($('candles'), () => mark('candles'));
const tape = new TradesTape($('trades'), TAPE_ROWS);
const venueTable = new VenueTable($('venue-rows'), (v) => choose(S.symbol, v));
const premiumPanel = new PremiumPanel($('premium-rows'), $('premium-excluded'), $('premium-note'), (venue, symbol) => {
  const i = S.instruments.find((x) => x.venue === venue && x.symbol === symbol);
  return i && i.native && i.native !== symbol ? i.native : null;
});

function frame() {
  framePending = false;
  colors = colors || themeColors();
  const d = new Set(dirty);
  dirty.clear();
  if (d.has('book')) {
    ladder.render(S.book, S.bookNote || (S.symbol ? '' : noMarketNote(false)));
    depth.draw(S.book, colors);
    const b = S.book;
    const gaps = S.gaps ? ` · ${S.gaps} gap${S.gaps > 1 ? 's' : ''} resynced` : '';
    setText($('book-meta'), b && b.ready ? `seq ${count(b.seq)}${gaps}` : b && b.stale ? `resyncing…${gaps}` : '');
    setText($('depth-meta'), b && b.shown ? `${b.bids.size} bids · ${b.asks.size} asks` : '');
    const ex = $('fx-book-excluded');
    if (ex) setText(ex, b instanceof FxBook && b.excluded.length ? `Excluded: ${b.excluded.map(excludedText).join('; ')}` : '');
  } else if (d.has('depth')) {
    depth.draw(S.book, colors);
  }
  if (d.has('candles')) {
    chart.draw(S.candles, colors, S.candleNote);
    const src = S.candles && S.candles.source;
    // What the canvas shows, for screen readers: the note drawn in place of an empty chart.
    const empty = !S.candles || !S.candles.sorted().length;
    $('candles').setAttribute('aria-label', empty ? S.candleNote || 'Waiting for candles…' : `${S.candles.venue} ${S.candles.interval} candles`);
    setText($('candles-meta'), src ? `${S.candles.venue} · ${src === 'venue' ? "venue's candles" : 'built from trades'}` : '');
  }
  if (d.has('trades')) {
    tape.render(S.trades, S.venue === 'all', S.tradesNote);
    setText($('trades-meta'), S.venue === 'all' ? 'all venues' : S.venue);
  }
  if (d.has('ticker')) renderTicker();
  if (d.has('venues')) venueTable.render(S.bbos, S.tickers, S.venue);
  if (d.has('premium')) renderPremium();
  if (d.has('feeds')) {
    renderFeeds($('feed-rows'), S.feeds, Date.now());
    renderTrouble();
    setText($('feeds-meta'), S.feedsError || `${S.feeds.filter((f) => f.state === 'live').length}/${S.feeds.length} live · every 2 s`);
  }
}

/** Top bar: how many feeds are down and why; the market picker while there is no market. */
function renderTrouble() {
  const trouble = feedTrouble(S.feeds);
  const alert = $('feed-alert');
  alert.hidden = !trouble;
  setText(alert, trouble ? trouble.text : '');
  if (S.symbol) return;
  // The picker gives the short reason; its tooltip and the book panel the venues' errors.
  const sel = $('symbol');
  const short = noMarketNote(true);
  if (sel.options.length !== 1 || sel.options[0].text !== short) {
    sel.textContent = '';
    sel.append(new Option(short, '', true, true));
    sel.options[0].disabled = true;
  }
  sel.title = noMarketNote(false);
  $('chart-venue').hidden = true;
  mark('book');
}

function renderPremium() {
  const base = baseOf(S.symbol);
  const note = !base ? '' : base === S.fxQuote ? `${base} is the base: pick another currency` : S.premiumNote;
  premiumPanel.render(S.premium, S.premiumAt, performance.now(), note);
  setText($('premium-base'), base ? `${base}, every venue's best bid and ask converted` : '');
  const p = S.premium && !note ? S.premium : null;
  setText($('premium-meta'), p ? `seq ${count(p.seq)}` : '');
}

function noMarketNote(short) {
  const trouble = feedTrouble(S.feeds);
  const why = trouble ? (short ? trouble.summary : trouble.text)
    : S.feedsError || (S.feeds.length ? 'the venues have not listed their instruments' : 'waiting for feed health');
  return `No market available yet: ${why}`;
}

function renderTicker() {
  const all = S.venue === 'all';
  const t = all ? null : S.tickers.get(S.venue);
  let last = t && t.last, src = all ? '' : S.venue, change = tickerChange(t);
  let high = t && t.high, low = t && t.low, volume = t && t.volume_base;
  if (all) {
    // Consolidated: the latest trade anywhere; range and volume over every venue.
    const tr = S.trades[0];
    if (tr) {
      last = tr.price;
      src = `last trade on ${tr.venue}`;
      const vt = S.tickers.get(tr.venue);
      change = tickerChange(vt);
    }
    const ts = [...S.tickers.values()];
    const pick = (key, better) => ts.reduce((m, x) => (typeof x[key] === 'string' && (m === null || better(cmp(x[key], m))) ? x[key] : m), null);
    high = pick('high', (c) => c > 0);
    low = pick('low', (c) => c < 0);
    const vols = ts.map((x) => x.volume_base).filter((v) => typeof v === 'string');
    volume = vols.length ? sum(vols) : null;
  } else if (!last && S.trades[0]) {
    last = S.trades[0].price;
  }
  if (last && S.lastPrice && last !== S.lastPrice) S.lastDir = cmp(last, S.lastPrice) > 0 ? 'up' : 'down';
  S.lastPrice = last || S.lastPrice;
  setText($('t-symbol'), S.symbol || '—');
  setText($('t-last'), last || '—');
  setClass($('t-last'), `tick-last num ${S.lastDir}`);
  setText($('t-src'), src);
  setText($('t-change'), change ? pct(change) : '—');
  setClass($('t-change'), `num ${change ? (cmp(change, '0') >= 0 ? 'up' : 'down') : ''}`);
  setText($('t-high'), high || '—');
  setText($('t-low'), low || '—');
  setText($('t-volume'), volume || '—');
  setText($('t-volume-label'), all ? '24h volume, all venues' : '24h volume');
  // Best bid/ask: the BBO channel, else the top of the book shown, else the ticker.
  const q = all ? S.consBbo : S.bbos.get(S.venue);
  const top = S.book && S.book.shown ? S.book.view() : null;
  const best = (k, side) => (q && q[k]) || (top && top[side][0] && top[side][0].p) || (t && t[k]) || '—';
  setText($('t-bid'), best('bid', 'bids'));
  setText($('t-ask'), best('ask', 'asks'));
  document.title = last ? `${last} · ${S.symbol} · mdhub` : 'mdhub';
}

// ---- websocket -------------------------------------------------------------------------

// A server bound beyond loopback wants a token on /ws and /api: the dashboard is opened as
// /?token=..., and passes the token on (a browser websocket cannot set a header).
const token = new URLSearchParams(location.search).get('token');
const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws` +
  (token ? `?token=${encodeURIComponent(token)}` : '');
const conn = new Connection(wsUrl, { onMessage, onState, onError });

function onError(e) {
  // A venue that cannot provide a panel's kind (a broker's book or trades) is a fact of the
  // market, not a failure: the panel says so instead of waiting; no alarm.
  const unsupported = e.code === 'unsupported_channel';
  if (e.channel && e.channel === premiumChannel()) {
    // A pair without a conversion path: the panel says why, in the server's words.
    S.premium = null;
    S.premiumNote = e.message;
    mark('premium');
    return;
  }
  if (!unsupported && !isFx(e.channel)) toast(`${e.code}: ${e.message}${e.channel ? ` (${e.channel})` : ''}`);
  if (S.book && e.channel === S.book.channel) {
    S.bookNote = unsupported ? notProvided('Order book') : e.message;
    mark('book');
  }
  if (unsupported && e.channel === tradesChannel()) {
    S.tradesNote = notProvided('Trades');
    mark('trades');
  }
  if (unsupported && S.candles && e.channel === candleChannel()) {
    S.candleNote = notProvided('Candles');
    mark('candles');
  }
}

/** The note of a panel whose kind the venue cannot provide. */
const notProvided = (what) => `${what} not provided by this venue`;

function onMessage(m) {
  S.msgs++;
  // A late message of the previous selection; fx channels name their own pair.
  if (m.symbol !== S.symbol && !isFx(m.channel)) return;
  switch (m.type) {
    case 'premium':
      if (m.channel === premiumChannel()) {
        S.premium = m;
        S.premiumAt = performance.now();
        S.premiumNote = '';
        mark('premium');
      }
      break;
    case 'book_snapshot':
      if (S.book && m.channel === S.book.channel) {
        S.book.snapshot(m);
        S.lastSnapshotAt = performance.now();
        S.bookNote = '';
        mark('book', 'ticker');
      }
      break;
    case 'book_update':
      if (S.book && m.channel === S.book.channel) {
        if (S.book.update(m)) mark('book');
        else onGap();
      }
      break;
    case 'trade':
      if (S.venue === 'all' || m.venue === S.venue) {
        addTrade(m);
        mark('trades', 'ticker');
      }
      break;
    case 'ticker':
      S.tickers.set(m.venue, m);
      mark('ticker', 'venues');
      break;
    case 'bbo':
      if (m.venue === 'all') S.consBbo = m;
      else S.bbos.set(m.venue, m);
      // A quote without sizes comes from a broker-style venue that has no order book.
      if (m.venue === S.venue && m.bid_qty === null && m.ask_qty === null && !(S.book && S.book.ready) && !S.bookNote) {
        S.bookNote = `${m.venue} publishes quotes only: no order book for ${m.symbol}`;
        mark('book');
      }
      mark('ticker', 'venues');
      break;
    case 'candle':
      if (S.candles && m.venue === S.candles.venue && m.interval === S.candles.interval) {
        S.candles.put(m, false);
        mark('candles');
      }
      break;
    default:
      break;
  }
}

/**
 * A book update did not follow the last one: stop applying updates and ask for a fresh
 * snapshot (unsubscribe + subscribe). Gaps that keep coming right after snapshots back the
 * resubscribes off, so a misbehaving stream cannot turn into a resubscribe storm.
 */
function onGap() {
  S.gaps++;
  S.book.markStale();
  mark('book');
  const now = performance.now();
  S.resyncDelay = now - S.lastSnapshotAt < 10000 ? Math.min(Math.max(S.resyncDelay * 2, 500), RESYNC_MAX_MS) : 0;
  if (S.resyncTimer) return;
  const channel = S.book.channel;
  S.resyncTimer = setTimeout(() => {
    S.resyncTimer = null;
    if (S.book && S.book.channel === channel && !S.book.ready) conn.resubscribe(channel);
  }, S.resyncDelay);
}

let everOpen = false;
function onState(state, detail) {
  const box = $('conn');
  box.dataset.state = state;
  if (state === 'open') {
    setText($('conn-text'), 'Live');
    if (everOpen && S.symbol) {
      // Missed while away: the book comes back as a snapshot, history is fetched again.
      if (S.book) S.book.markStale();
      loadHistory(S.gen);
      mark('book');
    }
    everOpen = true;
  } else if (state === 'reconnecting') {
    const secs = Math.max(0, (conn.retryAt - performance.now()) / 1000);
    setText($('conn-text'), detail && detail.reason ? `Disconnected (${detail.reason}), retrying in ${secs.toFixed(1)} s` : `Reconnecting in ${secs.toFixed(1)} s`);
  } else {
    setText($('conn-text'), 'Connecting…');
  }
}

function addTrade(m) {
  const key = m.trade_id !== null && m.trade_id !== undefined ? `${m.venue}/${m.trade_id}` : `${m.venue}/${m.ts_received}/${m.price}/${m.qty}`;
  if (S.tradeKeys.has(key)) return;
  S.tradeKeys.add(key);
  insertTrade(S.trades, { ...m, key });
  while (S.trades.length > MAX_TRADES) S.tradeKeys.delete(S.trades.pop().key);
}

// ---- selection ---------------------------------------------------------------------------

const venuesOf = (symbol) => S.bySymbol.get(symbol) || [];
const baseOf = (symbol) => (symbol ? symbol.split('-')[0] : null);
const isFx = (channel) => typeof channel === 'string' && channel.split(':')[1] === 'fx';
const fxPair = () => `${baseOf(S.symbol)}-${S.fxQuote}`;
/** The premium channel of the selected base, or null when the quote is the base itself. */
const premiumChannel = () => (S.symbol && baseOf(S.symbol) !== S.fxQuote ? `premium:fx:${fxPair()}` : null);
const bookChannel = () => (S.fxLadder && premiumChannel() ? `book:fx:${fxPair()}` : `book:${S.venue}:${S.symbol}`);
const chartVenue = () => (S.venue === 'all' ? S.chartVenue : S.venue);

const tradesChannel = () => `trades:${S.venue === 'all' ? '*' : S.venue}:${S.symbol}`;
const candleChannel = () => `candles.${S.interval}:${chartVenue()}:${S.symbol}`;

function channels() {
  const s = S.symbol, v = S.venue;
  const list = [bookChannel(), `ticker:*:${s}`, `bbo:*:${s}`, tradesChannel()];
  if (v === 'all') list.push(`bbo:all:${s}`);
  if (premiumChannel()) list.push(premiumChannel());
  if (chartVenue()) list.push(candleChannel());
  return list;
}

/** Switches market and/or venue: fresh state, new subscriptions, history from REST. */
function choose(symbol, venue) {
  const venues = venuesOf(symbol);
  if (!venues.length) return;
  if (venue !== 'all' && !venues.includes(venue)) venue = 'all';
  if (venues.length === 1) venue = venues[0];  // a consolidated view of one venue adds nothing
  if (symbol === S.symbol && venue === S.venue && S.book && venues.includes(S.chartVenue)) {
    // Only the market's venue list changed (a venue came up): the subscriptions stay, and
    // so must the state they built, since the server sends no new snapshot for a kept
    // subscription; a fresh empty book here would stay empty.
    setupLadder();
    venueTable.setVenues(venues);
    renderPickers();
    conn.setChannels(channels());
    mark('book', 'venues');
    return;
  }
  if (symbol !== S.symbol) {
    // Ticker and BBO channels cover every venue of the market: they carry over when only
    // the venue changes (the server would not resend their state for a kept subscription).
    S.tickers.clear();
    S.bbos.clear();
    S.consBbo = null;
    S.lastPrice = null;
    S.lastDir = '';
  }
  S.symbol = symbol;
  S.venue = venue;
  if (!venues.includes(S.chartVenue)) {
    S.chartVenue = venues[0];
    S.chartPicked = false;
  }
  S.gen++;
  // The fx ladder of the same base is the same channel: kept, with the state it built.
  if (!(S.book && S.book.channel === bookChannel() && isFx(S.book.channel))) newBook();
  // A new base: the last premium, or the refusal, was another pair's.
  if (S.premiumFor !== premiumChannel()) {
    S.premium = null;
    S.premiumNote = '';
    S.premiumFor = premiumChannel();
  }
  S.trades = [];
  S.tradesNote = '';
  S.tradeKeys.clear();
  S.candles = new CandleSeries(chartVenue(), S.interval);
  S.candleNote = '';
  setupLadder();
  venueTable.setVenues(venues);
  renderPickers();
  conn.setChannels(channels());
  loadHistory(S.gen);
  findVenueCandles(S.gen);
  writeHash();
  mark('book', 'candles', 'trades', 'ticker', 'venues', 'premium');
}

/** The selection in the address: #SYMBOL/VENUE/INTERVAL/QUOTE[/fx] (the last two: fx views). */
function writeHash() {
  history.replaceState(null, '', `#${S.symbol}/${S.venue}/${S.interval}/${S.fxQuote}${S.fxLadder ? '/fx' : ''}`);
}

/** The fx part of a hash: the premium quote and the converted ladder, when valid. */
function hashFx(hq, hf) {
  return { quote: /^[A-Z0-9]{2,12}$/.test(hq || '') ? hq : null, ladder: hf === 'fx' };
}

/** A fresh, empty book model for bookChannel(), waiting for its snapshot. */
function newBook() {
  const channel = bookChannel();
  S.book = isFx(channel) ? new FxBook(channel) : new Book(channel);
  S.bookNote = '';
  S.gaps = 0;
  clearTimeout(S.resyncTimer);
  S.resyncTimer = null;
  S.resyncDelay = 0;
}

/** The ladder's columns for what the book panel shows. */
function setupLadder() {
  if (!premiumChannel()) S.fxLadder = false;  // the quote is this market's base: no fx view
  const fx = isFx(S.book.channel);
  ladder.setVenues(!fx && S.venue === 'all' ? venuesOf(S.symbol) : null);
  ladder.setFx(fx ? S.fxQuote : null);
  const t = $('fx-toggle');
  setText(t, `in ${S.fxQuote}`);
  t.setAttribute('aria-pressed', String(S.fxLadder));
  t.disabled = !premiumChannel();
}

/** The premium panel's currency (and the converted ladder's). */
function chooseQuote(quote) {
  if (quote === S.fxQuote) return;
  S.fxQuote = quote;
  S.premium = null;
  S.premiumNote = '';
  S.premiumFor = premiumChannel();
  if (S.fxLadder || isFx(S.book && S.book.channel)) {
    if (!premiumChannel()) S.fxLadder = false;
    newBook();
  }
  if (S.symbol) {
    setupLadder();
    conn.setChannels(channels());
  }
  renderPickers();
  if (S.symbol) writeHash();
  mark('premium', 'book', 'ticker');
}

/** The book panel's "in QUOTE" toggle: every venue's book converted, or the venue's own. */
function toggleFxLadder() {
  if (!S.symbol || (!S.fxLadder && !premiumChannel())) return;
  S.fxLadder = !S.fxLadder;
  newBook();
  setupLadder();
  renderPickers();
  conn.setChannels(channels());
  writeHash();
  mark('book', 'ticker');
}

function chooseCandles(interval, venue, picked = !!venue) {
  const ivChanged = interval !== S.interval;
  S.interval = interval;
  if (venue) S.chartVenue = venue;
  if (picked) S.chartPicked = true;
  S.candles = new CandleSeries(chartVenue(), interval);
  S.candleNote = '';
  conn.setChannels(channels());
  loadCandles(S.gen);
  renderPickers();
  writeHash();
  mark('candles');
  if (ivChanged) findVenueCandles(S.gen);
}

/**
 * On "All venues" the chart shows, unless the user picked one, a venue whose series of the
 * interval is its own candles: what its traders see, rather than one built from the trades
 * mdhub saw. The latest candle of each venue's default series tells which it is (asking
 * for source=venue instead would be an error for every venue that has none).
 */
function findVenueCandles(gen) {
  if (S.venue !== 'all' || S.chartPicked) return;
  const symbol = S.symbol, interval = S.interval, venues = venuesOf(symbol);
  const probe = (v) => getJson(`/api/v1/candles/${encodeURIComponent(v)}/${encodeURIComponent(symbol)}?interval=${interval}&limit=1`)
    .then(({ status, body }) => status === 200 && body && Array.isArray(body.candles) && body.candles.some((c) => c.source === 'venue'))
    .catch(() => false);
  Promise.all(venues.map(probe)).then((own) => {
    if (gen !== S.gen || interval !== S.interval || S.chartPicked || S.venue !== 'all') return;
    const i = own.indexOf(true);
    if (i >= 0 && venues[i] !== S.chartVenue) chooseCandles(interval, venues[i], false);
  });
}

function renderPickers() {
  const sel = $('symbol');
  const symbols = [...S.bySymbol.keys()].sort();
  if (sel.options.length !== symbols.length || [...sel.options].some((o, i) => o.value !== symbols[i])) {
    sel.textContent = '';
    for (const s of symbols) {
      const n = venuesOf(s).length;
      sel.append(new Option(`${s}  ·  ${n} venue${n > 1 ? 's' : ''}`, s));
    }
  }
  sel.value = S.symbol;
  sel.title = '';
  const nav = $('venues');
  nav.textContent = '';
  const venues = venuesOf(S.symbol);
  for (const v of venues.length > 1 ? ['all', ...venues] : venues) {
    const b = el('button', v === S.venue ? 'on' : '', v === 'all' ? 'All venues' : v);
    if (v !== 'all') {
      const dot = el('i', 'dot');
      dot.style.background = venueColor(v);
      b.prepend(dot);
    }
    b.addEventListener('click', () => choose(S.symbol, v));
    nav.append(b);
  }
  const iv = $('intervals');
  iv.textContent = '';
  for (const i of INTERVALS) {
    const b = el('button', i === S.interval ? 'on' : '', i);
    b.addEventListener('click', () => chooseCandles(i));
    iv.append(b);
  }
  const cv = $('chart-venue');
  cv.hidden = S.venue !== 'all';
  cv.textContent = '';
  for (const v of venuesOf(S.symbol)) cv.append(new Option(v, v));
  cv.value = chartVenue() || '';
  const qs = $('fx-quote');
  const quotes = quoteChoices(S.instruments, baseOf(S.symbol));
  if (!quotes.includes(S.fxQuote)) quotes.push(S.fxQuote);
  if (qs.options.length !== quotes.length || [...qs.options].some((o, i) => o.value !== quotes[i])) {
    qs.textContent = '';
    for (const q of quotes) qs.append(new Option(q, q));
  }
  qs.value = S.fxQuote;
  const legend = $('book-legend');
  legend.textContent = '';
  legend.hidden = S.venue !== 'all' && !S.fxLadder;
  if (S.fxLadder) {
    legend.append(el('span', 'legend-title', `Every venue's ${baseOf(S.symbol)} book in ${S.fxQuote}, not merged: hover a row for its native price and rate`));
    const ex = el('span', 'fx-excluded');
    ex.id = 'fx-book-excluded';
    legend.append(ex);
    mark('book');
  } else if (S.venue === 'all') {
    legend.append(el('span', 'legend-title', 'Consolidated across'));
    for (const v of venuesOf(S.symbol)) {
      const chip = el('span', 'chip', v);
      const dot = el('i', 'dot');
      dot.style.background = venueColor(v);
      chip.prepend(dot);
      legend.append(chip);
    }
  }
}

// ---- REST --------------------------------------------------------------------------------

async function getJson(path) {
  const r = await fetch(path, { cache: 'no-store', headers: token ? { Authorization: `Bearer ${token}` } : {} });
  let body = null;
  try {
    body = await r.json();
  } catch (e) {
    body = null;
  }
  return { status: r.status, body };
}

function loadHistory(gen) {
  loadCandles(gen);
  const venues = S.venue === 'all' ? venuesOf(S.symbol) : [S.venue];
  const limit = S.venue === 'all' ? 40 : 80;
  for (const v of venues) {
    getJson(`/api/v1/trades/${encodeURIComponent(v)}/${encodeURIComponent(S.symbol)}?limit=${limit}`)
      .then(({ status, body }) => {
        if (gen !== S.gen) return;
        if (status === 404 && body && body.error && body.error.code === 'unsupported_channel' && S.venue !== 'all') {
          S.tradesNote = notProvided('Trades');
          mark('trades');
        }
        if (status !== 200 || !body || !Array.isArray(body.trades)) return;
        for (const t of body.trades) addTrade({ ...t, venue: v, symbol: S.symbol });
        mark('trades', 'ticker');
      })
      .catch(() => {});
  }
}

function loadCandles(gen) {
  const series = S.candles;
  if (!series || !series.venue) return;
  getJson(`/api/v1/candles/${encodeURIComponent(series.venue)}/${encodeURIComponent(S.symbol)}?interval=${series.interval}&limit=300`)
    .then(({ status, body }) => {
      if (gen !== S.gen || series !== S.candles) return;
      if (status !== 200 || !body || !Array.isArray(body.candles)) {
        const err = body && body.error;
        S.candleNote = err && err.code === 'unsupported_channel' ? notProvided('Candles')
          : err ? err.message : `No candle history (HTTP ${status})`;
      } else {
        for (const c of body.candles) series.put(c, true);
        if (!body.candles.length) S.candleNote = `No ${series.interval} candles from ${series.venue} yet`;
      }
      mark('candles');
    })
    .catch(() => {});
}

async function loadInstruments() {
  try {
    const { status, body } = await getJson('/api/v1/instruments');
    if (status !== 200 || !body || !Array.isArray(body.instruments)) return false;
    const by = new Map();
    for (const i of body.instruments) {
      if (!by.has(i.symbol)) by.set(i.symbol, []);
      if (!by.get(i.symbol).includes(i.venue)) by.get(i.symbol).push(i.venue);
    }
    if (!by.size) return false;
    const changed = by.size !== S.bySymbol.size || [...by].some(([s, v]) => String(v) !== String(S.bySymbol.get(s)));
    S.bySymbol = by;
    S.instruments = body.instruments;
    if (!S.symbol) {
      const [hs, hv, hi, hq, hf] = decodeURIComponent(location.hash.slice(1)).split('/');
      if (INTERVALS.includes(hi)) S.interval = hi;
      const fx = hashFx(hq, hf);
      if (fx.quote) S.fxQuote = fx.quote;
      S.fxLadder = fx.ladder;
      const pref = by.has(hs) ? hs : by.has('BTC-USDT') ? 'BTC-USDT' : [...by.keys()].sort()[0];
      choose(pref, hs === pref && hv ? hv : 'all');
    } else if (changed) {
      choose(S.symbol, S.venue);
    }
    return true;
  } catch (e) {
    return false;
  }
}

async function pollFeeds() {
  try {
    const { status, body } = await getJson('/api/v1/feeds');
    if (status === 200 && body && Array.isArray(body.feeds)) {
      S.feeds = body.feeds;
      S.feedsError = '';
    } else {
      S.feedsError = `feeds: HTTP ${status}`;
    }
  } catch (e) {
    S.feedsError = 'mdhub is unreachable';
  }
  mark('feeds');
}

// ---- misc --------------------------------------------------------------------------------

let toastTimer = null;
function toast(text) {
  const t = $('toast');
  t.textContent = text;
  t.classList.add('shown');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => t.classList.remove('shown'), 6000);
}

function tickStatus() {
  S.rate = S.msgs;
  S.msgs = 0;
  setText($('rate'), conn.state === 'open' ? `${count(S.rate)} msg/s` : '');
  if (conn.state === 'reconnecting') onState('reconnecting', {});
  setText($('foot-stats'), S.book && S.book.ready ? `book ${S.book.channel} · ${count(S.trades.length)} trades kept` : '');
}

function start() {
  $('symbol').addEventListener('change', (e) => choose(e.target.value, S.venue));
  window.addEventListener('hashchange', () => {
    const [hs, hv, hi, hq, hf] = decodeURIComponent(location.hash.slice(1)).split('/');
    const fx = hashFx(hq, hf);
    if (fx.quote && fx.quote !== S.fxQuote) chooseQuote(fx.quote);
    if (S.symbol && hq && fx.ladder !== S.fxLadder) toggleFxLadder();
    if (S.bySymbol.has(hs) && (hs !== S.symbol || (hv && hv !== S.venue))) {
      if (INTERVALS.includes(hi)) S.interval = hi;
      choose(hs, hv || S.venue);
    } else if (INTERVALS.includes(hi) && hi !== S.interval) {
      chooseCandles(hi);
    }
  });
  $('chart-venue').addEventListener('change', (e) => chooseCandles(S.interval, e.target.value));
  $('fx-quote').addEventListener('change', (e) => chooseQuote(e.target.value));
  $('fx-toggle').addEventListener('click', toggleFxLadder);
  setInterval(() => S.premium && mark('premium'), PREMIUM_AGE_EVERY_MS);
  const ro = new ResizeObserver(() => mark('candles', 'depth'));
  ro.observe($('candles'));
  ro.observe($('depth'));
  new ResizeObserver(([e]) => {
    const rows = ladder.fit(e.contentRect.height);
    if (rows !== ladder.rows) {
      ladder.setRows(rows);
      mark('book');
    }
  }).observe($('ladder'));
  conn.start();
  const retry = async () => {
    if (!(await loadInstruments())) setTimeout(retry, 1000);
    else setInterval(loadInstruments, 15000);
  };
  retry();
  pollFeeds();
  setInterval(pollFeeds, FEEDS_EVERY_MS);
  setInterval(tickStatus, 1000);
  // A venue's own candles may start after the page chose a chart: look again meanwhile.
  setInterval(() => S.candles && S.candles.source !== 'venue' && findVenueCandles(S.gen), VENUE_CANDLES_EVERY_MS);
  mark('book', 'candles', 'trades', 'ticker', 'feeds', 'premium');
}

start();
