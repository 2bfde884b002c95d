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
// The chat is seed 001's JSON chat (the uuid is the name typed) with the demo's `presence`
// extension. Alice joins; bob opens the page afterwards and, without joining, must list "alice"
// online (the presence answer); alice leaves and both lists must empty ("alice left" shown);
// alice joins again and bob, still not joined, must list her (a login). Then bob joins, alice
// sends "hello from alice" and bob must see "alice: hello from alice"; both pages must show
// #price changing at least twice and a non-blank canvas#chart, and on a desktop the online list
// is a column left of the messages. Then carol, on a 390 x 844 viewport (a phone), must list
// alice and bob online, be refused the name "alice" (the server's error shown in #notice), join
// as carol and send a long message that bob receives; then at 390 and at 320 px wide the page
// must not scroll sideways (document.documentElement.scrollWidth <= innerWidth) and the chat's
// controls (#send, #join, #leave, #message, #messages) must end inside the chat card, the card
// inside the viewport. Screenshots go to target/demo-e2e.png (alice), target/demo-e2e-bob.png
// (bob), target/demo-390.png and target/demo-320.png (carol); on failure also
// target/demo-e2e-failure-{alice,bob,carol}.png.
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
const DESKTOP = { width: 1280, height: 820 };
const PHONE = { width: 390, height: 844 };
const NARROWEST = 320;
// carol's message on the phone: one long unbreakable word and a long line, both must wrap in the card
const LONG_MESSAGE = `${'w'.repeat(90)} and then a long sentence that has to wrap inside the message list on a phone`;
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

async function visit(name, viewport = DESKTOP) {
  // ignoreHTTPSErrors: for this context only, and only for an https:// demo (self-signed certificate).
  // No isMobile: a mobile-emulating page may zoom out to fit what overflows, and hide it.
  const context = await browser.newContext({ viewport, ignoreHTTPSErrors: SECURE });
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
  const required = ['input#name', 'button#join', 'button#leave', 'ul#users', 'input#message', 'button#send',
    'ul#messages', 'span#price', 'canvas#chart', 'span#status', 'p#notice', 'section[aria-label="chat"]'];
  const missing = await v.page.evaluate((sels) => sels.filter((s) => !document.querySelector(s)), required);
  if (missing.length) throw new Error(`the page lacks ${missing.join(', ')}`);
}

async function connected(v) {
  await until(v, '#status says "connected"',
    () => document.getElementById('status').textContent.trim() === 'connected', undefined, snapshot);
}

async function joinChat(v, name = v.name) {
  step = `${v.name}: join as ${name}`;
  await v.page.fill('#name', name);
  await v.page.click('#join');
}

async function leaveChat(v) {
  step = `${v.name}: leave`;
  await until(v, 'button#leave is enabled', () => !document.getElementById('leave').disabled, undefined, snapshot);
  await v.page.click('#leave');
}

/** Waits until #users is exactly `names`, in this order (the server's user_list: registration order). */
async function seesExactly(v, names) {
  return until(v, `#users is exactly ${JSON.stringify(names)}`,
    (want) => {
      const have = [...document.querySelectorAll('#users > li')].map((e) => e.textContent.trim());
      return JSON.stringify(have) === JSON.stringify(want) && (have.length ? have : 'empty');
    }, names, snapshot);
}

/** Waits until #messages has a line that is exactly `line` (a chat message, or a login's or logout's content). */
async function seesLine(v, line) {
  return until(v, `#messages shows "${line}"`,
    (want) => {
      const have = [...document.querySelectorAll('#messages > li')].map((e) => e.textContent.trim());
      return have.includes(want) && have;
    }, line, snapshot);
}

/**
 * The page fits a viewport `width` wide: no horizontal scrolling (scrollWidth <= innerWidth ==
 * width), and the chat's controls inside the chat card, the card inside the viewport.
 */
