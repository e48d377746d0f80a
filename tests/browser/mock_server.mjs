// Development aid: serves the dashboard assets and a fake, fast-moving market over the
// same HTTP and websocket payloads as mdhub, so the page can be worked on without building
// the C++ server. With MOCK_PROXY=http://HOST:PORT it serves the assets from disk and
// forwards everything else (API, /ws) to a running mdhub instead, to try page changes
// against real data without re-embedding. The dashboard test uses the real server; the
// cross-currency test (fx_test.mjs) uses this one's premium:fx and book:fx channels.
// Usage: [MOCK_PROXY=URL] node mock_server.mjs [port] [assets dir]
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const PORT = Number(process.argv[2] || 8090);
const ASSETS = process.argv[3] || path.join(here, '../../src/dashboard/assets');
const PROXY = process.env.MOCK_PROXY ? new URL(process.env.MOCK_PROXY) : null;
// Faults, to watch the page recover: MOCK_GAP_RATE (probability that a book update skips a
// sequence number), MOCK_DROP_EVERY_S (close every websocket this often).
const GAP_RATE = Number(process.env.MOCK_GAP_RATE || 0);
const DROP_EVERY_S = Number(process.env.MOCK_DROP_EVERY_S || 0);
// How often the fx channels publish (the server's [fx] publish_interval_ms).
const FX_EVERY_MS = Number(process.env.MOCK_FX_EVERY_MS || 250);

// ---- fake market ------------------------------------------------------------------------

const INSTRUMENTS = [
  { venue: 'btse', symbol: 'BTC-USD', native: 'BTC-USD', mid: 64250, tick: 0.5, pd: 1, book: true },
  { venue: 'btse', symbol: 'BTC-USDT', native: 'BTC-USDT', mid: 64230, tick: 0.5, pd: 1, book: true },
  { venue: 'narkasa', symbol: 'BTC-USDT', native: 'BTCUSDT', mid: 64236, tick: 1, pd: 0, book: true },
  { venue: 'bitexbit', symbol: 'BTC-USDT', native: 'btc_usdt', mid: 64228, tick: 0.25, pd: 2, book: true },
  { venue: 'narkasa', symbol: 'BTC-TRY', native: 'BTCTRY', mid: 2091500, tick: 10, pd: 0, book: true },
  { venue: 'coinmotion', symbol: 'BTC-EUR', native: 'btcEur', mid: 59210, tick: 0.01, pd: 2, book: false },
  // A conversion pair: BTC-TRY reaches USDT and USD through it (see "cross-currency").
  { venue: 'narkasa', symbol: 'USDT-TRY', native: 'USDTTRY', mid: 32.56, tick: 0.001, pd: 3, book: true },
];
const nowUs = () => Date.now() * 1000;
const fmt = (x, d) => {
  const s = x.toFixed(d);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
};

for (const i of INSTRUMENTS) {
  i.bids = new Map();
  i.asks = new Map();
  i.seq = 0;
  i.trades = [];
  i.candles = [];
  i.open24 = i.mid * 0.985;
  i.vol = 0;
  regen(i);
  // Two hours of 1m history.
  let p = i.mid * 0.99;
  const t0 = Math.floor(Date.now() / 60000) * 60000;
  for (let k = 120; k >= 1; k--) {
    const o = p, c = p * (1 + (Math.random() - 0.48) * 0.002);
    const h = Math.max(o, c) * (1 + Math.random() * 0.0008), l = Math.min(o, c) * (1 - Math.random() * 0.0008);
    i.candles.push({ t: (t0 - k * 60000) * 1000, o, h, l, c, v: Math.random() * 8, closed: true });
    p = c;
  }
  i.candles.push({ t: t0 * 1000, o: p, h: p, l: p, c: p, v: 0, closed: false });
}

