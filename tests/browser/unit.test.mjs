// Unit tests of the dashboard's pure modules (exact decimals, the book model, the candle
// series), run by Node's test runner straight from the asset sources.
// Usage: node --experimental-default-type=module --test unit.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const assets = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../src/dashboard/assets');
const load = (m) => import(pathToFileURL(path.join(assets, m)).href);
const D = await load('decimal.js');
const { Book } = await load('book.js');
const { CandleSeries } = await load('candles.js');

test('decimal add/sub/sum are exact', () => {
  assert.equal(D.add('0.1', '0.2'), '0.3');
  assert.equal(D.sub('65000.5', '64999.75'), '0.75');
  assert.equal(D.sub('64999.75', '65000.5'), '-0.75');
  assert.equal(D.sub('1.5', '1.5'), '0');
  assert.equal(D.add('99999999999999999.99999999', '0.00000001'), '100000000000000000');
  assert.equal(D.sum(['1.2', '0.3', '0.00000001']), '1.50000001');
  assert.equal(D.sum([]), '0');
});

test('decimal compare is exact for any length', () => {
  assert.equal(D.cmp('10', '9.99'), 1);
  assert.equal(D.cmp('0.10', '0.1'), 0);
  assert.equal(D.cmp('-1', '0.5'), -1);
  assert.equal(D.cmp('-2', '-1.5'), -1);
  assert.equal(D.cmp('-0', '0'), 0);
  assert.equal(D.cmp('2091500.00000001', '2091500.00000002'), -1);  // equal as doubles
  assert.equal(D.cmp('007.5', '7.50'), 0);
});

test('decimal rounding is half away from zero, to a fixed number of places', () => {
  assert.equal(D.round('1.005', 2), '1.01');
  assert.equal(D.round('-1.005', 2), '-1.01');
  assert.equal(D.round('1.23456789', 2), '1.23');
  assert.equal(D.round('2', 2), '2.00');
  assert.equal(D.round('0.004', 2), '0.00');
  assert.equal(D.round('-0.004', 2), '0.00');
  assert.equal(D.round('9.995', 2), '10.00');
  assert.equal(D.round('12.5', 0), '13');
});

test('decimal helpers', () => {
  for (const z of ['0', '0.000', '-0', '0.', '.0']) assert.ok(D.isZero(z), z);
  for (const n of ['0.001', '1', '-0.5']) assert.ok(!D.isZero(n), n);
  assert.equal(D.fracDigits('1.250'), 3);
  assert.equal(D.fracDigits('12'), 0);
  assert.equal(D.toBig('1.5', 3), 1500n);
  assert.equal(D.toBig('-0.25', 2), -25n);
  assert.equal(D.fromBig(-5n, 3), '-0.005');
  assert.equal(D.fromBig(1200n, 2), '12');
});

const snap = (seq, bids, asks) => ({ type: 'book_snapshot', channel: 'book:btse:BTC-USD', seq, ts_received: 1, bids, asks });
const upd = (seq, bids, asks) => ({ type: 'book_update', channel: 'book:btse:BTC-USD', seq, ts_received: 2, bids, asks });

test('book applies a snapshot and updates, "0" deletes', () => {
  const b = new Book('book:btse:BTC-USD');
  assert.equal(b.ready, false);
  b.snapshot(snap(10, [['100', '1'], ['99.5', '2']], [['101', '3']]));
  assert.equal(b.ready, true);
  assert.ok(b.update(upd(11, [['100', '0'], ['99.75', '0.5']], [['100.5', '1.25']])));
  const v = b.view();
  assert.deepEqual(v.bids.map((l) => [l.p, l.q]), [['99.75', '0.5'], ['99.5', '2']]);
  assert.deepEqual(v.asks.map((l) => [l.p, l.q]), [['100.5', '1.25'], ['101', '3']]);
  assert.equal(b.seq, 11);
});

