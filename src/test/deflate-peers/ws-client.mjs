// Node's ws as a CLIENT against a Loomsocket echo server (DeflateInteropIT).
//   node ws-client.mjs '{"url":"ws://127.0.0.1:PORT/","deflate":true,"libraryDefaults":false,
//     "offers":[{"serverNoContextTakeover":true,"serverMaxWindowBits":8}],
//     "plan":[[16,40],...,[8192,4,256]],"kinds":["json","random","repetitive"],"probe":65536,"seed":1,"timeoutMs":60000}'
// Sends every message, waits for its echo and compares type and bytes; then closes with 1000 and
// prints `RESULT {json}`: the Sec-WebSocket-Extensions of the 101, what ws enabled, the digests
// of what it sent and received, and the wire statistics of both directions (tx: ws compressing,
// rx: Loomsocket compressing). Any mismatch: `FAIL ...` on stderr, exit status 1.

import { createRequire } from 'node:module';
import path from 'node:path';
import WebSocket from 'ws';
import { config, Digest, fail, finish, FrameTap, messages, send, stats, tapSocket, watchdog } from './peer-common.mjs';

const require = createRequire(import.meta.url);
const WS_VERSION = require('ws/package.json').version;
const cfg = config();
const timer = watchdog(cfg.timeoutMs, 'ws client');

/** The ws perMessageDeflate option for the first offer; the others, if any, by offerAll below. */
function perMessageDeflate() {
  if (!cfg.deflate) return false;
  if (cfg.libraryDefaults) return true;
  const [first, ...more] = cfg.offers;
  const options = { threshold: 0, ...offerOptions(first) };
  if (more.length > 0) offerAll(options, cfg.offers);
  return options;
}

function offerOptions(offer) {
  const options = {};
  if (offer.serverNoContextTakeover) options.serverNoContextTakeover = true;
  if (offer.serverMaxWindowBits) options.serverMaxWindowBits = offer.serverMaxWindowBits;
  // clientMaxWindowBits left unset: ws offers `client_max_window_bits` and accepts any value.
  return options;
}

/**
 * ws offers one configuration; Autobahn's 13.7 offers several in order of preference. ws formats
 * whatever PerMessageDeflate#offer() returns, and an array becomes a comma-separated list of
 * offers (lib/extension.js format), so for this connection only (marked by a symbol in its
 * options, which ws copies), offer() returns them all. ws then checks the response against the
 * first offer's options, the strictest.
 */
const ALL_OFFERS = Symbol('all offers');

function offerAll(options, offers) {
  const PerMessageDeflate = require(path.join(path.dirname(require.resolve('ws')), 'lib', 'permessage-deflate.js'));
  const original = PerMessageDeflate.prototype.offer;
  PerMessageDeflate.prototype.offer = function offer() {
    const all = this._options[ALL_OFFERS];
    if (!all) return original.call(this);
    return all.map((o) => new PerMessageDeflate(offerOptions(o)).offer());
  };
  options[ALL_OFFERS] = offers;
}

const rx = new FrameTap();
const tx = new FrameTap();
const sent = new Digest();
const received = new Digest();
let header = null;
let done = false;
const inbox = [];
let waiting = null;

const ws = new WebSocket(cfg.url, { perMessageDeflate: perMessageDeflate(), maxPayload: 64 * 1024 * 1024 });
ws.on('upgrade', (response) => {
  header = response.headers['sec-websocket-extensions'] ?? '';
  tapSocket(response.socket, rx, tx);
});
ws.on('unexpected-response', (request, response) => fail(`the handshake was answered ${response.statusCode}`));
ws.on('error', (e) => fail(`ws: ${e.message}`));
ws.on('message', (data, isBinary) => {
  const m = { data: Buffer.isBuffer(data) ? data : Buffer.concat(data), isBinary };
  if (waiting) {
    const w = waiting;
    waiting = null;
    w(m);
  } else {
    inbox.push(m);
  }
});
ws.on('close', (code, reason) => {
  if (!done) {
    fail(`the connection closed early: ${code} ${reason}`);
    return;
  }
  clearTimeout(timer);
  finish({
    peer: `ws ${WS_VERSION}`,
    role: 'client',
    extensions: header,
    library: Object.keys(ws._extensions ?? {}).join(', ') || ws.extensions,
    closeCode: code,
    sent: { count: sent.count, sha256: sent.hex() },
    received: { count: received.count, sha256: received.hex() },
    tx: stats(tx, sent),
    rx: stats(rx, received),
  });
});

function nextMessage() {
  if (inbox.length > 0) return Promise.resolve(inbox.shift());
  return new Promise((resolve) => {
    waiting = resolve;
  });
}

function firstDifference(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) if (a[i] !== b[i]) return i;
  return n;
}

ws.on('open', async () => {
  try {
    let index = 0;
    for (const m of messages(cfg)) {
      send(ws, m);
      sent.add(m.binary, m.data);
      const echo = await nextMessage();
      received.add(echo.isBinary, echo.data);
      if (echo.isBinary !== m.binary || !echo.data.equals(m.data)) {
        fail(`message #${index} (${m.kind}, ${m.size} bytes, ${m.binary ? 'binary' : 'text'}, frames of ${m.fragment || 'all'}) came back `
          + `${echo.isBinary ? 'binary' : 'text'} with ${echo.data.length} bytes, first difference at byte `
          + `${firstDifference(echo.data, m.data)}`);
        return;
      }
      index += 1;
    }
    if (tx.messages !== sent.count || rx.messages !== received.count) {
      fail(`the wire tap counted ${tx.messages} sent and ${rx.messages} received messages, ws ${sent.count} and ${received.count}`);
      return;
    }
    done = true;
    ws.close(1000, 'done');
  } catch (e) {
    fail(e.stack);
  }
});