function regen(i) {
  const half = i.tick * (1 + Math.floor(Math.random() * 2));
  const nb = new Map(), na = new Map();
  for (let k = 0; k < 40; k++) {
    const bp = fmt(Math.floor((i.mid - half) / i.tick) * i.tick - k * i.tick, i.pd);
    const ap = fmt(Math.ceil((i.mid + half) / i.tick) * i.tick + k * i.tick, i.pd);
    const jitter = () => (Math.random() < 0.15 ? fmt(Math.random() * 2 + 0.001 * k, 4) : null);
    nb.set(bp, jitter() || i.bids.get(bp) || fmt(Math.random() * 1.5 + 0.01, 4));
    na.set(ap, jitter() || i.asks.get(ap) || fmt(Math.random() * 1.5 + 0.01, 4));
  }
  const diff = (old, neu) => {
    const out = [];
    for (const [p, q] of neu) if (old.get(p) !== q) out.push([p, q]);
    for (const p of old.keys()) if (!neu.has(p)) out.push([p, '0']);
    return out;
  };
  const changes = { bids: diff(i.bids, nb), asks: diff(i.asks, na) };
  i.bids = nb;
  i.asks = na;
  return changes;
}

const sortLevels = (m, desc) => [...m].sort((a, b) => (desc ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0])));
const key = (i) => `${i.venue}:${i.symbol}`;
const symbols = [...new Set(INSTRUMENTS.map((i) => i.symbol))];
const consSeq = new Map(symbols.map((s) => [s, 0]));

function consolidated(symbol, side) {
  const m = new Map();
  for (const i of INSTRUMENTS) {
    if (i.symbol !== symbol || !i.book) continue;
    for (const [p, q] of i[side]) {
      const k = fmt(Number(p), 8);
      if (!m.has(k)) m.set(k, {});
      m.get(k)[i.venue] = q;
    }
  }
  return m;
}
const consLevel = (p, by) => [p, fmt(Object.values(by).reduce((s, q) => s + Number(q), 0), 8), by];

// ---- websocket ------------------------------------------------------------------------------

const clients = new Set();
function wsSend(c, obj) {
  const data = Buffer.from(JSON.stringify(obj));
  const n = data.length;
  const head = n < 126 ? Buffer.from([0x81, n]) : n < 65536 ? Buffer.from([0x81, 126, n >> 8, n & 255]) : Buffer.alloc(10);
  if (n >= 65536) {
    head[0] = 0x81;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  c.sock.write(Buffer.concat([head, data]));
}
const matches = (pat, ch) => {
  const [pk, pv, ps] = pat.split(':'), [ck, cv, cs] = ch.split(':');
  return pk === ck && (pv === '*' || pv === cv) && (ps === '*' || ps === cs);
};
function publish(channel, obj) {
  for (const c of clients) if ([...c.subs].some((p) => matches(p, channel))) wsSend(c, { channel, ...obj });
}
const head = (type, venue, symbol, seq) => ({ type, venue, symbol, seq, ts_exchange: nowUs() - 3000, ts_received: nowUs() });

function snapshotsFor(c, pat) {
  const [kind, v, s] = pat.split(':');
  if (v === 'fx') return fxSnapshot(c, pat);
  for (const i of INSTRUMENTS) {
    if ((v !== '*' && v !== i.venue) || (s !== '*' && s !== i.symbol)) continue;
    if (kind === 'book' && i.book)
      wsSend(c, { channel: `book:${key(i)}`, ...head('book_snapshot', i.venue, i.symbol, i.seq), bids: sortLevels(i.bids, true), asks: sortLevels(i.asks, false) });
    if (kind === 'ticker') wsSend(c, { channel: `ticker:${key(i)}`, ...tickerMsg(i) });
    if (kind === 'bbo') wsSend(c, { channel: `bbo:${key(i)}`, ...bboMsg(i) });
  }
  if (v === 'all' && kind === 'book') {
    const seq = consSeq.get(s);
    const lv = (side, desc) => [...consolidated(s, side)].sort((a, b) => (desc ? b[0] - a[0] : a[0] - b[0])).map(([p, by]) => consLevel(p, by));
    wsSend(c, { channel: pat, ...head('book_snapshot', 'all', s, seq), ts_exchange: null, bids: lv('bids', true), asks: lv('asks', false) });
  }
}

function onClientText(c, text) {
  let m;
  try {
    m = JSON.parse(text);
  } catch (e) {
    return wsSend(c, { type: 'error', id: null, code: 'bad_request', message: 'messages must be JSON objects' });
  }
  if (m.op === 'ping') return wsSend(c, { type: 'pong', id: m.id ?? null });
  if (m.op === 'subscribe') {
    const refused = m.channels.map(fxRefusal).find((r) => r);
    if (refused) return wsSend(c, { type: 'error', id: m.id ?? null, ...refused });
    wsSend(c, { type: 'subscribed', id: m.id ?? null, channels: m.channels });
    for (const ch of m.channels) {
      c.subs.add(ch);
      snapshotsFor(c, ch);
    }
    return;
  }
  if (m.op === 'unsubscribe') {
    for (const ch of m.channels) c.subs.delete(ch);
    return wsSend(c, { type: 'unsubscribed', id: m.id ?? null, channels: m.channels });
  }
  wsSend(c, { type: 'error', id: m.id ?? null, code: 'unknown_op', message: 'op must be subscribe, unsubscribe, list or ping' });
}

function upgrade(req, sock) {
  const accept = crypto.createHash('sha1').update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  sock.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  const c = { sock, subs: new Set() };
  clients.add(c);
  let buf = Buffer.alloc(0);
  sock.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      if (buf.length < 2) return;
      const op = buf[0] & 15;
      let len = buf[1] & 127, off = 2;
      if (len === 126) { len = buf.readUInt16BE(2); off = 4; }
      else if (len === 127) { len = Number(buf.readBigUInt64BE(2)); off = 10; }
      if (buf.length < off + 4 + len) return;
      const mask = buf.subarray(off, off + 4);
      const data = Buffer.from(buf.subarray(off + 4, off + 4 + len)).map((b, k) => b ^ mask[k & 3]);
      buf = buf.subarray(off + 4 + len);
      if (op === 8) { sock.end(Buffer.from([0x88, 0])); return; }
      if (op === 1) onClientText(c, data.toString());
    }
  });
  const drop = () => clients.delete(c);
  sock.on('close', drop);
  sock.on('error', drop);
}

