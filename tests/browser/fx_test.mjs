// Browser test of the dashboard's cross-currency views, in headless Chromium. It records
// every websocket frame the page receives and checks that the premium panel shows, row by
// row, exactly what the last `premium:fx:BASE-QUOTE` message said (prices as sent, commas
// aside; basis points, rate, path, best venue, excluded venues), that it follows when the
// values change and when another quote is picked, that the "in QUOTE" ladder is row for row
// the book its frames make, each entry with its native price and rate, and that the address
// keeps these views across a reload. On the mock also: a refused channel's message is shown
// in the panel, and a rate that stops moving ages on screen into the warning colour.
//
// Usage: node fx_test.mjs                 (starts mock_server.mjs on a free loopback port)
//        node fx_test.mjs --mdhub BINARY  (starts the built-in demo: mdhub and its simulator)
//        node fx_test.mjs --url URL       (a running server whose venues quote BTC-TRY)
// The refusal check needs a pair without any conversion path: the mock's USDT-TRY in USD.
// Env: MDHUB_CHROMIUM (default /usr/bin/chromium).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const WAIT_MS = 20000;
const here = path.dirname(fileURLToPath(import.meta.url));
const log = (...a) => console.log('[fx]', ...a);
const argv = process.argv.slice(2);
let baseUrl = argv[0] === '--url' ? argv[1] : null;
const binary = argv[0] === '--mdhub' ? argv[1] : null;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The mock server, or with `binary` the demo (`mdhub run`, no config), on a free port. */
async function startServer() {
  const port = await freePort();
  const out = [];
  // Slow fx publishing on the mock: each value stays on screen long enough to be read back.
  const child = binary
    ? spawn(binary, ['run', '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, [path.join(here, 'mock_server.mjs'), String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MOCK_FX_EVERY_MS: '700' },
    });
  child.stdout.on('data', (d) => out.push(d.toString()));
  child.stderr.on('data', (d) => out.push(d.toString()));
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url + 'healthz')).status === 200) return { child, url, out };
    } catch (e) {
      // not listening yet
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not start: ${out.join('')}`);
}

/** The premium panel as shown: rows, best marks, note and excluded venues. */
const readPremium = () => {
  const t = (tr, c) => tr.querySelector(`td.p-${c}`).textContent;
  return {
    rows: [...document.querySelectorAll('#premium-rows tr')].map((tr) => ({
      venue: t(tr, 'venue'), symbol: t(tr, 'symbol'), bid: t(tr, 'bid'), ask: t(tr, 'ask'),
      bid_bp: t(tr, 'bid_bp'), ask_bp: t(tr, 'ask_bp'), rate: t(tr, 'rate'), path: t(tr, 'path'), age: t(tr, 'age'),
      bestBid: tr.querySelector('td.p-bid').classList.contains('best-bid'),
      bestAsk: tr.querySelector('td.p-ask').classList.contains('best-ask'),
    })),
    note: document.querySelector('#premium-note').hidden ? '' : document.querySelector('#premium-note').textContent,
    excluded: [...document.querySelectorAll('#premium-excluded .fx-excluded')].map((x) => x.textContent),
  };
};

/** The fx ladder's rows: converted price, size, venue and title. */
const readFxLadder = () => {
  const side = (cls) => [...document.querySelectorAll(`#ladder .lrow.${cls}:not(.empty)`)]
    .map((r) => ({ p: r.querySelector('.px').textContent, q: r.querySelector('.qty').textContent, venue: r.querySelector('.mix').textContent, title: r.title }));
  return { fx: document.querySelector('#ladder').classList.contains('fx'), asks: side('ask'), bids: side('bid') };
};

// What the page must show, written out here rather than taken from the page's modules.
const pathLine = (p) => (p.length ? p.map((h, i) => `${i ? ' → ' : `${h.from}→`}${h.to} (${h.source})`).join('') : 'native');
const shownPrice = (s) => (s === null ? '—' : s);

/** Exact order of two non-negative decimal strings. */
function dcmp(a, b) {
  const [ai, af = ''] = a.split('.'), [bi, bf = ''] = b.split('.');
  if (ai.length !== bi.length) return ai.length < bi.length ? -1 : 1;
  const n = Math.max(af.length, bf.length);
  const x = ai + af.padEnd(n, '0'), y = bi + bf.padEnd(n, '0');
  return x < y ? -1 : x > y ? 1 : 0;
}
const bcmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * An fx book rebuilt here from the frames of its channel (snapshot, then entries keyed by
 * venue, symbol and native price; qty "0" deletes): what the converted ladder must show.
 */
