#!/usr/bin/env node
// End-to-end test of the `demo` page in real headless Chromium (Debian's /usr/bin/chromium),
// driven by playwright-core (which never downloads a browser of its own).
//
//   npm ci --prefix src/test/browser            # once: installs the pinned playwright-core
//   java -jar target/loomsocket.jar demo --port 8080 &
//   node src/test/browser/demo.e2e.mjs http://127.0.0.1:8080/
//
// An https:// URL (the demo with --tls-keystore) is opened the same way, in browser contexts
// that ignore certificate errors (the demo's certificate is a throwaway self-signed one; only
// these contexts, nothing else of the browser), and then every WebSocket of the page must be
// wss://; with http:// every one must be ws://.
//
// Two users, "alice" and "bob", join from two pages (two browser contexts: two independent
// visitors); alice sends "hello from alice" and bob must see "alice: hello from alice"; both pages
// must show #price changing at least twice and a non-blank canvas#chart. Screenshots go to
// target/demo-e2e.png (alice) and target/demo-e2e-bob.png (bob); on failure also
// target/demo-e2e-failure-{alice,bob}.png.
//
// Exit status: 0 and a last line starting with "PASS demo-e2e" on success; 1 and a line starting
// with "FAIL demo-e2e" otherwise (2: bad usage). Every wait is bounded, and a watchdog ends the
// whole run after DEMO_E2E_TIMEOUT_MS (default 120000).
//
// Environment: DEMO_URL (when no argument is given), CHROMIUM (default /usr/bin/chromium),
// DEMO_E2E_OUT (screenshot directory, default <project>/target), DEMO_E2E_TIMEOUT_MS.

import { accessSync, constants, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const PROJECT = resolve(HERE, '..', '..', '..');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const OUT = resolve(process.env.DEMO_E2E_OUT || join(PROJECT, 'target'));
const TOTAL_MS = Number(process.env.DEMO_E2E_TIMEOUT_MS || 120_000);
const STEP_MS = 15_000;   // any single wait (page load, a DOM condition)
const TICKS_MS = 20_000;  // two price changes at ~500 ms a tick, with room for a slow machine
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
  '--disable-dev-shm-usage',
  // playwright-core's launch() already gives every run a fresh temporary --user-data-dir.
];
const MESSAGE = 'hello from alice';
// The page takes its WebSocket scheme from its own (demo.html): wss:// on https://.
const SECURE = /^https:/.test(process.argv[2] || process.env.DEMO_URL || '');
const WS_SCHEME = SECURE ? 'wss:' : 'ws:';

let step = 'start';
let browser = null;
const visitors = [];  // {name, page, log: [], sockets: Map<url, {sent, received, closed}>}

function log(line) {
  console.log(`demo-e2e: ${line}`);
}

function fail(message, status = 1) {
  console.error(`FAIL demo-e2e [${step}]: ${message}`);
  process.exit(status);
}

// ------------------------------------------------------------------ arguments and prerequisites

const url = process.argv[2] || process.env.DEMO_URL;
if (!url || !/^https?:\/\//.test(url)) {
  console.error('usage: node src/test/browser/demo.e2e.mjs http://127.0.0.1:PORT/   (or set DEMO_URL)');
  fail(`no demo URL given (argument or DEMO_URL), got ${JSON.stringify(url ?? null)}`, 2);
}

step = 'prerequisites';
try {
  accessSync(CHROMIUM, constants.X_OK);
} catch {
  fail(`no Chromium at ${CHROMIUM}; install it with \`apt-get install -y chromium\` (mvn verify's set-up does), `
    + 'or point CHROMIUM at a Chromium binary');
}
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  fail(`cannot load playwright-core (${e.code || e.message}); install it with \`npm ci --prefix src/test/browser\` `
    + "(mvn verify's set-up does)");
}

// The watchdog: whatever hangs, the run ends. Playwright kills the browser it launched on exit.
const watchdog = setTimeout(() => {
  fail(`the whole run took more than ${TOTAL_MS} ms`);
}, TOTAL_MS);

// ------------------------------------------------------------------ helpers