// ---- market activity ------------------------------------------------------------------------

function tickerMsg(i) {
  const last = i.trades.length ? i.trades[i.trades.length - 1].price : fmt(i.mid, i.pd);
  const hi = Math.max(...i.candles.map((c) => c.h)), lo = Math.min(...i.candles.map((c) => c.l));
  return {
    ...head('ticker', i.venue, i.symbol, 0), bid: sortLevels(i.bids, true)[0]?.[0] ?? fmt(i.mid - i.tick, i.pd),
    ask: sortLevels(i.asks, false)[0]?.[0] ?? fmt(i.mid + i.tick, i.pd), last, open: fmt(i.open24, i.pd),
    high: fmt(hi, i.pd), low: fmt(lo, i.pd), volume_base: fmt(1234.5678 + i.vol, 4), volume_quote: null,
    change_pct: fmt(((Number(last) - i.open24) / i.open24) * 100, 8),
  };
}
function bboMsg(i) {
  if (!i.book) return { ...head('bbo', i.venue, i.symbol, 0), bid: fmt(i.mid - 12, i.pd), bid_qty: null, ask: fmt(i.mid + 12, i.pd), ask_qty: null };
  const b = sortLevels(i.bids, true)[0], a = sortLevels(i.asks, false)[0];
  return { ...head('bbo', i.venue, i.symbol, 0), bid: b[0], bid_qty: b[1], ask: a[0], ask_qty: a[1] };
}
const candleMsg = (i, c) => ({
  ...head('candle', i.venue, i.symbol, 0), ts_exchange: null, interval: '1m', open_time: c.t, close_time: c.t + 60e6,
  open: fmt(c.o, i.pd), high: fmt(c.h, i.pd), low: fmt(c.l, i.pd), close: fmt(c.c, i.pd), volume: fmt(c.v, 4), closed: c.closed, source: 'trades',
});

// One mid walk per market, each venue quoting around it with a small drift of its own, so
// the consolidated book overlaps and is now and then crossed, like the real thing.
const marketMid = new Map(INSTRUMENTS.map((i) => [i.symbol, i.mid]));
for (const i of INSTRUMENTS) i.offset = i.mid / marketMid.get(i.symbol) - 1;

