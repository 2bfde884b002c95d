// Node's ws as a wss:// SERVER for a Loomsocket client (TlsInteropIT).
//
//   node ws-tls-server.mjs '{"cert":"cert.pem","key":"key.pem","timeoutMs":30000}'
//
// Listens with TLS (node:https, OpenSSL) on 127.0.0.1, an ephemeral port, and prints `PORT n`.
// Serves one connection: echoes every message as received. When the client has closed, prints
// `RESULT {json}`: the close code and reason it received, how many messages it echoed, the SNI
// server name the client sent, and the TLS version; exits with status 0.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { VERSION, WS, config, fail, finish, watchdog } from './tls-common.mjs';

const cfg = config();
watchdog(cfg.timeoutMs, 'ws wss server');
const server = createServer({ cert: readFileSync(cfg.cert), key: readFileSync(cfg.key) });
const wss = new WS.WebSocketServer({ server, maxPayload: 4 * 1024 * 1024, perMessageDeflate: false });
let connections = 0;
wss.on('connection', (ws, req) => {
  if (++connections > 1) {
    ws.close(1008, 'one connection only');
    return;
  }
  const sni = req.socket.servername || null;
  const tls = req.socket.getProtocol();
  let echoed = 0;
  ws.on('message', (data, isBinary) => {
    ws.send(data, { binary: isBinary });
    echoed++;
  });
  ws.on('error', (e) => fail(`ws wss server: ${e}`));
  ws.on('close', (code, reason) => {
    finish({ peer: VERSION, role: 'server', closeCode: code, closeReason: reason.toString(), echoed, sni, tls });
  });
});
server.on('tlsClientError', (e) => process.stderr.write(`tls client error: ${e}\n`));
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`PORT ${server.address().port}\n`);
});