async function fitsWidth(v, width) {
  step = `${v.name}: the page fits ${width} px`;
  const m = await v.page.evaluate(() => {
    const right = (sel) => document.querySelector(sel).getBoundingClientRect().right;
    const left = (sel) => document.querySelector(sel).getBoundingClientRect().left;
    const over = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > innerWidth + 0.5)
      .slice(0, 5).map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''} ends at ${Math.round(e.getBoundingClientRect().right)}`);
    return {
      innerWidth, scrollWidth: document.documentElement.scrollWidth, bodyScrollWidth: document.body.scrollWidth,
      send: right('#send'), join: right('#join'), leave: right('#leave'), message: right('#message'),
      messages: right('#messages'), card: right('section[aria-label="chat"]'), cardLeft: left('section[aria-label="chat"]'),
      ticker: right('section[aria-label="ticker"]'), over,
    };
  });
  const why = [];
  if (m.innerWidth !== width) why.push(`innerWidth is ${m.innerWidth}, not ${width}`);
  if (m.scrollWidth > m.innerWidth) why.push(`document.documentElement.scrollWidth ${m.scrollWidth} > innerWidth ${m.innerWidth}`);
  if (m.bodyScrollWidth > m.innerWidth) why.push(`document.body.scrollWidth ${m.bodyScrollWidth} > innerWidth ${m.innerWidth}`);
  for (const k of ['send', 'join', 'leave', 'message', 'messages']) {
    if (m[k] > m.card) why.push(`#${k} ends at ${m[k]}, right of the chat card's edge ${m.card}`);
  }
  if (m.card > width) why.push(`the chat card ends at ${m.card}, right of ${width}`);
  if (m.ticker > width) why.push(`the ticker card ends at ${m.ticker}, right of ${width}`);
  if (m.cardLeft < 0) why.push(`the chat card starts at ${m.cardLeft}, left of 0`);
  if (why.length) throw new Error(`${why.join('; ')}${m.over.length ? ` (over the edge: ${m.over.join(', ')})` : ''}`);
  return `scrollWidth ${m.scrollWidth} <= innerWidth ${m.innerWidth}, #send ends at ${Math.round(m.send)} <= card ${Math.round(m.card)} <= ${width}`;
}