setInterval(() => {
  for (const s of symbols) marketMid.set(s, marketMid.get(s) * (1 + (Math.random() - 0.5) * 0.0003));
  const consBefore = new Map(symbols.map((s) => [s, { bids: consolidated(s, 'bids'), asks: consolidated(s, 'asks') }]));
  for (const i of INSTRUMENTS) {
    i.offset = Math.max(-0.0004, Math.min(0.0004, i.offset + (Math.random() - 0.5) * 0.00004));
    i.mid = marketMid.get(i.symbol) * (1 + i.offset);
    if (!i.book || i.frozen) continue;
    const ch = regen(i);
    if (!ch.bids.length && !ch.asks.length) continue;
    i.seq += Math.random() < GAP_RATE ? 2 : 1;
    i.lastUpdate = Date.now();
    publish(`book:${key(i)}`, { ...head('book_update', i.venue, i.symbol, i.seq), ...ch });
    publish(`bbo:${key(i)}`, bboMsg(i));
  }
  for (const s of symbols) {
    const before = consBefore.get(s);
    const out = {};
    for (const side of ['bids', 'asks']) {
      const now = consolidated(s, side), old = before[side];
      out[side] = [];
      for (const [p, by] of now) if (JSON.stringify(old.get(p)) !== JSON.stringify(by)) out[side].push(consLevel(p, by));
      for (const p of old.keys()) if (!now.has(p)) out[side].push([p, '0', {}]);
    }
    if (!out.bids.length && !out.asks.length) continue;
    consSeq.set(s, consSeq.get(s) + 1);
    publish(`book:all:${s}`, { ...head('book_update', 'all', s, consSeq.get(s)), ts_exchange: null, ...out });
  }
}, 120);

setInterval(() => {
  for (const i of INSTRUMENTS) {
    if (Math.random() < 0.4) continue;
    const buy = Math.random() < 0.5;
    const price = i.book ? sortLevels(buy ? i.asks : i.bids, !buy)[0][0] : fmt(i.mid, i.pd);
    const qty = fmt(Math.random() * 0.3 + 0.0001, 4);
    const t = { ts_exchange: nowUs() - 2000, ts_received: nowUs(), price, qty, side: buy ? 'buy' : 'sell', trade_id: String(Math.floor(Math.random() * 1e12)) };
    i.trades.push(t);
    if (i.trades.length > 500) i.trades.shift();
    i.vol += Number(qty);
    publish(`trades:${key(i)}`, { ...head('trade', i.venue, i.symbol, 0), ...t });
    let c = i.candles[i.candles.length - 1];
    const open = Math.floor(Date.now() / 60000) * 60000 * 1000;
    if (c.t !== open) {
      c.closed = true;
      c = { t: open, o: Number(price), h: Number(price), l: Number(price), c: Number(price), v: 0, closed: false };
      i.candles.push(c);
    }
    const p = Number(price);
    c.h = Math.max(c.h, p);
    c.l = Math.min(c.l, p);
    c.c = p;
    c.v += Number(qty);
    publish(`candles.1m:${key(i)}`, candleMsg(i, c));
  }
}, 250);

setInterval(() => {
  for (const i of INSTRUMENTS) publish(`ticker:${key(i)}`, tickerMsg(i));
}, 1000);

// ---- cross-currency: premium:fx and book:fx channels -------------------------------------
// A peg USDT=USD and narkasa's USDT-TRY book as the rates; exact decimal arithmetic on
// BigInt (rates rounded half-even to 12 decimals, converted prices to 8), shortest paths.

