// The JavaScript side of bench/peers/run: applies the stream file written by
// mdhub_bench_peers to tardis-dev's and ccxt's order books, times only the apply loops,
// checks every final book (mdhub's included) against the generator's model, exactly as
// decimals, and reports. Exit 1 when a book differs, 2 on bad usage.
//
// Input to each peer is what its API takes: numbers (JavaScript doubles), parsed from the
// stream's decimal text with Number() before timing, as both libraries' venue adapters do.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

function parseArgs(argv) {
  const a = { repetitions: 5, warmup: 1, top: 1000, tamper: '' };
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, '');
    const v = argv[i + 1];
    if (v === undefined) usage(`missing value for ${argv[i]}`);
    if (['stream', 'modules', 'mdhub-bench', 'mdhub-book', 'json', 'tamper'].includes(k)) a[k] = v;
    else if (['repetitions', 'warmup', 'top'].includes(k)) {
      a[k] = Number(v);
      if (!Number.isInteger(a[k]) || a[k] < (k === 'warmup' ? 0 : 1)) usage(`bad value for ${argv[i]}: ${v}`);
    } else usage(`unknown option ${argv[i]}`);
  }
  for (const k of ['stream', 'modules', 'mdhub-bench', 'mdhub-book']) if (!a[k]) usage(`--${k} is required`);
  return a;
}

function usage(msg) {
  console.error(`peers.mjs: ${msg}`);
  process.exit(2);
}

// The stream file (format in bench/peers/stream_file.hpp): sections of "b|a PRICE QTY".
function readStream(file) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const header = lines[0].split(' ');
  if (header[0] !== 'mdhub-peers-stream' || header[1] !== '1') throw new Error(`${file}: not a peers stream file`);
  const meta = Object.fromEntries(header.slice(2).map((kv) => kv.split('=')).map(([k, v]) => [k, Number(v)]));
  let at = 1;
  const section = (name) => {
    const [word, count] = (lines[at++] ?? '').split(' ');
    const n = Number(count);
    if (word !== name || !Number.isInteger(n) || at + n > lines.length) {
      throw new Error(`${file}:${at}: expected section '${name} <count>' and its ${count ?? ''} lines`);
    }
    const out = { text: lines.slice(at, at + n) };
    at += n;
    out.bid = new Uint8Array(n);
    out.price = new Float64Array(n);
    out.qty = new Float64Array(n);
    out.text.forEach((l, i) => {
      const [s, p, q] = l.split(' ');
      out.bid[i] = s === 'b' ? 1 : 0;
      out.price[i] = Number(p);
      out.qty[i] = Number(q);
      if ((s !== 'b' && s !== 'a') || !(out.price[i] > 0) || !(out.qty[i] >= 0)) {
        throw new Error(`${file}:${at - n + i + 1}: bad level line '${l}'`);
      }
    });
    return out;
  };
  return { meta, snapshot: section('snapshot'), updates: section('updates'), final: section('final') };
}