test('book refuses an update after a gap and waits for a snapshot', () => {
  const b = new Book('book:btse:BTC-USD');
  b.snapshot(snap(5, [['100', '1']], [['101', '1']]));
  assert.equal(b.update(upd(7, [['100', '9']], [])), false);
  assert.equal(b.view().bids[0].q, '1');  // unchanged
  assert.equal(b.update(upd(5, [['100', '9']], [])), false);  // a replay is a gap too
  b.invalidate();
  assert.equal(b.ready, false);
  assert.ok(b.update(upd(8, [['100', '9']], [])));  // ignored while waiting
  assert.deepEqual(b.view(), { version: b.version, bids: [], asks: [] });
  b.snapshot(snap(20, [['100', '3']], []));
  assert.ok(b.update(upd(21, [['100', '4']], [])));
  assert.equal(b.view().bids[0].q, '4');
});

test('a stale book keeps its last levels for display until the next snapshot', () => {
  const b = new Book('book:btse:BTC-USD');
  b.markStale();  // nothing to keep yet
  assert.equal(b.shown, false);
  b.snapshot(snap(1, [['100', '1']], [['101', '2']]));
  b.markStale();
  assert.equal(b.ready, false);
  assert.equal(b.shown, true);
  assert.ok(b.update(upd(2, [['100', '5']], [])));  // ignored: nothing is applied while stale
  assert.equal(b.view().bids[0].q, '1');
  b.snapshot(snap(9, [['99', '1']], []));
  assert.equal(b.stale, false);
  assert.deepEqual(b.view().bids.map((l) => l.p), ['99']);
  assert.deepEqual(b.view().asks, []);
});

test('book orders prices exactly, consolidated levels keep their venues', () => {
  const b = new Book('book:all:BTC-TRY');
  b.snapshot(snap(1, [['2091500.00000001', '1', { btse: '1' }], ['2091500.00000002', '2', { narkasa: '1.5', btse: '0.5' }], ['999999.9', '1', {}]], []));
  const v = b.view();
  assert.deepEqual(v.bids.map((l) => l.p), ['2091500.00000002', '2091500.00000001', '999999.9']);
  assert.deepEqual(v.bids[0].by, { narkasa: '1.5', btse: '0.5' });
});

const candle = (t, close, source, extra = {}) => ({
  open_time: t, open: '10', high: '12', low: '9', close, volume: '1', closed: false, source, ...extra,
});

test('candle series: live rows win over history, venue candles over trade-built ones', () => {
  const s = new CandleSeries('btse', '1m');
  s.put(candle(60, '11', 'trades'), false);
  s.put(candle(60, '10.5', 'trades'), true);  // older history does not overwrite live
  assert.equal(s.sorted()[0].close, '11');
  s.put(candle(0, '10', 'trades'), true);
  assert.deepEqual(s.sorted().map((c) => c.t), [0, 60]);
  s.put(candle(120, '11.5', 'venue'), false);
  assert.equal(s.source, 'venue');
  assert.deepEqual(s.sorted().map((c) => c.t), [120]);  // trade-built rows dropped
  s.put(candle(180, '13', 'trades'), false);
  assert.deepEqual(s.sorted().map((c) => c.t), [120]);
  s.put({ ...candle(240, null, 'venue') }, false);  // incomplete: ignored
  assert.equal(s.sorted().length, 1);
});

const { insertTrade, tickerChange, latencyText, micros, LATENCY_STAGES } = await load('tables.js');

test('feed latency cells: p50 / p99 in compact units, a dash before the first sample', () => {
  assert.equal(micros(0), '0 µs');
  assert.equal(micros(999), '999 µs');
  assert.equal(micros(1000), '1.0 ms');
  assert.equal(micros(2035), '2.0 ms');
  assert.equal(micros(12345), '12 ms');
  assert.equal(micros(999999), '1000 ms');
  assert.equal(micros(3921674), '3.9 s');
  assert.equal(latencyText({ count: 12, p50_us: 85, p99_us: 1737 }), '85 µs / 1.7 ms');
  assert.equal(latencyText({ count: 0, p50_us: null, p99_us: null }), '—');
  assert.equal(latencyText(undefined), '—');
  assert.deepEqual(LATENCY_STAGES, ['exchange_to_received', 'received_to_parsed', 'parsed_to_applied', 'applied_to_written']);
});

