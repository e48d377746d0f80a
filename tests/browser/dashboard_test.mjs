// Browser test of the dashboard: starts the built-in demo (`mdhub run` with no config) on a
// free loopback port, loads the page in headless Chromium and checks that the ladder shows a
// valid, moving book, that trades and feed health arrive, that switching venue works, that
// nothing went wrong in the page, and that no request left loopback. Saves a screenshot.
// Then starts mdhub with every venue pointing at a closed loopback port and checks that the
// top bar says the feeds are down and why, and that the market picker says there is no market.
// Last, starts the demo with an auth token and checks that the page opened with ?token= shows
// a live book and feed health (it passes the token to /ws and /api), while /api without the
// token is refused.
//
// Usage: node dashboard_test.mjs MDHUB_BINARY SCREENSHOT.png
//        node dashboard_test.mjs --url http://127.0.0.1:PORT/ SCREENSHOT.png   (a running server)
// Env: MDHUB_CHROMIUM (default /usr/bin/chromium), MDHUB_SCREENSHOT (overrides the path).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const WAIT_MS = 20000;

function usage() {
  console.error('usage: dashboard_test.mjs MDHUB_BINARY SCREENSHOT.png | --url URL SCREENSHOT.png');
  process.exit(2);
}

const argv = process.argv.slice(2);
let binary = null, baseUrl = null;
if (argv[0] === '--url') baseUrl = argv[1];
else binary = argv[0];
const shotPath = process.env.MDHUB_SCREENSHOT || argv[argv[0] === '--url' ? 2 : 1];
if ((!binary && !baseUrl) || !shotPath) usage();

const log = (...a) => console.log('[browser]', ...a);

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

/** Starts mdhub; resolves once /healthz answers 200. Keeps its output for failure reports. */
async function startHub(extraArgs = [], env = {}) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const out = [];
    const child = spawn(binary, ['run', '--listen', `127.0.0.1:${port}`, ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const keep = (d) => {
      out.push(d.toString());
      if (out.length > 400) out.splice(0, out.length - 400);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const exited = new Promise((resolve) => {
      child.once('exit', (code, sig) => resolve({ code, sig }));
      child.once('error', (e) => resolve({ error: e.message }));  // e.g. no such binary
    });
    const url = `http://127.0.0.1:${port}/`;
    const deadline = Date.now() + WAIT_MS;
    let ended = null;
    exited.then((e) => (ended = e));
    while (!ended && Date.now() < deadline) {
      try {
        const r = await fetch(url + 'healthz');
        if (r.status === 200) return { child, url, out, exited };
      } catch (e) {
        // not listening yet
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 100))]);
    }
    if (ended && !ended.error && attempt < 3) {
      // Most likely someone took the probed port in between: try another one.
      log(`mdhub exited (${JSON.stringify(ended)}) before serving; retrying on a new port`);
      continue;
    }
    child.kill('SIGKILL');
    throw Object.assign(new Error(ended ? `mdhub exited early: ${JSON.stringify(ended)}` : 'mdhub did not answer /healthz in time'), { hubOutput: out });
  }
}

async function stopHub(hub) {
  if (!hub) return;
  hub.child.kill('SIGTERM');
  const r = await Promise.race([hub.exited, new Promise((res) => setTimeout(() => res(null), 5000))]);
  if (!r) {
    hub.child.kill('SIGKILL');
    log('warning: mdhub did not stop within 5 s of SIGTERM');
  } else if (r.code !== 0) {
    log(`warning: mdhub exited with ${JSON.stringify(r)} after SIGTERM`);
  }
}

/** The ladder as the page shows it: prices and sizes of every non-empty row, per side. */
const readLadder = () => {
  const side = (cls) => [...document.querySelectorAll(`#ladder .lrow.${cls}:not(.empty)`)]
    .map((r) => [r.querySelector('.px').textContent, r.querySelector('.qty').textContent, r.title]);
  return { asks: side('ask'), bids: side('bid'), consolidated: document.querySelector('#ladder').classList.contains('consolidated') };
};