async function visit(name) {
  // ignoreHTTPSErrors: for this context only, and only for an https:// demo (self-signed certificate).
  const context = await browser.newContext({ viewport: { width: 1280, height: 820 }, ignoreHTTPSErrors: SECURE });
  context.setDefaultTimeout(STEP_MS);
  context.setDefaultNavigationTimeout(STEP_MS);
  const page = await context.newPage();
  // Keeps the page's WebSocket objects, so the test can read what each negotiated (extensions).
  await page.addInitScript(() => {
    const Native = window.WebSocket;
    window.__sockets = [];
    window.WebSocket = class extends Native {
      constructor(...args) { super(...args); window.__sockets.push(this); }
    };
  });
  const v = { name, page, log: [], errors: [], sockets: new Map() };
  page.on('console', (m) => {
    // (the willReadFrequently advice is about this test's own getImageData calls)
    if ((m.type() === 'error' || m.type() === 'warning') && !m.text().includes('willReadFrequently')) {
      v.log.push(`console.${m.type()}: ${m.text()}`);
    }
  });
  page.on('response', (r) => {
    if (r.status() >= 400) v.log.push(`HTTP ${r.status()} for ${r.request().method()} ${r.url()}`);
  });
  page.on('pageerror', (e) => v.errors.push(String(e && e.stack || e)));
  page.on('websocket', (ws) => {
    const s = { sent: 0, received: 0, closed: false };
    v.sockets.set(ws.url(), s);
    ws.on('framesent', () => s.sent++);
    ws.on('framereceived', () => s.received++);
    ws.on('close', () => { s.closed = true; });
    ws.on('socketerror', (e) => v.log.push(`websocket ${ws.url()} error: ${e}`));
  });
  visitors.push(v);
  step = `${name}: open ${url}`;
  const response = await page.goto(url, { waitUntil: 'load' });
  if (!response || response.status() !== 200) {
    throw new Error(`GET ${url} answered ${response ? response.status() : 'nothing'}, not 200`);
  }
  return v;
}

/** Waits for fn(arg) to be truthy in the page; the error says what was awaited and what was there. */
async function until(v, what, fn, arg, describe, timeout = STEP_MS) {
  step = `${v.name}: ${what}`;
  try {
    const handle = await v.page.waitForFunction(fn, arg, { timeout, polling: 50 });
    return await handle.jsonValue();
  } catch (e) {
    let now = '';
    try {
      now = await v.page.evaluate(describe);
    } catch { /* the page is gone: the original error says enough */ }
    throw new Error(`${what}: not within ${timeout} ms${now ? `; the page shows ${now}` : ''} (${firstLine(e)})`);
  }
}

function firstLine(e) {
  return String(e && e.message || e).split('\n')[0];
}

const texts = (sel) => JSON.stringify([...document.querySelectorAll(sel)].map((e) => e.textContent.trim()));
const snapshot = () => {
  const t = (id) => (document.getElementById(id) ? JSON.stringify(document.getElementById(id).textContent.trim()) : 'missing');
  const list = (id) => JSON.stringify([...document.querySelectorAll(`#${id} > li`)].map((e) => e.textContent.trim()));
  return `#status=${t('status')} #users=${list('users')} #messages=${list('messages')} #price=${t('price')}`;
};

async function checkIds(v) {
  step = `${v.name}: page contract`;
  const required = ['input#name', 'button#join', 'ul#users', 'input#message', 'button#send', 'ul#messages',
    'span#price', 'canvas#chart', 'span#status'];
  const missing = await v.page.evaluate((sels) => sels.filter((s) => !document.querySelector(s)), required);
  if (missing.length) throw new Error(`the page lacks ${missing.join(', ')}`);
}

async function joinChat(v) {
  step = `${v.name}: join`;
  await v.page.fill('#name', v.name);
  await v.page.click('#join');
}

async function seesUsers(v, names) {
  return until(v, `#users lists ${names.join(' and ')}`,
    (want) => {
      const have = [...document.querySelectorAll('#users > li')].map((e) => e.textContent.trim());
      return want.every((n) => have.includes(n)) && have;
    }, names, snapshot);
}

