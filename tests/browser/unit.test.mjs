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