function checkLadder(l, where, allowCrossed) {
  const dec = /^\d+(\.\d+)?$/;
  const problems = [];
  if (!l.bids.length || !l.asks.length) problems.push('a side is empty');
  for (const [p, q, by] of [...l.bids, ...l.asks]) {
    if (!dec.test(p) || !dec.test(q)) problems.push(`not a decimal: ${p} ${q}`);
    if (Number(q) <= 0) problems.push(`non-positive size ${q} at ${p}`);
    // Consolidated levels name their venues ("btse: 0.5" lines) and add up exactly.
    if (l.consolidated) {
      const parts = by ? by.split('\n').map((x) => x.split(': ')) : [];
      if (!parts.length || parts.some(([v, vq]) => !v || !dec.test(vq || ''))) problems.push(`no venue breakdown at ${p}: ${JSON.stringify(by)}`);
      else if (Math.abs(parts.reduce((a, [, vq]) => a + Number(vq), 0) - Number(q)) > 1e-9 * Math.max(1, Number(q)))
        problems.push(`breakdown at ${p} does not add up to ${q}: ${by}`);
    }
  }
  // Asks are drawn worst first, so both columns must read descending from the top.
  const desc = (a) => a.every((x, i) => i === 0 || Number(a[i - 1][0]) > Number(x[0]));
  if (!desc(l.asks)) problems.push('asks are not in price order');
  if (!desc(l.bids)) problems.push('bids are not in price order');
  if (!allowCrossed && l.bids.length && l.asks.length && Number(l.bids[0][0]) >= Number(l.asks[l.asks.length - 1][0]))
    problems.push(`single-venue book is crossed: bid ${l.bids[0][0]} ask ${l.asks[l.asks.length - 1][0]}`);
  if (problems.length) throw new Error(`${where}: ladder is wrong: ${problems.join('; ')}\n${JSON.stringify(l)}`);
}

/** feeds/live.toml with every venue address on 127.0.0.1:`port`, where nobody listens. */
function unreachableConfig(port, dir) {
  const live = fs.readFileSync(new URL('../../feeds/live.toml', import.meta.url), 'utf8');
  const toml = live.replace(/"(https?|wss?):\/\/[^"]*"/g, (_, scheme) => `"${scheme.replace(/s$/, '')}://127.0.0.1:${port}"`);
  if (toml === live) throw new Error('feeds/live.toml has no venue address to redirect');
  const file = path.join(dir, 'unreachable.toml');
  fs.writeFileSync(file, toml);
  return file;
}

/**
 * Every venue unreachable: the top bar names how many feeds are down with each one's
 * last_error as /api/v1/feeds reports it, and the picker says no market is available yet.
 */
