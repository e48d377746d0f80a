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

const FX = await load('fx.js');
const fxEntry = (p, q, venue, symbol, native, rate) => [p, q, { venue, symbol, price: native, rate }];
const fxSnap = (seq, bids, asks, extra = {}) => ({ type: 'book_snapshot', channel: 'book:fx:BTC-USD', venue: 'fx', symbol: 'BTC-USD', seq, ts_received: 1, bids, asks, ...extra });
const fxUpd = (seq, bids, asks, extra = {}) => ({ type: 'book_update', channel: 'book:fx:BTC-USD', venue: 'fx', symbol: 'BTC-USD', seq, ts_received: 2, bids, asks, ...extra });
const fxSide = (list) => list.map((l) => [l.p, l.q, l.venue, l.symbol, l.native, l.rate]);
const NARKASA_PATH = [{ from: 'TRY', to: 'USDT', source: 'narkasa', symbol: 'USDT-TRY', mid: '32.505', age_ms: 120 },
  { from: 'USDT', to: 'USD', source: 'btse', symbol: 'USDT-USD', mid: '1.0001', age_ms: 40 }];

test('fx book: snapshot, then updates keyed by venue, symbol and native price', () => {
  const b = new FX.FxBook('book:fx:BTC-USD');
  const venues = [{ venue: 'btse', symbol: 'BTC-USD', converted: false, rate: '1', path: [] },
    { venue: 'narkasa', symbol: 'BTC-TRY', converted: true, rate: '0.030774473063', path: NARKASA_PATH }];
  const excluded = [{ venue: 'coinbtr', symbol: 'BTC-MXN', reason: 'rate_stale', message: 'stale' }];
  b.snapshot(fxSnap(17, [
    fxEntry('60012.34', '0.5', 'btse', 'BTC-USD', '60012.34', '1'),
    fxEntry('60010.12345678', '0.25', 'narkasa', 'BTC-TRY', '1950000', '0.030774473063'),
    fxEntry('60009.5', '1', 'btse', 'BTC-USD', '60009.5', '1'),
  ], [fxEntry('60013.00120000', '2', 'bitexbit', 'BTC-USDT', '60013.0012', '1')], { venues, excluded }));
  assert.equal(b.ready, true);
  assert.deepEqual(fxSide(b.view().bids), [
    ['60012.34', '0.5', 'btse', 'BTC-USD', '60012.34', '1'],
    ['60010.12345678', '0.25', 'narkasa', 'BTC-TRY', '1950000', '0.030774473063'],
    ['60009.5', '1', 'btse', 'BTC-USD', '60009.5', '1'],
  ]);
  // The TRY rate moved: narkasa's entry is re-priced under the same key (no duplicate),
  // its quantity replaced; a btse level is deleted by qty "0"; venues are sent as changed.
  const moved = [venues[0], { ...venues[1], rate: '0.030780000000' }];
  assert.ok(b.update(fxUpd(18, [
    fxEntry('60020.99999999', '0.3', 'narkasa', 'BTC-TRY', '1950000', '0.030780000000'),
    fxEntry('0', '0', 'btse', 'BTC-USD', '60012.34', '1'),
  ], [], { venues: moved })));
  assert.deepEqual(fxSide(b.view().bids), [
    ['60020.99999999', '0.3', 'narkasa', 'BTC-TRY', '1950000', '0.030780000000'],
    ['60009.5', '1', 'btse', 'BTC-USD', '60009.5', '1'],
  ]);
  assert.equal(b.bids.size, 2);
  assert.equal(b.venues[1].rate, '0.030780000000');
  assert.deepEqual(b.excluded, excluded);  // absent from the update: unchanged
  // An update that names excluded replaces it, even with an empty list.
  assert.ok(b.update(fxUpd(19, [], [fxEntry('60013.00120000', '0', 'bitexbit', 'BTC-USDT', '60013.0012', '1')], { excluded: [] })));
  assert.deepEqual(b.excluded, []);
  assert.deepEqual(b.view().asks, []);
  assert.equal(b.seq, 19);
});