/** On a desktop the online list is a column left of the messages (the layout the narrow CSS must not change). */
async function desktopColumns(v) {
  step = `${v.name}: desktop layout`;
  const m = await v.page.evaluate(() => {
    const box = (id) => document.getElementById(id).getBoundingClientRect();
    return { users: box('users').right, messages: box('messages').left, usersTop: box('users').top, messagesTop: box('messages').top };
  });
  if (!(m.users <= m.messages && Math.abs(m.usersTop - m.messagesTop) < 40)) {
    throw new Error(`#users (ends at ${m.users}, top ${m.usersTop}) is not a column left of #messages (starts at ${m.messages}, top ${m.messagesTop})`);
  }
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
  await checkIds(alice);
  await connected(alice);

  // The online list of a visitor who has not joined: the presence answer fills it, the logins
  // and logouts keep it current.
  await joinChat(alice);
  await seesExactly(alice, ['alice']);
  await seesLine(alice, 'alice joined');
  await until(alice, 'its own name in #users is marked .me',
    () => [...document.querySelectorAll('#users > li.me')].map((e) => e.textContent.trim()).join() === 'alice', undefined, snapshot);
  const bob = await visit('bob');
  await checkIds(bob);
  await connected(bob);
  log('both pages connected');
  await seesExactly(bob, ['alice']);  // the presence answer: bob opened the page after alice joined
  log('bob, not joined, sees ["alice"] online (presence)');
  await leaveChat(alice);
  await seesExactly(bob, []);
  await seesLine(bob, 'alice left');
  await seesExactly(alice, []);
  log('alice left: both online lists are empty');
  await joinChat(alice);
  await seesExactly(bob, ['alice']);  // a login, while bob has not joined
  await seesLine(bob, 'alice joined');
  log('alice joined again: bob, not joined, sees ["alice"] online (login)');

  await seesUsers(alice, ['alice']);
  await joinChat(bob);
  const aliceUsers = await seesUsers(alice, ['alice', 'bob']);
  const bobUsers = await seesUsers(bob, ['alice', 'bob']);
  await seesExactly(alice, ['alice', 'bob']);  // registration order
  log(`users: alice sees ${JSON.stringify(aliceUsers)}, bob sees ${JSON.stringify(bobUsers)}`);
  await desktopColumns(alice);

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

  // A phone, 390 x 844: carol opens the page, sees who is online, is refused the name "alice"
  // (taken: the server's error is shown), joins as carol, and sends a long message.
  const carol = await visit('carol', PHONE);
  await checkIds(carol);
  await connected(carol);
  await seesExactly(carol, ['alice', 'bob']);
  await joinChat(carol, 'alice');
  const refused = await until(carol, '#notice shows the error of registering the name "alice"',
    () => {
      const n = document.getElementById('notice');
      return n.classList.contains('error') && /alice/.test(n.textContent) && /register/.test(n.textContent) && n.textContent.trim();
    }, undefined, () => `#notice=${JSON.stringify(document.getElementById('notice').textContent)} class=${JSON.stringify(document.getElementById('notice').className)}`);
  log(`carol, as "alice": ${JSON.stringify(refused)}`);
  await seesExactly(alice, ['alice', 'bob']);  // nothing changed
  await joinChat(carol);
  await seesExactly(carol, ['alice', 'bob', 'carol']);
  await seesExactly(alice, ['alice', 'bob', 'carol']);
  step = 'carol: send';
  await carol.page.fill('#message', LONG_MESSAGE);
  await carol.page.click('#send');
  await seesLine(bob, `carol: ${LONG_MESSAGE}`);
  await seesLine(carol, `carol: ${LONG_MESSAGE}`);
  await seesTicks(carol);
  await seesChart(carol);
  const fits390 = await fitsWidth(carol, PHONE.width);
  log(`at ${PHONE.width} px: ${fits390}`);
  const phoneShot = await screenshot(carol, `demo-${PHONE.width}.png`);
  step = `carol: viewport ${NARROWEST} px`;
  await carol.page.setViewportSize({ width: NARROWEST, height: PHONE.height });
  await until(carol, `innerWidth is ${NARROWEST}`, (w) => innerWidth === w, NARROWEST, () => `innerWidth ${innerWidth}`);
  const fits320 = await fitsWidth(carol, NARROWEST);
  log(`at ${NARROWEST} px: ${fits320}`);
  const narrowestShot = await screenshot(carol, `demo-${NARROWEST}.png`);

  for (const v of [alice, bob, carol]) requireSockets(v);
  log(`websockets: alice ${sockets(alice)}; bob ${sockets(bob)}; carol ${sockets(carol)}`);
  for (const v of [alice, bob, carol]) log(`${v.name} negotiated ${JSON.stringify(await requireDeflate(v))}`);

  step = 'screenshot';
  const shots = [await screenshot(alice, 'demo-e2e.png'), await screenshot(bob, 'demo-e2e-bob.png'), phoneShot, narrowestShot];
  for (const v of visitors) for (const line of v.log) log(`${v.name} ${line}`);
  await closeBrowser();
  clearTimeout(watchdog);
  console.log(`PASS demo-e2e: ${WS_SCHEME}// sockets, permessage-deflate negotiated on every socket, bob (not joined) saw alice online `
    + `and the list empty after she left, alice and bob joined, bob got "${expected}", price changed `
    + `${bobTicks.length - 1}+ times, chart drawn; carol at ${PHONE.width} and ${NARROWEST} px: refused "alice", joined, no overflow; `
    + `${Date.now() - started} ms; screenshots ${shots.join(', ')}`);
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
