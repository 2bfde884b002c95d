// Node's ws as a SERVER for a Loomsocket client (DeflateInteropIT).
//   node ws-server.mjs '{"deflate":true,"libraryDefaults":false,
//     "accept":{"clientNoContextTakeover":true,"clientMaxWindowBits":8},"timeoutMs":60000}'
// Listens on 127.0.0.1, an ephemeral port, and prints `PORT n`. Serves one connection: echoes
// every message as received. When the client has closed, prints `RESULT {json}`: the
// Sec-WebSocket-Extensions it answered, what ws enabled, the digest of what it received, and
// the wire statistics (rx: Loomsocket compressing, tx: ws compressing); exits with status 0.

import { createRequire } from 'node:module';
import { WebSocketServer } from 'ws';
import { config, Digest, fail, finish, FrameTap, stats, tapSocket, watchdog } from './peer-common.mjs';

const require = createRequire(import.meta.url);
const WS_VERSION = require('ws/package.json').version;
const cfg = config();
const timer = watchdog(cfg.timeoutMs, 'ws server');

/**
 * As Autobahn's fuzzing server accepts: the offer as made (server_no_context_takeover and
 * server_max_window_bits accepted as the client asked), plus client_no_context_takeover and
 * client_max_window_bits=N when the combination asks for them.
 */
function perMessageDeflate() {
  if (!cfg.deflate) return false;
  if (cfg.libraryDefaults) return true;
  const options = { threshold: 0 };
  if (cfg.accept.clientNoContextTakeover) options.clientNoContextTakeover = true;
  if (cfg.accept.clientMaxWindowBits) options.clientMaxWindowBits = cfg.accept.clientMaxWindowBits;
  return options;
}

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  perMessageDeflate: perMessageDeflate(),
  maxPayload: 64 * 1024 * 1024,
});
let header = '';
let connections = 0;

wss.on('listening', () => process.stdout.write(`PORT ${wss.address().port}\n`));
wss.on('error', (e) => fail(`ws server: ${e.message}`));
wss.on('headers', (headers) => {
  const line = headers.find((h) => h.toLowerCase().startsWith('sec-websocket-extensions:'));
  header = line ? line.slice(line.indexOf(':') + 1).trim() : '';
});
wss.on('connection', (ws, request) => {
  connections += 1;
  if (connections > 1) {
    ws.close(1008, 'one connection only');
    return;
  }
  const rx = new FrameTap();
  const tx = new FrameTap();
  const received = new Digest();
  const echoed = new Digest();
  tapSocket(request.socket, rx, tx);
  ws.on('error', (e) => fail(`ws: ${e.message}`));
  ws.on('message', (data, isBinary) => {
    const payload = Buffer.isBuffer(data) ? data : Buffer.concat(data);
    received.add(isBinary, payload);
    echoed.add(isBinary, payload);
    ws.send(payload, { binary: isBinary, compress: true });
  });
  ws.on('close', (code, reason) => {
    clearTimeout(timer);
    if (code !== 1000) {
      fail(`the client closed with ${code} ${reason}, not 1000`);
      return;
    }
    const receivedCount = received.count;
    if (rx.messages !== receivedCount || tx.messages !== echoed.count) {
      fail(`the wire tap counted ${rx.messages} received and ${tx.messages} sent messages, ws ${receivedCount} and ${echoed.count}`);
      return;
    }
    const library = Object.keys(ws._extensions ?? {}).join(', ');
    wss.close();
    finish({
      peer: `ws ${WS_VERSION}`,
      role: 'server',
      offered: request.headers['sec-websocket-extensions'] ?? '',
      extensions: header,
      library,
      closeCode: code,
      received: { count: receivedCount, sha256: received.hex() },
      sent: { count: echoed.count, sha256: echoed.hex() },
      rx: stats(rx, received),
      tx: stats(tx, echoed),
    });
  });
});