class FramesBook {
  constructor(m) {
    this.seq = m.seq;
    this.first = m.seq;
    this.gap = false;
    this.sides = { bids: new Map(), asks: new Map() };
    this.apply(m);
  }
  update(m) {
    if (m.seq !== this.seq + 1) this.gap = true;
    this.seq = m.seq;
    this.apply(m);
  }
  apply(m) {
    for (const side of ['bids', 'asks'])
      for (const [p, q, src] of m[side] || []) {
        const key = `${src.venue} ${src.symbol} ${src.price}`;
        if (/^0*(\.0*)?$/.test(q)) this.sides[side].delete(key);
        else this.sides[side].set(key, { p, q, venue: src.venue, native: src.price, symbol: src.symbol });
      }
  }
  /** Best first: converted price, venue name, native price (bids: higher first), symbol. */
  top(side, n) {
    const sign = side === 'bids' ? -1 : 1;
    return [...this.sides[side].values()].sort((a, b) => sign * dcmp(a.p, b.p) || bcmp(a.venue, b.venue) ||
      sign * dcmp(a.native, b.native) || bcmp(a.symbol, b.symbol)).slice(0, n);
  }
}

/** Differences between the ladder's rows and the first rows of `book` ([] when equal). */
function ladderDiff(lad, book) {
  const d = [];
  const want = { bids: book.top('bids', lad.bids.length), asks: book.top('asks', lad.asks.length) };
  // Asks are drawn best last.
  const got = { bids: lad.bids, asks: [...lad.asks].reverse() };
  for (const side of ['bids', 'asks']) {
    if (!got[side].length) d.push(`no ${side} shown`);
    got[side].forEach((r, i) => {
      const w = want[side][i];
      const native = / (\d+(?:\.\d+)?) [A-Z0-9]+ /.exec(r.title);
      if (!w || r.p !== w.p || r.q !== w.q || r.venue !== w.venue || !native || native[1] !== w.native)
        d.push(`${side} ${i}: shown ${JSON.stringify(r)}, book has ${JSON.stringify(w)}`);
    });
  }
  return d;
}

/** Differences between the panel and premium message `m` ([] when it shows it exactly). */
function premiumDiff(shown, m) {
  const d = [];
  if (shown.note) d.push(`note shown: ${shown.note}`);
  if (shown.rows.length !== m.venues.length) d.push(`${shown.rows.length} rows for ${m.venues.length} venues`);
  m.venues.forEach((v, i) => {
    const r = shown.rows[i];
    if (!r) return;
    const want = {
      venue: v.venue, symbol: v.symbol, bid: shownPrice(v.bid), ask: shownPrice(v.ask), bid_bp: v.bid_bp ?? '—', ask_bp: v.ask_bp ?? '—',
      rate: v.rate, path: pathLine(v.path),
      bestBid: !!m.best_bid && m.best_bid.venue === v.venue && m.best_bid.symbol === v.symbol,
      bestAsk: !!m.best_ask && m.best_ask.venue === v.venue && m.best_ask.symbol === v.symbol,
    };
    const got = { ...r, bid: r.bid.replaceAll(',', ''), ask: r.ask.replaceAll(',', '') };
    for (const k of Object.keys(want)) if (got[k] !== want[k]) d.push(`row ${i} ${k}: shown ${JSON.stringify(r[k])}, sent ${JSON.stringify(want[k])}`);
    // The age counts up from the server's figure; a dash for static rates or none.
    const age = r.age;
    if (v.rate_age_ms === null ? age !== '—' : !/^\d+ ms$|^\d+\.\d s$/.test(age)) d.push(`row ${i} age ${age} for rate_age_ms ${v.rate_age_ms}`);
    else if (v.rate_age_ms !== null && / ms$/.test(age) && Number(age.split(' ')[0]) < v.rate_age_ms) d.push(`row ${i} age ${age} below ${v.rate_age_ms} ms`);
  });
  const ex = m.excluded.map((x) => `${x.venue} ${x.symbol}: ${x.reason}${x.message ? ` — ${x.message}` : ''}`);
  if (JSON.stringify(shown.excluded) !== JSON.stringify(ex)) d.push(`excluded shown ${JSON.stringify(shown.excluded)}, sent ${JSON.stringify(ex)}`);
  return d;
}