const PRICE_SCALE = 8, RATE_SCALE = 12;
const dec = (s) => {
  const [i, f = ''] = s.split('.');
  return { n: BigInt(i + f), d: 10n ** BigInt(f.length) };
};
const mul = (a, b) => ({ n: a.n * b.n, d: a.d * b.d });
const inv = (a) => ({ n: a.d, d: a.n });
/** n/d rounded half-even to `scale` decimals, as text with exactly `scale` decimals. */
function roundHE({ n, d }, scale) {
  if (d < 0n) { n = -n; d = -d; }
  const neg = n < 0n;
  const num = (neg ? -n : n) * 10n ** BigInt(scale);
  let q = num / d;
  const r2 = (num % d) * 2n;
  if (r2 > d || (r2 === d && q % 2n === 1n)) q += 1n;
  let t = q.toString().padStart(scale + 1, '0');
  if (scale) t = `${t.slice(0, -scale)}.${t.slice(-scale)}`;
  return (neg && q !== 0n ? '-' : '') + t;
}
const bookMid = (i) => {
  const b = sortLevels(i.bids, true)[0], a = sortLevels(i.asks, false)[0];
  return b && a ? { n: dec(b[0]).n * dec(a[0]).d + dec(a[0]).n * dec(b[0]).d, d: dec(b[0]).d * dec(a[0]).d * 2n } : null;
};
/** Edges: [X, Y, source, symbol, () => rational 1 X in Y, age ms or null]. */
function fxEdges() {
  const out = [['USDT', 'USD', 'static', 'USDT-USD', () => ({ n: 1n, d: 1n }), null]];
  for (const i of INSTRUMENTS) {
    if (i.symbol.startsWith('BTC-') || !i.book) continue;
    const [x, y] = i.symbol.split('-');
    out.push([x, y, i.venue, i.symbol, () => bookMid(i), Math.max(0, Math.round((Date.now() - (i.lastUpdate || Date.now())))) ]);
  }
  return out;
}
/** The rate path from `from` to `to` (fewest hops, then smallest intermediates), or null. */
function fxPath(from, to, base) {
  if (from === to) return [];
  const edges = fxEdges();
  let frontier = [{ at: from, hops: [] }];
  for (let depth = 0; depth < 3; depth++) {
    const next = [];
    for (const f of frontier) {
      for (const [x, y, source, symbol, mid, age] of edges) {
        for (const [a, b, fwd] of [[x, y, true], [y, x, false]]) {
          if (a !== f.at || b === base || f.hops.some((h) => h.from === b) || b === from) continue;
          next.push({ at: b, hops: [...f.hops, { from: a, to: b, source, symbol, fwd, mid, age }] });
        }
      }
    }
    const done = next.filter((n) => n.at === to);
    if (done.length) {
      const inter = (n) => n.hops.slice(1).map((h) => h.from).join('\u0000');
      done.sort((p, q) => (inter(p) < inter(q) ? -1 : inter(p) > inter(q) ? 1 : 0));
      return done[0].hops;
    }
    frontier = next;
  }
  return null;
}
/** A venue instrument converted into `quote`: rate, path and the converter, or null. */
function conversion(i, quote) {
  const [base, q1] = i.symbol.split('-');
  const hops = fxPath(q1, quote, base);
  if (!hops) return null;
  if (!hops.length) return { converted: false, rate: '1', age: null, path: [], conv: (p) => p };
  let R = { n: 1n, d: 1n }, age = null;
  const path = hops.map((h) => {
    const m = h.mid();
    R = mul(R, h.fwd ? m : inv(m));
    if (h.age !== null) age = Math.max(age ?? 0, h.age);
    return { from: h.from, to: h.to, source: h.source, symbol: h.symbol, mid: h.source === 'static' ? '1' : roundHE(m, 12).replace(/\.?0+$/, ''), age_ms: h.age };
  });
  const rate = roundHE(R, RATE_SCALE);
  return { converted: true, rate, age, path, conv: (p) => roundHE(mul(dec(p), dec(rate)), PRICE_SCALE) };
}
const fxBases = () => new Set(INSTRUMENTS.map((i) => i.symbol.split('-')[0]));
const ofBase = (base) => INSTRUMENTS.filter((i) => i.symbol.split('-')[0] === base);
function fxRefusal(channel) {
  const [kind, v, pair] = channel.split(':');
  if (v !== 'fx') return null;
  const [base, quote] = (pair || '').split('-');
  const bad = (x) => !/^[A-Z0-9]{2,12}$/.test(x || '');
  if (!['premium', 'book'].includes(kind) || bad(base) || bad(quote))
    return { code: 'bad_channel', message: `${channel} is not an fx channel (premium:fx:BASE-QUOTE, book:fx:BASE-QUOTE)` };
  if (!fxBases().has(base)) return { code: 'unknown_symbol', message: `no venue lists ${base}`, channel };
  const list = ofBase(base).filter((i) => kind === 'premium' || i.book);
  if (!list.some((i) => conversion(i, quote)))
    return { code: 'no_fx_path', message: list.map((i) => `${i.venue} quotes ${base} in ${i.symbol.split('-')[1]}, and no rate leads from ${i.symbol.split('-')[1]} to ${quote}`).join('; '), channel };
  return null;
}
const noPath = (i, quote) => ({ venue: i.venue, symbol: i.symbol, reason: 'no_fx_path', message: `no rate leads from ${i.symbol.split('-')[1]} to ${quote}` });
const bp = (num, den) => roundHE({ n: dec(num).n * dec(den).d * 10000n, d: dec(num).d * dec(den).n }, 2);