test('fx book: a delete matches the native price, not the converted one', () => {
  const b = new FX.FxBook('book:fx:BTC-USD');
  b.snapshot(fxSnap(1, [fxEntry('60010.12345678', '0.25', 'narkasa', 'BTC-TRY', '1950000', '0.030774473063')], []));
  // A delete carries the entry's current converted price or any other: the key decides.
  assert.ok(b.update(fxUpd(2, [fxEntry('60010.12345678', '0', 'narkasa', 'BTC-TRY', '1950001', '0.030774473063')], [])));
  assert.equal(b.bids.size, 1);  // another native price: nothing to delete
  assert.ok(b.update(fxUpd(3, [fxEntry('60011.00000000', '0', 'narkasa', 'BTC-TRY', '1950000', '0.030775')], [])));
  assert.equal(b.bids.size, 0);
  // The same native price on two venues (or two symbols of one venue) are two entries.
  assert.ok(b.update(fxUpd(4, [fxEntry('60000', '1', 'btse', 'BTC-USD', '60000', '1'),
    fxEntry('60000.00000000', '2', 'btse', 'BTC-USDT', '60000', '1'), fxEntry('60000', '3', 'bitexbit', 'BTC-USD', '60000', '1')], [])));
  assert.equal(b.bids.size, 3);
});

test('fx book: ties by venue name, then native price (bids higher first, asks lower first)', () => {
  const b = new FX.FxBook('book:fx:BTC-USD');
  b.snapshot(fxSnap(1, [
    fxEntry('100.00000000', '1', 'narkasa', 'BTC-TRY', '3250', '0.030769230769'),
    fxEntry('100.00000000', '1', 'narkasa', 'BTC-TRY', '3251', '0.030759766225'),
    fxEntry('100', '1', 'btse', 'BTC-USD', '100', '1'),
    fxEntry('100.00000001', '1', 'coinbtr', 'BTC-MXN', '1700', '0.058823529418'),
  ], [
    fxEntry('101.00000000', '1', 'narkasa', 'BTC-TRY', '3284', '0.030755176614'),
    fxEntry('101.00000000', '1', 'narkasa', 'BTC-TRY', '3283', '0.030764544624'),
    fxEntry('101', '1', 'btse', 'BTC-USD', '101', '1'),
  ]));
  assert.deepEqual(b.view().bids.map((l) => `${l.venue}:${l.native}`), ['coinbtr:1700', 'btse:100', 'narkasa:3251', 'narkasa:3250']);
  assert.deepEqual(b.view().asks.map((l) => `${l.venue}:${l.native}`), ['btse:101', 'narkasa:3283', 'narkasa:3284']);
});

test('fx book: gaps, staleness and malformed entries', () => {
  const b = new FX.FxBook('book:fx:BTC-USD');
  assert.ok(b.update(fxUpd(3, [fxEntry('1', '1', 'btse', 'BTC-USD', '1', '1')], [])));  // before the snapshot: ignored
  assert.equal(b.bids.size, 0);
  b.snapshot(fxSnap(5, [fxEntry('1', '1', 'btse', 'BTC-USD', '1', '1')], []));
  assert.equal(b.update(fxUpd(7, [fxEntry('1', '0', 'btse', 'BTC-USD', '1', '1')], [])), false);
  assert.equal(b.bids.size, 1);
  b.markStale();
  assert.equal(b.ready, false);
  assert.equal(b.shown, true);
  // Entries without their source, or not strings, are skipped; the rest applies.
  b.snapshot(fxSnap(9, [['2', '1'], [2, '1', { venue: 'btse', symbol: 'BTC-USD', price: '2', rate: '1' }],
    ['2', '1', { venue: 'btse', symbol: 'BTC-USD' }], fxEntry('3', '1', 'btse', 'BTC-USD', '3', '1')], null));
  assert.deepEqual(b.view().bids.map((l) => l.p), ['3']);
  assert.deepEqual(b.venues, []);
});