async function main() {
  let server = null, context = null;
  const failures = [];
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mdhub-chromium-'));
  try {
    if (!baseUrl) {
      server = await startServer();
      baseUrl = server.url;
    }
    log(`dashboard at ${baseUrl}`);
    context = await chromium.launchPersistentContext(userDir, {
      executablePath: process.env.MDHUB_CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1600, height: 1400 },
    });
    await context.addInitScript(`window.__readPremium = ${readPremium}; window.__readFxLadder = ${readFxLadder};`);
    const page = context.pages()[0] || (await context.newPage());
    page.on('pageerror', (e) => failures.push(`page error: ${e.message}`));

    // Every frame the page receives, as sent: the truth the panel is held to.
    const last = new Map();  // channel -> last premium message
    const errors = [];       // error replies
    const books = new Map(); // book:fx channel -> FramesBook
    page.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => {
      let m;
      try {
        m = JSON.parse(payload);
      } catch (e) {
        return;
      }
      if (m.type === 'premium') last.set(m.channel, m);
      if (m.type === 'book_snapshot' && m.venue === 'fx') books.set(m.channel, new FramesBook(m));
      if (m.type === 'book_update' && m.venue === 'fx' && books.has(m.channel)) books.get(m.channel).update(m);
      if (m.type === 'error') errors.push(m);
    }));

    const shown = () => page.evaluate(() => window.__readPremium());
    /** Waits until the panel shows exactly the last message of `channel` (and `more` holds). */
    async function waitShown(channel, more = () => true) {
      const deadline = Date.now() + WAIT_MS;
      let diff = ['no premium message yet'], m = null;
      while (Date.now() < deadline) {
        m = last.get(channel);
        if (m && more(m)) {
          const s = await shown();
          // The message may have been replaced while the page was read: compare again.
          if (last.get(channel) === m) {
            diff = premiumDiff(s, m);
            if (!diff.length) return { m, s };
          }
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`${channel}: the panel never showed the last message: ${diff.join('; ')}\nlast message: ${JSON.stringify(m)}`);
    }

    await page.goto(`${baseUrl}#BTC-TRY/all/1m`, { waitUntil: 'load' });

    // 1. USD by default: one row per venue, exactly as sent.
    const first = await waitShown('premium:fx:BTC-USD');
    log(`BTC in USD: ${first.s.rows.map((r) => `${r.venue} ${r.symbol} ${r.bid}/${r.ask} (${r.bid_bp}/${r.ask_bp} bp) ${r.path} ${r.age}`).join('; ')}`);
    if (first.s.rows.length < 2) failures.push(`premium: only ${first.s.rows.length} rows`);
    if (!first.m.venues.some((v) => v.converted)) failures.push('premium: no converted venue to check');
    log(`excluded: ${JSON.stringify(first.s.excluded)}`);

    // 2. It follows the values when they change.
    const firstValues = JSON.stringify(first.m.venues.map(({ bid, ask, rate }) => [bid, ask, rate]));
    const moved = await waitShown('premium:fx:BTC-USD', (m) => m.seq > first.m.seq && JSON.stringify(m.venues.map(({ bid, ask, rate }) => [bid, ask, rate])) !== firstValues);
    log(`updated: seq ${first.m.seq} -> ${moved.m.seq}`);

    // 3. Another quote: the panel switches channel and shows native rows unconverted.
    await page.selectOption('#fx-quote', 'TRY');
    const inTry = await waitShown('premium:fx:BTC-TRY');
    const native = inTry.s.rows.find((r) => r.symbol === 'BTC-TRY');
    if (!native || native.path !== 'native' || native.rate !== '1') failures.push(`in TRY: BTC-TRY row ${JSON.stringify(native)}`);
    if ((await page.locator('#fx-toggle').textContent()) !== 'in TRY') failures.push(`toggle says "${await page.locator('#fx-toggle').textContent()}"`);
    log(`BTC in TRY: ${inTry.s.rows.length} rows`);

    // 4. The ladder in TRY: every venue's entries, converted, each with its source.
    await page.locator('#fx-toggle').click();
    await page.waitForFunction(() => {
      const l = window.__readFxLadder();
      return l.fx && l.bids.length >= 4 && l.asks.length >= 4 && new Set([...l.bids, ...l.asks].map((r) => r.venue)).size >= 2;
    }, null, { timeout: WAIT_MS });
    // Exactly the book the frames make, row for row (read back when no frame came between),
    let lad = null, ladDiff = ['no book:fx:BTC-TRY snapshot'];
    for (const deadline = Date.now() + WAIT_MS; Date.now() < deadline;) {
      const b = books.get('book:fx:BTC-TRY');
      const seq = b && b.seq;
      lad = await page.evaluate(() => window.__readFxLadder());
      // After a few updates, so that re-pricing and deletes have been applied.
      if (b && b.seq >= b.first + 4 && books.get('book:fx:BTC-TRY') === b && b.seq === seq) {
        ladDiff = b.gap ? ['a gap in the frames'] : ladderDiff(lad, b);
        if (!ladDiff.length) break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    if (ladDiff.length) failures.push(`fx ladder is not the book of the frames: ${ladDiff.join('; ')}`);
    const titleRe = /^(\S+) (\S+-(\S+)): (\d+(?:\.\d+)?) \S+ (?:× (\d+\.\d+) = (\d+\.\d+) TRY|\(native\))$/;
    for (const r of [...lad.bids, ...lad.asks]) {
      const t = titleRe.exec(r.title);
      if (!t) failures.push(`ladder row without its source: ${JSON.stringify(r)}`);
      else if (t[1] !== r.venue) failures.push(`ladder row venue ${r.venue}, title ${r.title}`);
      else if (t[5] ? t[6] !== r.p : t[4] !== r.p || t[3] !== 'TRY') failures.push(`ladder row price ${r.p}, title ${r.title}`);
    }
    const desc = (a) => a.every((x, i) => i === 0 || Number(a[i - 1].p) >= Number(x.p));
    if (!desc(lad.bids) || !desc(lad.asks)) failures.push(`fx ladder out of order: ${JSON.stringify(lad)}`);
    log(`ladder in TRY: ${lad.bids.length} bids, ${lad.asks.length} asks from ${[...new Set([...lad.bids, ...lad.asks].map((r) => r.venue))].join(', ')}; best bid ${lad.bids[0].p} (${lad.bids[0].title})`);
    await page.screenshot({ path: path.join(os.tmpdir(), 'mdhub-fx.png'), fullPage: true });
    // The address keeps the quote and the converted ladder: a reload comes back to them.
    const hash = await page.evaluate(() => location.hash);
    if (hash !== '#BTC-TRY/all/1m/TRY/fx' && !/^#BTC-TRY\/narkasa\/1m\/TRY\/fx$/.test(hash)) failures.push(`address after the toggle: ${hash}`);
    await page.reload({ waitUntil: 'load' });
    await page.waitForFunction(() => window.__readFxLadder().fx && window.__readFxLadder().bids.length > 0 && document.querySelector('#fx-quote').value === 'TRY', null, { timeout: WAIT_MS })
      .catch(async () => failures.push(`after a reload of ${hash}: ladder fx=${(await page.evaluate(() => window.__readFxLadder())).fx}, quote ${await page.locator('#fx-quote').inputValue()}`));
    await page.locator('#fx-toggle').click();
    await page.waitForFunction(() => !window.__readFxLadder().fx, null, { timeout: WAIT_MS });

    // 5. A pair with no conversion path: the server's refusal is the panel's message.
    await page.selectOption('#fx-quote', 'USD');
    if (!binary && argv[0] !== '--url') {
      await page.selectOption('#symbol', 'USDT-TRY');
      await page.waitForFunction(() => window.__readPremium().note !== '' && !/Waiting/.test(window.__readPremium().note), null, { timeout: WAIT_MS });
      const refusal = errors.find((e) => e.code === 'no_fx_path');
      const note = (await shown()).note;
      if (!refusal) failures.push(`no no_fx_path reply seen (errors ${JSON.stringify(errors)})`);
      else if (note !== refusal.message) failures.push(`refusal: panel says "${note}", server said "${refusal.message}"`);
      if ((await shown()).rows.length) failures.push('refusal: rows still shown');
      log(`refused: ${note}`);
      // Back to a pair with a path: the refusal goes, the rows come back.
      await page.selectOption('#symbol', 'BTC-TRY');
      await waitShown('premium:fx:BTC-USD', (m) => m.seq > moved.m.seq);
      log('back to BTC in USD: rows shown again');

      // A rate that stops moving: its age counts up on screen and turns to the warning colour.
      await fetch(`${baseUrl}mock/freeze?symbol=USDT-TRY`);
      const age = () => page.evaluate(() => {
        const td = document.querySelector('#premium-rows tr[data-symbol="BTC-TRY"] td.p-age');
        return td ? [td.textContent, td.classList.contains('stale')] : null;
      });
      const young = await age();
      if (!young || young[1]) failures.push(`rate age before the freeze: ${JSON.stringify(young)}`);
      await page.waitForFunction(() => {
        const td = document.querySelector('#premium-rows tr[data-symbol="BTC-TRY"] td.p-age');
        return td && td.classList.contains('stale');
      }, null, { timeout: WAIT_MS }).catch(() => {});
      const old = await age();
      const secs = old && /^(\d+\.\d) s$/.exec(old[0]);
      if (!old || !old[1] || !secs || Number(secs[1]) < 5) failures.push(`frozen rate: age ${JSON.stringify(old)}, before ${JSON.stringify(young)}`);
      log(`frozen rate: age ${young && young[0]} -> ${old && old[0]} (warning: ${old && old[1]})`);
    }
  } catch (e) {
    failures.push(e.stack || String(e));
  } finally {
    if (context) await context.close().catch(() => {});
    if (server) {
      const exited = new Promise((r) => server.child.once('exit', r));
      server.child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    }
    fs.rmSync(userDir, { recursive: true, force: true });
  }
  if (failures.length) {
    console.error('[fx] FAILED:\n' + failures.join('\n'));
    if (server) console.error('server output:\n' + server.out.join('').slice(-4000));
    process.exit(1);
  }
  log('ok');
}

main();