function premiumOf(base, quote) {
  const rows = [], excluded = [];
  for (const i of ofBase(base)) {
    const c = conversion(i, quote);
    if (!c) { excluded.push(noPath(i, quote)); continue; }
    const b = i.book ? sortLevels(i.bids, true)[0]?.[0] : bboMsg(i).bid;
    const a = i.book ? sortLevels(i.asks, false)[0]?.[0] : bboMsg(i).ask;
    rows.push({ venue: i.venue, symbol: i.symbol, bid: b ? c.conv(b) : null, ask: a ? c.conv(a) : null, converted: c.converted, rate: c.rate, rate_age_ms: c.age, path: c.path });
  }
  const best = (k, better) => rows.filter((r) => r[k]).reduce((m, r) => (!m || better(Number(r[k]), Number(m[k])) ? r : m), null);
  const bb = best('bid', (x, y) => x > y), ba = best('ask', (x, y) => x < y);
  for (const r of rows) {
    r.bid_bp = r.bid && bb ? bp(`${sub(bb.bid, r.bid)}`, bb.bid) : null;
    r.ask_bp = r.ask && ba ? bp(`${sub(r.ask, ba.ask)}`, ba.ask) : null;
  }
  rows.sort((x, y) => (x.ask_bp === null) - (y.ask_bp === null) || Number(x.ask_bp) - Number(y.ask_bp) || (x.venue < y.venue ? -1 : x.venue > y.venue ? 1 : 0));
  const venues = rows.map(({ venue, symbol, bid, ask, bid_bp, ask_bp, converted, rate, rate_age_ms, path }) => ({ venue, symbol, bid, ask, bid_bp, ask_bp, converted, rate, rate_age_ms, path }));
  return {
    type: 'premium', base, quote, ts_received: nowUs(), price_scale: PRICE_SCALE, rate_scale: RATE_SCALE,
    best_bid: bb && { venue: bb.venue, symbol: bb.symbol, price: bb.bid }, best_ask: ba && { venue: ba.venue, symbol: ba.symbol, price: ba.ask },
    venues, excluded,
  };
}
/** Exact a - b of two decimal strings. */
function sub(a, b) {
  const x = dec(a), y = dec(b);
  const d = x.d > y.d ? x.d : y.d;
  const n = x.n * (d / x.d) - y.n * (d / y.d);
  return roundHE({ n, d }, d.toString().length - 1);
}

/** The fx book's entries, keyed by venue, symbol and native price. */
function fxEntries(base, quote) {
  const sides = { bids: new Map(), asks: new Map() }, venues = [], excluded = [];
  for (const i of ofBase(base)) {
    if (!i.book) continue;
    const c = conversion(i, quote);
    if (!c) { excluded.push(noPath(i, quote)); continue; }
    venues.push({ venue: i.venue, symbol: i.symbol, converted: c.converted, rate: c.rate, path: c.path });
    for (const side of ['bids', 'asks'])
      for (const [p, q] of i[side]) sides[side].set(`${i.venue} ${i.symbol} ${p}`, [c.conv(p), q, { venue: i.venue, symbol: i.symbol, price: p, rate: c.rate }]);
  }
  return { ...sides, venues, excluded };
}
const fxOrder = (m, desc) => [...m.values()].sort((a, b) => (desc ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0])) ||
  (a[2].venue < b[2].venue ? -1 : a[2].venue > b[2].venue ? 1 : 0) || (desc ? Number(b[2].price) - Number(a[2].price) : Number(a[2].price) - Number(b[2].price)));