/** Waits until #price has shown three different numbers in a row: two ticker updates. */
async function seesTicks(v) {
  return until(v, '#price changes twice',
    () => {
      const text = document.getElementById('price').textContent.trim();
      const s = (window.__demoE2ePrice ??= { seen: [] });
      if (/\d/.test(text) && text !== s.seen[s.seen.length - 1]) s.seen.push(text);
      return s.seen.length >= 3 && s.seen;
    }, undefined, () => `#price values so far ${JSON.stringify((window.__demoE2ePrice || { seen: [] }).seen)}`,
    TICKS_MS);
}

/**
 * Waits until canvas#chart has at least 200 pixels that differ from its top-left pixel (its
 * background), read with getImageData; if the canvas has no 2D context (a WebGL chart, say),
 * from a screenshot of the element instead.
 */
async function seesChart(v) {
  step = `${v.name}: canvas#chart is drawn`;
  const probe = () => {
    const c = document.getElementById('chart');
    if (!c.width || !c.height) return { ok: false, why: `canvas is ${c.width}x${c.height}` };
    const ctx = c.getContext('2d');
    if (!ctx) return { ok: false, no2d: true, why: 'no 2d context' };
    const px = new Uint32Array(ctx.getImageData(0, 0, c.width, c.height).data.buffer);
    let drawn = 0;
    for (let i = 0; i < px.length; i++) if (px[i] !== px[0]) drawn++;
    return { ok: drawn >= 200, drawn, size: `${c.width}x${c.height}`, why: `${drawn} drawn pixels of ${px.length}` };
  };
  const deadline = Date.now() + STEP_MS;
  let r;
  for (;;) {
    r = await v.page.evaluate(probe);
    if (r.no2d) {
      const png = (await v.page.locator('#chart').screenshot({ timeout: STEP_MS })).toString('base64');
      r = await v.page.evaluate(async (data) => {
        const img = new Image();
        img.src = `data:image/png;base64,${data}`;
        await img.decode();
        const c = new OffscreenCanvas(img.width, img.height);
        const ctx = c.getContext('2d');
        ctx.drawImage(img, 0, 0);
        const px = new Uint32Array(ctx.getImageData(0, 0, img.width, img.height).data.buffer);
        let drawn = 0;
        for (let i = 0; i < px.length; i++) if (px[i] !== px[0]) drawn++;
        return { ok: drawn >= 200, drawn, size: `${img.width}x${img.height} (screenshot)`, why: `${drawn} drawn pixels of ${px.length} (screenshot)` };
      }, png);
    }
    if (r.ok || Date.now() > deadline) break;
    await new Promise((res) => setTimeout(res, 250));
  }
  if (!r.ok) throw new Error(`canvas#chart looks blank after ${STEP_MS} ms: ${r.why}`);
  return r;
}

function sockets(v) {
  return [...v.sockets].map(([u, s]) => `${new URL(u).pathname} ${s.received} in/${s.sent} out${s.closed ? ' (closed)' : ''}`).join(', ');
}

// Chromium offers permessage-deflate ("permessage-deflate; client_max_window_bits"); the demo
// server accepts it by default, so every socket of the page must have negotiated it.
async function requireDeflate(v) {
  step = `${v.name}: permessage-deflate negotiated`;
  const negotiated = await v.page.evaluate(() => window.__sockets.map((s) => [new URL(s.url).pathname, s.extensions]));
  if (negotiated.length === 0) throw new Error('the page created no WebSocket object');
  for (const [path, ext] of negotiated) {
    if (!/^permessage-deflate\b/.test(ext)) {
      throw new Error(`${path}: Sec-WebSocket-Extensions is ${JSON.stringify(ext)}, not permessage-deflate`);
    }
  }
  return negotiated;
}

function requireSockets(v) {
  step = `${v.name}: WebSockets`;
  const paths = [...v.sockets.keys()].map((u) => new URL(u).pathname);
  for (const p of ['/chat', '/channels']) {
    if (!paths.includes(p)) throw new Error(`the page opened no WebSocket to ${p} (it opened ${JSON.stringify(paths)})`);
  }
  for (const u of v.sockets.keys()) {
    if (new URL(u).protocol !== WS_SCHEME) throw new Error(`the page opened ${u}, not a ${WS_SCHEME}// WebSocket`);
  }
  if (v.errors.length) throw new Error(`uncaught error in the page: ${v.errors[0]}`);
}