// Exact decimal text of a double that holds a decimal of at most `scale` fraction digits,
// in format_decimal's shortest form; marks a value that is not exactly such a decimal.
function decimal(x, scale) {
  const s = x.toFixed(scale);
  if (Number(s) !== x) return `inexact(${x})`;
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

function topLines(side, levels, n, meta) {
  return levels.slice(0, n).map(([p, q]) => `${side} ${decimal(p, meta.price_scale)} ${decimal(q, meta.qty_scale)}`);
}

function cpuNs() {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

function timed(n, loop) {
  if (global.gc) global.gc();
  const c0 = cpuNs();
  const w0 = process.hrtime.bigint();
  loop();
  const w1 = process.hrtime.bigint();
  const c1 = cpuNs();
  return { cpu: (c1 - c0) / n, wall: Number(w1 - w0) / n };
}

// Each peer: prepare(stream) builds its native input once; run(input) starts a fresh book
// from the snapshot (untimed), times the update loop, and returns the final book best first.
function tardisPeer(OrderBook) {
  const change = (isSnapshot, bids, asks) => ({
    type: 'book_change', symbol: 'BTC-USDT', exchange: 'mdhub-sim', isSnapshot, bids, asks,
    timestamp: new Date(0), localTimestamp: new Date(0),
  });
  return {
    prepare(st) {
      const s = st.snapshot, u = st.updates;
      const bids = [], asks = [];
      for (let i = 0; i < s.price.length; i++) (s.bid[i] ? bids : asks).push({ price: s.price[i], amount: s.qty[i] });
      const none = [];
      const updates = new Array(u.price.length);
      for (let i = 0; i < u.price.length; i++) {
        const level = [{ price: u.price[i], amount: u.qty[i] }];
        updates[i] = u.bid[i] ? change(false, level, none) : change(false, none, level);
      }
      return { snapshot: change(true, bids, asks), updates };
    },
    run(input) {
      const book = new OrderBook();
      book.update(input.snapshot);
      const updates = input.updates;
      const t = timed(updates.length, () => {
        for (let i = 0; i < updates.length; i++) book.update(updates[i]);
      });
      const levels = (it) => Array.from(it, (l) => [l.price, l.amount]);
      return { t, bids: levels(book.bids()), asks: levels(book.asks()) };
    },
  };
}

function ccxtPeer(Exchange) {
  const exchange = new Exchange();
  return {
    prepare(st) {
      return st;
    },
    run(st) {
      // exchange.orderBook() is the book ccxt pro keeps per symbol; deltas go to store().
      const book = exchange.orderBook({});
      const s = st.snapshot;
      const bids = [], asks = [];
      for (let i = 0; i < s.price.length; i++) (s.bid[i] ? bids : asks).push([s.price[i], s.qty[i]]);
      book.reset({ bids, asks });
      const { bid, price, qty } = st.updates;
      const t = timed(price.length, () => {
        for (let i = 0; i < price.length; i++) (bid[i] ? book.bids : book.asks).store(price[i], qty[i]);
      });
      return { t, bids: Array.from(book.bids, (l) => [l[0], l[1]]), asks: Array.from(book.asks, (l) => [l[0], l[1]]) };
    },
  };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// A test knob: one update's quantity changed for one peer, to prove a differing book is caught.
function tampered(st) {
  const qty = Float64Array.from(st.updates.qty);
  const i = qty.findLastIndex((q) => q !== 0);
  qty[i] += 10 ** -st.meta.qty_scale;
  return { ...st, updates: { ...st.updates, qty } };
}

function firstDifference(a, b) {
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    if (a[i] !== b[i]) return `line ${i + 1}: expected '${a[i] ?? '(end)'}', got '${b[i] ?? '(end)'}'`;
  return '';
}

const args = parseArgs(process.argv.slice(2));
const require = createRequire(path.join(path.resolve(args.modules), 'package.json'));
const version = (name) =>
  JSON.parse(readFileSync(path.join(args.modules, 'node_modules', name, 'package.json'), 'utf8')).version;
const { OrderBook } = require('tardis-dev');
const ccxt = require('ccxt');

let stream;
try {
  stream = readStream(args.stream);
} catch (e) {
  console.error(`peers: ${e.message}`);
  process.exit(1);
}
const meta = stream.meta;
const n = stream.updates.price.length;
const expected = [];
for (const side of ['b', 'a']) expected.push(...stream.final.text.filter((l) => l[0] === side).slice(0, args.top));

// mdhub: Google benchmark's median repetition (its own timing of the same apply loop).
const bench = JSON.parse(readFileSync(args['mdhub-bench'], 'utf8'));
const med = bench.benchmarks.find((b) => b.run_name === 'BM_PeersApply_mdhub' && b.aggregate_name === 'median')
  ?? bench.benchmarks.find((b) => b.run_name === 'BM_PeersApply_mdhub');
if (!med || med.error_occurred) {
  console.error(`peers: no mdhub result in ${args['mdhub-bench']}${med ? `: ${med.error_message}` : ''}`);
  process.exit(1);
}
const nsPerUnit = { ns: 1, us: 1e3, ms: 1e6, s: 1e9 }[med.time_unit];
const results = {
  mdhub: {
    cpu: med.time_per_update * 1e9, wall: (med.real_time * nsPerUnit) / n,
    lines: readFileSync(args['mdhub-book'], 'utf8').split('\n').filter((l) => l !== ''),
  },
};
const impl = (med.label ?? '').replace(/^impl=/, '');

const peers = { 'tardis-dev': tardisPeer(OrderBook), ccxt: ccxtPeer(ccxt.Exchange) };
for (const [name, peer] of Object.entries(peers)) {
  const st = args.tamper === name ? tampered(stream) : stream;
  const input = peer.prepare(st);
  const runs = [];
  let last;
  for (let r = 0; r < args.warmup + args.repetitions; r++) {
    last = peer.run(input);
    if (r >= args.warmup) runs.push(last.t);
  }
  results[name] = {
    cpu: median(runs.map((t) => t.cpu)), wall: median(runs.map((t) => t.wall)),
    lines: [...topLines('b', last.bids, args.top, meta), ...topLines('a', last.asks, args.top, meta)],
  };
}

let agree = true;
for (const [name, r] of Object.entries(results)) {
  const diff = firstDifference(expected, r.lines);
  if (diff) {
    agree = false;
    console.error(`peers: ${name}'s final book differs from the generator's model: ${diff}`);
  }
}

const fmt = (x) => x.toFixed(1).padStart(9);
const ratio = (x) => `${(x / results.mdhub.cpu).toFixed(1)}x`.padStart(9);
console.log(`${n} updates, one level each, seed ${meta.seed}, ${meta.levels_per_side} levels a side; ` +
  `median of ${args.repetitions} (JS: after ${args.warmup} warm-up run(s)); node ${process.version}`);
console.log(`${'book'.padEnd(28)} ${'ns/update'.padStart(9)} ${'wall ns'.padStart(9)} ${'vs mdhub'.padStart(9)}`);
const label = { mdhub: `mdhub (${impl})`, 'tardis-dev': `tardis-dev ${version('tardis-dev')}`, ccxt: `ccxt ${version('ccxt')}` };
for (const [name, r] of Object.entries(results))
  console.log(`${label[name].padEnd(28)} ${fmt(r.cpu)} ${fmt(r.wall)} ${name === 'mdhub' ? ''.padStart(9) : ratio(r.cpu)}`);
console.log(`ns/update: CPU time of the apply loop; books ${agree ? 'agree' : 'DIFFER'} (top ${args.top} levels a side, exact decimals)`);

if (args.json) {
  const round = (x) => Math.round(x * 100) / 100;
  const out = {
    mdhub: round(results.mdhub.cpu), 'tardis-dev': round(results['tardis-dev'].cpu), ccxt: round(results.ccxt.cpu),
    books_agree: agree, mdhub_impl: impl,
    versions: { 'tardis-dev': version('tardis-dev'), ccxt: version('ccxt'), node: process.version },
    wall_ns: Object.fromEntries(Object.entries(results).map(([k, r]) => [k, round(r.wall)])),
    updates: n, seed: meta.seed, levels_per_side: meta.levels_per_side, repetitions: args.repetitions,
  };
  writeFileSync(args.json, `${JSON.stringify(out, null, 2)}\n`);
}
process.exit(agree ? 0 : 1);