const fxState = new Map();  // channel -> { seq, last } from its first subscription
function fxSnapshot(c, channel) {
  const [kind, , pair] = channel.split(':');
  const [base, quote] = pair.split('-');
  if (!fxState.has(channel)) fxState.set(channel, { seq: 1, last: kind === 'book' ? fxEntries(base, quote) : premiumOf(base, quote) });
  const st = fxState.get(channel);
  if (kind === 'premium') return wsSend(c, { channel, ...st.last, seq: st.seq });
  wsSend(c, { type: 'book_snapshot', channel, venue: 'fx', symbol: pair, seq: st.seq, ts_received: nowUs(), price_scale: PRICE_SCALE, rate_scale: RATE_SCALE,
    bids: fxOrder(st.last.bids, true), asks: fxOrder(st.last.asks, false), venues: st.last.venues, excluded: st.last.excluded });
}
setInterval(() => {
  for (const [channel, st] of fxState) {
    if (![...clients].some((c) => c.subs.has(channel))) continue;
    const [kind, , pair] = channel.split(':');
    const [base, quote] = pair.split('-');
    if (kind === 'premium') {
      const p = premiumOf(base, quote);
      const { ts_received: _a, ...now } = p, { ts_received: _b, ...was } = st.last;
      if (JSON.stringify(now) === JSON.stringify(was)) continue;
      st.last = p;
      publish(channel, { ...p, seq: ++st.seq });
      continue;
    }
    const next = fxEntries(base, quote), out = {};
    for (const side of ['bids', 'asks']) {
      out[side] = [];
      for (const [k, e] of next[side]) if (JSON.stringify(st.last[side].get(k)) !== JSON.stringify(e)) out[side].push(e);
      for (const [k, e] of st.last[side]) if (!next[side].has(k)) out[side].push([e[0], '0', e[2]]);
    }
    const extra = {};
    if (JSON.stringify(next.venues) !== JSON.stringify(st.last.venues)) extra.venues = next.venues;
    if (JSON.stringify(next.excluded) !== JSON.stringify(st.last.excluded)) extra.excluded = next.excluded;
    if (!out.bids.length && !out.asks.length && !Object.keys(extra).length) continue;
    st.last = next;
    publish(channel, { type: 'book_update', venue: 'fx', symbol: pair, seq: ++st.seq, ts_received: nowUs(), ...out, ...extra });
  }
}, FX_EVERY_MS);

if (DROP_EVERY_S > 0) setInterval(() => {
  for (const c of clients) c.sock.destroy();
}, DROP_EVERY_S * 1000);