async function screenshot(v, file) {
  mkdirSync(OUT, { recursive: true });
  const path = join(OUT, file);
  await v.page.screenshot({ path, fullPage: true, timeout: STEP_MS });
  return path;
}

async function closeBrowser() {
  if (!browser) return;
  const b = browser;
  browser = null;
  await Promise.race([b.close().catch(() => {}), new Promise((res) => setTimeout(res, 10_000))]);
}

// ------------------------------------------------------------------ the test

const started = Date.now();
try {
  step = `launch ${CHROMIUM}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30_000,
    env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'disabled:' },
  });
  log(`Chromium ${browser.version()} (${CHROMIUM}), playwright-core, ${url}`);

  const alice = await visit('alice');
  const bob = await visit('bob');
  for (const v of [alice, bob]) await checkIds(v);
  for (const v of [alice, bob]) {
    await until(v, '#status says "connected"',
      () => document.getElementById('status').textContent.trim() === 'connected', undefined, snapshot);
  }
  log('both pages connected');

  await joinChat(alice);
  await seesUsers(alice, ['alice']);
  await joinChat(bob);
  const aliceUsers = await seesUsers(alice, ['alice', 'bob']);
  const bobUsers = await seesUsers(bob, ['alice', 'bob']);
  log(`users: alice sees ${JSON.stringify(aliceUsers)}, bob sees ${JSON.stringify(bobUsers)}`);

  step = 'alice: send';
  await alice.page.fill('#message', MESSAGE);
  await alice.page.click('#send');
  const expected = `alice: ${MESSAGE}`;
  const bobMessages = await until(bob, `#messages shows "${expected}"`,
    (want) => {
      const have = [...document.querySelectorAll('#messages > li')].map((e) => e.textContent.trim());
      return have.includes(want) && have;
    }, expected, snapshot);
  log(`bob's messages: ${JSON.stringify(bobMessages)}`);

  const [aliceTicks, bobTicks] = await Promise.all([seesTicks(alice), seesTicks(bob)]);
  log(`prices: alice saw ${aliceTicks.join(' -> ')}; bob saw ${bobTicks.join(' -> ')}`);

  const [aliceChart, bobChart] = await Promise.all([seesChart(alice), seesChart(bob)]);
  log(`chart: alice ${aliceChart.drawn} drawn pixels (${aliceChart.size}), bob ${bobChart.drawn} (${bobChart.size})`);

  for (const v of [alice, bob]) requireSockets(v);
  log(`websockets: alice ${sockets(alice)}; bob ${sockets(bob)}`);
  for (const v of [alice, bob]) log(`${v.name} negotiated ${JSON.stringify(await requireDeflate(v))}`);

  step = 'screenshot';
  const shots = [await screenshot(alice, 'demo-e2e.png'), await screenshot(bob, 'demo-e2e-bob.png')];
  for (const v of visitors) for (const line of v.log) log(`${v.name} ${line}`);
  await closeBrowser();
  clearTimeout(watchdog);
  console.log(`PASS demo-e2e: ${WS_SCHEME}// sockets, permessage-deflate negotiated on every socket, alice and bob joined, bob got "${expected}", price changed `
    + `${bobTicks.length - 1}+ times, chart drawn; ${Date.now() - started} ms; screenshots ${shots.join(', ')}`);
  process.exit(0);
} catch (e) {
  const failedStep = step;
  for (const v of visitors) {
    for (const line of v.log) log(`${v.name} ${line}`);
    for (const line of v.errors) log(`${v.name} page error: ${line}`);
    try {
      const state = await Promise.race([v.page.evaluate(snapshot), new Promise((res) => setTimeout(() => res('?'), 3000))]);
      log(`${v.name} at failure: ${state}; websockets: ${sockets(v) || 'none'}`);
      const path = await Promise.race([screenshot(v, `demo-e2e-failure-${v.name}.png`),
        new Promise((res) => setTimeout(() => res(null), 5000))]);
      if (path) log(`${v.name} screenshot: ${path}`);
    } catch { /* the page is gone */ }
  }
  await closeBrowser();
  step = failedStep;
  fail(firstLine(e));
}