async function checkVenuesDown(context, failures) {
  const closed = await freePort();  // free, and nobody listens on it
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mdhub-down-'));
  let hub = null;
  try {
    hub = await startHub(['--config', unreachableConfig(closed, dir)]);
    const page = await context.newPage();
    page.on('pageerror', (e) => failures.push(`venues down: page error: ${e.message}`));
    await page.goto(hub.url, { waitUntil: 'load' });
    // Every feed has tried and failed once the page shows all five down.
    await page.waitForFunction(() => /^5 of 5 feeds down: /.test(document.querySelector('#feed-alert').textContent)
      && !document.querySelector('#feed-alert').hidden, null, { timeout: WAIT_MS });
    // The page polls every 2 s; compare with an answer taken right after one of its renders.
    const feeds = (await (await fetch(hub.url + 'api/v1/feeds')).json()).feeds;
    await page.waitForFunction((n) => document.querySelectorAll('#feed-rows tr').length === n, feeds.length, { timeout: WAIT_MS });
    const banner = await page.locator('#feed-alert').textContent();
    const picker = await page.evaluate(() => [...document.querySelector('#symbol').options].map((o) => o.text));
    const ladderNote = await page.locator('.ladder-overlay').textContent();
    log(`venues down: banner "${banner}"`);
    log(`venues down: picker ${JSON.stringify(picker)}`);
    if (feeds.length !== 5) failures.push(`venues down: expected 5 feeds, /api/v1/feeds has ${feeds.length}`);
    for (const f of feeds) {
      if (f.state === 'live') failures.push(`venues down: ${f.venue} is live`);
      if (!f.last_error) failures.push(`venues down: ${f.venue} reports no last_error`);
      else if (!banner.includes(f.last_error)) failures.push(`venues down: banner does not give ${f.venue}'s error "${f.last_error}": ${banner}`);
      if (!new RegExp(`\\b${f.venue}\\b`).test(banner)) failures.push(`venues down: banner does not name ${f.venue}: ${banner}`);
    }
    if (picker.length !== 1 || picker[0] !== 'No market available yet: 5 of 5 feeds down')
      failures.push(`venues down: picker does not say why there is no market: ${JSON.stringify(picker)}`);
    if (ladderNote !== `No market available yet: ${banner}`) failures.push(`venues down: order book panel says "${ladderNote}"`);
    await page.close();
  } catch (e) {
    failures.push(`venues down: ${e.stack || e}`);
    if (e.hubOutput) failures.push('mdhub output:\n' + e.hubOutput.join(''));
  } finally {
    await stopHub(hub);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The demo with a token: the dashboard opened with ?token= works; the API without it is refused. */
async function checkToken(context, failures) {
  const token = 'dash-test-token';
  let hub = null;
  try {
    hub = await startHub(['--auth-token-env', 'MDHUB_DASH_TOKEN'], { MDHUB_DASH_TOKEN: token });
    const refused = await fetch(hub.url + 'api/v1/feeds');
    if (refused.status !== 401) failures.push(`token: /api/v1/feeds without the token answered ${refused.status}`);
    const body = await refused.json().catch(() => null);
    if (!body || !body.error || body.error.code !== 'unauthorized') failures.push(`token: refusal body ${JSON.stringify(body)}`);
    const page = await context.newPage();
    const sockets = [];
    page.on('pageerror', (e) => failures.push(`token: page error: ${e.message}`));
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(`${hub.url}?token=${token}`, { waitUntil: 'load' });
    await page.waitForFunction(() => document.querySelector('#conn').dataset.state === 'open', null, { timeout: WAIT_MS });
    await page.waitForFunction(() => {
      const l = window.__readLadder();
      return l.bids.length >= 2 && l.asks.length >= 2;
    }, null, { timeout: WAIT_MS });
    await page.waitForFunction(() => document.querySelector('#feed-rows .pill.ok'), null, { timeout: WAIT_MS });
    if (!sockets.length || !sockets.every((u) => new URL(u).searchParams.get('token') === token))
      failures.push(`token: websocket URLs ${JSON.stringify(sockets)}`);
    log(`token: page with ?token= live (${sockets.length} websocket), API without it refused`);
    await page.close();
  } catch (e) {
    failures.push(`token: ${e.stack || e}`);
    if (e.hubOutput) failures.push('mdhub output:\n' + e.hubOutput.join(''));
  } finally {
    await stopHub(hub);
  }
}

async function main() {
  let hub = null, context = null;
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mdhub-chromium-'));
  let profileDir = userDir;
  const failures = [];
  try {
    if (binary) {
      hub = await startHub();
      baseUrl = hub.url;
    }
    const origin = new URL(baseUrl);
    log(`dashboard at ${baseUrl}`);
    // Chromium's start-up alone sometimes fails on a loaded machine (it exits before its
    // DevTools pipe opens): that is not the dashboard's failure, so it gets three tries, each
    // logged, with a fresh profile.
    for (let attempt = 1; ; ++attempt) {
      const dir = attempt === 1 ? userDir : fs.mkdtempSync(path.join(os.tmpdir(), 'mdhub-chromium-'));
      try {
        context = await chromium.launchPersistentContext(dir, {
          executablePath: process.env.MDHUB_CHROMIUM || '/usr/bin/chromium',
          headless: true,
          args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync'],
          viewport: { width: 1600, height: 1000 },
        });
        profileDir = dir;
        break;
      } catch (e) {
        log(`Chromium did not start (attempt ${attempt}): ${e.message.split('\n')[0]}`);
        if (dir !== userDir) fs.rmSync(dir, { recursive: true, force: true });
        if (attempt === 3) throw e;
      }
    }
    const page = context.pages()[0] || (await context.newPage());
    const errors = [], requests = [];
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      // The documented 404 of a venue's trades or candles where it has none (coinmotion):
      // the page asks, learns and says so in the panel.
      if (m.type() === 'error' && !(/status of 404/.test(m.text()) && /\/api\/v1\/(trades|candles)\/coinmotion\//.test(m.location().url)))
        errors.push(`console error: ${m.text()}`);
    });
    page.on('request', (r) => requests.push(r.url()));
    page.on('websocket', (ws) => requests.push(ws.url()));

    // The page's Content-Security-Policy forbids eval, so predicates cannot be strings:
    // the ladder reader is installed once, outside the page's policy.
    await context.addInitScript(`window.__readLadder = ${readLadder};`);
    const resp = await page.goto(baseUrl, { waitUntil: 'load' });
    if (!resp || resp.status() !== 200) throw new Error(`GET / answered ${resp && resp.status()}`);

    // 1. The default view (consolidated) shows a valid book.
    // Venues come up one by one after start: wait until both sides show levels.
    await page.waitForFunction(() => {
      const l = window.__readLadder();
      return l.bids.length >= 2 && l.asks.length >= 2;
    }, null, { timeout: WAIT_MS });
    const first = await page.evaluate(() => window.__readLadder());
    checkLadder(first, 'initial view', first.consolidated);
    log(`ladder: ${first.bids.length} bids, ${first.asks.length} asks (best ${first.bids[0][0]} / ${first.asks[first.asks.length - 1][0]}), consolidated=${first.consolidated}`);

    // 2. It moves.
    const before = JSON.stringify(first);
    await page.waitForFunction((b) => {
      const now = window.__readLadder();
      return now.bids.length > 0 && now.asks.length > 0 && JSON.stringify(now) !== b;
    }, before, { timeout: WAIT_MS });
    checkLadder(await page.evaluate(() => window.__readLadder()), 'after an update', first.consolidated);
    log('ladder changed');

    // 3. Trades, the ticker and feed health arrive.
    await page.waitForFunction(() => document.querySelectorAll('#trades .trow.buy, #trades .trow.sell, #trades .trow.noside').length > 0, null, { timeout: WAIT_MS });
    await page.waitForFunction(() => document.querySelectorAll('#feed-rows tr').length > 0 && document.querySelector('#feed-rows .pill.ok'), null, { timeout: WAIT_MS });
    await page.waitForFunction(() => document.querySelector('#conn').dataset.state === 'open', null, { timeout: WAIT_MS });
    await page.waitForFunction(() => document.querySelector('#candles-meta').textContent !== '', null, { timeout: WAIT_MS });
    log(`trades and feeds shown: ${await page.locator('#feed-rows tr').count()} feeds`);

    // Feed health shows where each payload's time goes: p50 / p99 per stage, from
    // /api/v1/feeds' latency. Every live venue parses and applies; the page's own websocket
    // subscriptions get frames written, so at least one venue has the write stage.
    const latHeads = await page.evaluate(() => [...document.querySelectorAll('.feeds-panel thead th')].map((t) => t.textContent));
    const wantHeads = ['Exch.→recv', 'Parse', 'Apply', 'Write', 'Last error'];
    if (JSON.stringify(latHeads.slice(-5)) !== JSON.stringify(wantHeads)) failures.push(`feed table columns: ${latHeads}`);
    const latRe = '^\\d+(\\.\\d)? (µs|ms|s) / \\d+(\\.\\d)? (µs|ms|s)$';
    const latOk = await page.waitForFunction((re) => {
      const rows = [...document.querySelectorAll('#feed-rows tr')];
      const cell = (tr, k) => tr.querySelector(`td[data-stage="${k}"]`);
      const shown = (td) => td && new RegExp(re).test(td.textContent);
      return rows.length > 0 &&
        rows.filter((tr) => tr.querySelector('.pill.ok')).every((tr) => shown(cell(tr, 'received_to_parsed')) && shown(cell(tr, 'parsed_to_applied'))) &&
        rows.some((tr) => shown(cell(tr, 'applied_to_written')));
    }, latRe, { timeout: WAIT_MS }).then(() => true, () => false);
    const latCells = await page.evaluate(() => [...document.querySelectorAll('#feed-rows tr')].map((tr) =>
      [...tr.querySelectorAll('td.lat')].map((td) => td.textContent).join(' | ')));
    if (!latOk) failures.push(`feed latency cells not filled: ${JSON.stringify(latCells)}`);
    log(`feed latency: ${latCells.join(' ; ')}`);

    // The all-venues tape is in trade time order, newest first, though a polled venue's
    // trades arrive in late batches (local times of day; one wrap past midnight allowed).
    await page.waitForFunction(() => document.querySelectorAll('#trades .trow:not(.thead):not(.blank)').length >= 45, null, { timeout: WAIT_MS })
      .catch(() => {});
    const times = await page.evaluate(() => [...document.querySelectorAll('#trades .trow:not(.thead):not(.blank) .ttime')].map((x) => x.textContent));
    const venuesOnTape = await page.evaluate(() => new Set([...document.querySelectorAll('#trades .trow:not(.thead):not(.blank) .tvenue')].map((x) => x.textContent)).size);
    const outOfOrder = times.findIndex((t, i) => i > 0 && t > times[i - 1] && !(times[i - 1].startsWith('00:') && t.startsWith('23:')));
    if (outOfOrder > 0) failures.push(`trade tape not in time order at row ${outOfOrder}: ${times.slice(Math.max(0, outOfOrder - 3), outOfOrder + 3)}`);
    log(`trade tape: ${times.length} trades from ${venuesOnTape} venues, newest ${times[0]}, oldest ${times[times.length - 1]}`);

    // On "All venues" the chart shows a venue's own candles, not a series built from trades.
    const sym = await page.evaluate(() => document.querySelector('#symbol').value);
    const own = [];
    for (const v of await page.evaluate(() => [...document.querySelectorAll('#chart-venue option')].map((o) => o.value))) {
      const r = await (await fetch(new URL(`api/v1/candles/${v}/${sym}?interval=1m&limit=1`, baseUrl))).json();
      if (r.candles && r.candles.some((c) => c.source === 'venue')) own.push(v);
    }
    if (own.length) {
      await page.waitForFunction(() => / · venue's candles$/.test(document.querySelector('#candles-meta').textContent), null, { timeout: WAIT_MS })
        .catch(async () => failures.push(`candles on all venues: "${await page.locator('#candles-meta').textContent()}", while ${own} publish their own`));
      const shown = await page.evaluate(() => [document.querySelector('#chart-venue').value, document.querySelector('#candles-meta').textContent]);
      if (!own.includes(shown[0]) || !shown[1].startsWith(`${shown[0]} · `)) failures.push(`candles on all venues: ${JSON.stringify(shown)}, own candles from ${own}`);
      log(`candles on all venues: ${shown[1]}`);
    }

    // 24 h change wherever open and last are known, computed when the venue sends none.
    for (const v of await page.evaluate(() => [...document.querySelectorAll('#chart-venue option')].map((o) => o.value))) {
      const t = await (await fetch(new URL(`api/v1/ticker/${v}/${sym}`, baseUrl))).json();
      if (typeof t.open !== 'string' || typeof t.last !== 'string') continue;
      const cell = () => page.evaluate((name) => {
        const row = [...document.querySelectorAll('#venue-rows tr')].find((r) => r.querySelector('.linkish').textContent === name);
        return row ? row.children[6].textContent : null;
      }, v);
      await page.waitForFunction((name) => {
        const row = [...document.querySelectorAll('#venue-rows tr')].find((r) => r.querySelector('.linkish').textContent === name);
        return row && /^[+-]\d+\.\d\d%$/.test(row.children[6].textContent);
      }, v, { timeout: WAIT_MS }).catch(async () => failures.push(`24h change of ${v} (change_pct ${t.change_pct}, open ${t.open}, last ${t.last}): "${await cell()}"`));
      log(`24h change of ${v}: ${await cell()}${t.change_pct === null ? ' (computed)' : ''}`);
    }

    // 4. A single venue: the ladder switches to that venue's own book.
    const venue = await page.evaluate(() => {
      const b = [...document.querySelectorAll('#venues button')].find((x) => x.textContent !== 'All venues');
      return b ? b.textContent : null;
    });
    if (venue) {
      await page.locator('#venues button', { hasText: venue }).first().click();
      await page.waitForFunction((v) => location.hash.includes(`/${v}/`) && !document.querySelector('#ladder').classList.contains('consolidated')
        && document.querySelectorAll('#ladder .lrow:not(.empty) .px').length >= 2, venue, { timeout: WAIT_MS }).catch(async () => {
        const note = await page.locator('.ladder-overlay').textContent();
        if (!/quotes only/.test(note)) throw new Error(`venue ${venue}: no book shown (${note})`);
      });
      const single = await page.evaluate(() => window.__readLadder());
      if (single.bids.length) checkLadder(single, `venue ${venue}`, false);
      log(`venue ${venue}: ${single.bids.length} bids, ${single.asks.length} asks`);
      // Back to the consolidated view for the screenshot.
      await page.locator('#venues button', { hasText: 'All venues' }).click();
      await page.waitForFunction(() => document.querySelector('#ladder').classList.contains('consolidated')
        && document.querySelectorAll('#ladder .lrow:not(.empty) .px').length >= 4, null, { timeout: WAIT_MS });
    }

    // Let the candle history and a few renders land before the picture.
    await page.waitForFunction(() => !/Waiting/.test(document.querySelector('#t-last').textContent), null, { timeout: WAIT_MS }).catch(() => {});
    fs.mkdirSync(path.dirname(path.resolve(shotPath)), { recursive: true });
    await page.screenshot({ path: shotPath, fullPage: true });
    log(`screenshot: ${path.resolve(shotPath)}`);

    // 5. A venue without book, trades or candles (coinmotion): each panel says so.
    const broker = await page.evaluate(() => [...document.querySelectorAll('#symbol option')].map((o) => o.value).find((s) => s === 'BTC-EUR'));
    if (broker) {
      await page.selectOption('#symbol', broker);
      const want = ['Order book not provided by this venue', 'Trades not provided by this venue', 'Candles not provided by this venue'];
      const notes = () => [
        document.querySelector('.ladder-overlay').textContent,
        document.querySelector('#trades .empty-note.shown') ? document.querySelector('#trades .empty-note').textContent : '',
        document.querySelector('#candles').getAttribute('aria-label'),
      ];
      await page.waitForFunction((w) => {
        const n = [document.querySelector('.ladder-overlay').textContent,
          document.querySelector('#trades .empty-note.shown') ? document.querySelector('#trades .empty-note').textContent : '',
          document.querySelector('#candles').getAttribute('aria-label')];
        return n.every((x, i) => x === w[i]);
      }, want, { timeout: WAIT_MS }).catch(() => {});
      const got = await page.evaluate(notes);
      if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${broker} on coinmotion: panels say ${JSON.stringify(got)}`);
      log(`${broker}: ${JSON.stringify(got)}`);
    }

    const foreign = requests.filter((u) => {
      const x = new URL(u);
      return !(x.hostname === origin.hostname && x.port === origin.port) && x.protocol !== 'data:';
    });
    if (foreign.length) failures.push(`requests left the server's origin: ${[...new Set(foreign)].join(', ')}`);
    if (errors.length) failures.push(...errors);
    log(`${requests.length} requests, all to ${origin.host}: ${foreign.length === 0}`);

    if (binary) await checkVenuesDown(context, failures);
    if (binary) await checkToken(context, failures);
  } catch (e) {
    failures.push(e.stack || String(e));
    if (e.hubOutput) failures.push('mdhub output:\n' + e.hubOutput.join(''));
  } finally {
    if (context) await context.close().catch(() => {});
    await stopHub(hub);
    fs.rmSync(userDir, { recursive: true, force: true });
    if (profileDir !== userDir) fs.rmSync(profileDir, { recursive: true, force: true });
  }
  if (failures.length) {
    console.error('[browser] FAILED:\n' + failures.join('\n'));
    if (hub && !failures.some((f) => f.startsWith('mdhub output'))) console.error('mdhub output (tail):\n' + hub.out.join('').split('\n').slice(-40).join('\n'));
    process.exit(1);
  }
  log('ok');
}

main();