// ---- HTTP -----------------------------------------------------------------------------------

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };
const started = Date.now();
function api(p, q) {
  if (p === '/healthz') return [200, { status: 'ok' }];
  // Test control: stop one instrument's book (its rate ages), e.g. /mock/freeze?symbol=USDT-TRY.
  if (p === '/mock/freeze') {
    for (const i of INSTRUMENTS) if (i.symbol === q.get('symbol')) i.frozen = true;
    return [200, { frozen: q.get('symbol') }];
  }
  if (p === '/api/v1/instruments')
    return [200, { instruments: INSTRUMENTS.map((i) => ({ venue: i.venue, symbol: i.symbol, native: i.native, base: i.symbol.split('-')[0], quote: i.symbol.split('-')[1] })) }];
  if (p === '/api/v1/feeds')
    return [200, { feeds: [...new Set(INSTRUMENTS.map((i) => i.venue))].map((v, k) => ({
      venue: v, enabled: true, state: k === 3 ? 'connecting' : 'live', connected_since: k === 3 ? null : started * 1000,
      last_message_age_ms: Math.floor(Math.random() * 300), reconnects: k === 1 ? 2 : 0, messages: Math.floor((Date.now() - started) * (k + 1)),
      gaps: k === 0 ? 1 : 0, resyncs: k === 0 ? 1 : 0, parse_errors: 0, books: k === 3 ? 0 : 1, books_in_sync: k === 3 ? 0 : 1, last_error: k === 1 ? 'websocket closed (1006)' : null,
    })) }];
  const pm = p.match(/^\/api\/v1\/premium\/([A-Z0-9]{2,12})$/);
  if (pm) {
    const r = fxRefusal(`premium:fx:${pm[1]}-${q.get('quote')}`);
    if (r) return [404, { error: r }];
    const { type, channel, ...body } = { seq: 0, ...premiumOf(pm[1], q.get('quote')) };
    return [200, body];
  }
  const m = p.match(/^\/api\/v1\/(candles|trades|book)\/([^/]+)\/([^/]+)$/);
  const i = m && INSTRUMENTS.find((x) => x.venue === m[2] && x.symbol === m[3]);
  if (!i) return [404, { error: { code: 'not_found', message: `no API endpoint at ${p}` } }];
  if (m[1] === 'candles') return [200, { venue: i.venue, symbol: i.symbol, interval: '1m', candles: i.candles.map((c) => { const { channel, type, venue, symbol, seq, ts_exchange, ts_received, ...rest } = candleMsg(i, c); return rest; }) }];
  if (m[1] === 'trades') return [200, { venue: i.venue, symbol: i.symbol, trades: i.trades.slice(-Number(q.get('limit') || 100)) }];
  if (!i.book) return [404, { error: { code: 'no_book', message: `${i.venue} publishes no order book for ${i.symbol}` } }];
  return [200, { venue: i.venue, symbol: i.symbol, bids: sortLevels(i.bids, true), asks: sortLevels(i.asks, false) }];
}

function forward(req, res) {
  const up = http.request({ host: PROXY.hostname, port: PROXY.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
    res.writeHead(r.statusCode, r.headers);
    r.pipe(res);
  });
  up.on('error', () => {
    res.writeHead(502, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'bad_gateway', message: 'mdhub is not reachable' } }));
  });
  req.pipe(up);
}

function forwardUpgrade(req, sock, head) {
  const up = net.connect(Number(PROXY.port), PROXY.hostname, () => {
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let k = 0; k < req.rawHeaders.length; k += 2) lines.push(`${req.rawHeaders[k]}: ${req.rawHeaders[k + 1]}`);
    up.write(lines.join('\r\n') + '\r\n\r\n');
    if (head && head.length) up.write(head);
    up.pipe(sock);
    sock.pipe(up);
  });
  const close = () => { up.destroy(); sock.destroy(); };
  up.on('error', close);
  sock.on('error', close);
}

const server = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  const isAsset = !u.pathname.startsWith('/api/') && !['/healthz', '/readyz', '/metrics', '/ws'].includes(u.pathname);
  if (PROXY && !isAsset) return forward(req, res);
  if (u.pathname.startsWith('/api/') || u.pathname === '/healthz' || u.pathname.startsWith('/mock/')) {
    const [status, body] = api(u.pathname, u.searchParams);
    res.writeHead(status, { 'Content-Type': 'application/json' });
    return res.end(JSON.stringify(body));
  }
  const rel = u.pathname === '/' ? 'index.html' : u.pathname.slice(1);
  const file = path.join(ASSETS, path.normalize(rel));
  if (!file.startsWith(ASSETS) || !fs.existsSync(file)) {
    res.writeHead(404, { 'Content-Type': 'application/json' });
    return res.end(JSON.stringify({ error: { code: 'not_found', message: `no page at ${u.pathname}` } }));
  }
  res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-cache' });
  res.end(fs.readFileSync(file));
});
server.on('upgrade', (req, sock, head) => {
  if (!req.url.startsWith('/ws')) return sock.destroy();
  if (PROXY) return forwardUpgrade(req, sock, head);
  upgrade(req, sock);
});
server.listen(PORT, '127.0.0.1', () => console.log(`mock mdhub on http://127.0.0.1:${PORT}/`));