test('trade tape is in trade time order, not arrival order', () => {
  const tape = [];
  const tr = (id, exch, recv) => ({ trade_id: id, ts_exchange: exch, ts_received: recv });
  // Streamed live trades, then a late polled batch (oldest first) received after them.
  insertTrade(tape, tr('a1', 1000, 1010));
  insertTrade(tape, tr('a2', 3000, 3010));
  insertTrade(tape, tr('a3', 5000, 5010));
  for (const t of [tr('p1', 2000, 6000), tr('p2', 4000, 6000), tr('p3', 6000, 6000)]) insertTrade(tape, t);
  assert.deepEqual(tape.map((t) => t.trade_id), ['p3', 'a3', 'p2', 'a2', 'p1', 'a1']);
  // Without a venue time the receive time orders; equal times: the later arrival first.
  insertTrade(tape, { trade_id: 'n1', ts_exchange: null, ts_received: 4500 });
  insertTrade(tape, { trade_id: 'e1', ts_exchange: 3000, ts_received: 9000 });
  assert.deepEqual(tape.map((t) => t.trade_id), ['p3', 'a3', 'n1', 'p2', 'e1', 'a2', 'p1', 'a1']);
});

test('24h change: the venue figure, else exact from open and last', () => {
  assert.equal(D.changePct('100', '101.5'), '1.50');
  assert.equal(D.changePct('64000', '63000'), '-1.56');      // -1.5625 rounds away from zero
  assert.equal(D.changePct('3', '4'), '33.33');
  assert.equal(D.changePct('3', '5'), '66.67');
  assert.equal(D.changePct('200', '200.01'), '0.01');        // 0.005 rounds up
  assert.equal(D.changePct('200', '199.99'), '-0.01');
  assert.equal(D.changePct('200', '200.009'), '0.00');
  assert.equal(D.changePct('2091500.5', '2091500.5'), '0.00');
  assert.equal(D.changePct('0', '5'), null);
  assert.equal(D.changePct('0.00000003', '0.00000004', 4), '33.3333');
  assert.equal(tickerChange({ change_pct: '2.5', open: '100', last: '101' }), '2.5');
  assert.equal(tickerChange({ change_pct: null, open: '100', last: '99.5' }), '-0.50');
  assert.equal(tickerChange({ change_pct: null, open: null, last: '99.5' }), null);
  assert.equal(tickerChange(null), null);
});

const { feedTrouble } = await load('tables.js');

test('feeds down: counted, each error named once with its venues', () => {
  const f = (venue, state, last_error, enabled = true) => ({ venue, state, last_error, enabled });
  assert.equal(feedTrouble([]), null);
  assert.equal(feedTrouble([f('btse', 'live', 'an old error'), f('narkasa', 'starting', null)]), null);
  const t = feedTrouble([
    f('btse', 'down', 'discovery: connect 127.0.0.1:1: Connection refused'),
    f('narkasa', 'discovering', 'discovery: connect 127.0.0.1:1: Connection refused'),  // retrying
    f('coinbtr', 'live', null),
    f('bitexbit', 'down', null),
    f('coinmotion', 'down', 'x', false),  // disabled: not counted
  ]);
  assert.deepEqual(t, {
    down: 3, total: 4, summary: '3 of 4 feeds down',
    text: '3 of 4 feeds down: btse, narkasa: discovery: connect 127.0.0.1:1: Connection refused; bitexbit: no error reported',
  });
  assert.equal(feedTrouble([f('btse', 'down', 'HTTP 503')]).text, '1 of 1 feed down: btse: HTTP 503');
});