test('fx texts: prices shown as given, paths, ages, quote choices', () => {
  assert.equal(FX.groupDigits('2091500.50'), '2,091,500.50');
  assert.equal(FX.groupDigits('999'), '999');
  assert.equal(FX.groupDigits('-1234.5678'), '-1,234.5678');
  assert.deepEqual(FX.priceParts('60010.10000000'), { lead: '60,010.1', zeros: '0000000' });
  assert.deepEqual(FX.priceParts('60012.34'), { lead: '60,012.34', zeros: '' });
  assert.deepEqual(FX.priceParts('1950000'), { lead: '1,950,000', zeros: '' });
  assert.deepEqual(FX.priceParts('7.000'), { lead: '7', zeros: '.000' });
  assert.deepEqual(FX.priceParts('0.00012000'), { lead: '0.00012', zeros: '000' });
  for (const s of ['60010.10000000', '1950000', '7.000', '0.00012000', '1234567.89000001'])
    assert.equal(Object.values(FX.priceParts(s)).join('').replaceAll(',', ''), s);
  assert.equal(FX.pathText(NARKASA_PATH), 'TRY→USDT (narkasa) → USD (btse)');
  assert.equal(FX.pathText([]), 'native');
  assert.equal(FX.pathText([{ from: 'USDC', to: 'USD', source: 'static', symbol: 'USDC-USD', mid: '1', age_ms: null }]), 'USDC→USD (static)');
  assert.equal(FX.pathTitle(NARKASA_PATH), 'TRY→USDT: narkasa USDT-TRY mid 32.505, 120 ms old\nUSDT→USD: btse USDT-USD mid 1.0001, 40 ms old');
  assert.equal(FX.liveAge(120, 1000, 3500.4), 2620);
  assert.equal(FX.liveAge(120, 1000, 900), 120);
  assert.equal(FX.liveAge(null, 1000, 3500), null);
  assert.deepEqual(FX.ageCell(null), { text: '—', warn: false });
  assert.deepEqual(FX.ageCell(5000), { text: '5.0 s', warn: false });
  assert.deepEqual(FX.ageCell(5001), { text: '5.0 s', warn: true });
  const inst = [{ venue: 'btse', symbol: 'BTC-USD', quote: 'USD' }, { venue: 'narkasa', symbol: 'BTC-TRY', quote: 'TRY' },
    { venue: 'narkasa', symbol: 'USDT-TRY', quote: 'TRY' }, { venue: 'coinmotion', symbol: 'USDC-EUR' }, { venue: 'x', symbol: 'ETH-BTC', quote: 'BTC' }];
  assert.deepEqual(FX.quoteChoices(inst, 'BTC'), ['EUR', 'TRY', 'USD', 'USDT']);
  assert.deepEqual(FX.quoteChoices([], 'ETH'), ['USD', 'USDT']);
  assert.equal(FX.entryTitle({ venue: 'narkasa', symbol: 'BTC-TRY', native: '1950000', rate: '0.030774473063', p: '60010.12345678' }, 'USD'),
    'narkasa BTC-TRY: 1950000 TRY × 0.030774473063 = 60010.12345678 USD');
  assert.equal(FX.entryTitle({ venue: 'btse', symbol: 'BTC-USD', native: '60012.34', rate: '1', p: '60012.34' }, 'USD'), 'btse BTC-USD: 60012.34 USD (native)');
  assert.equal(FX.excludedText({ venue: 'coinbtr', symbol: 'BTC-MXN', reason: 'rate_stale', message: 'the rate is stale' }), 'coinbtr BTC-MXN: rate_stale — the rate is stale');
});
