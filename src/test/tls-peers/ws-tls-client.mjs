// Node's ws as a wss:// CLIENT against a Loomsocket echo server (TlsInteropIT).
//
//   node ws-tls-client.mjs '{"url":"wss://127.0.0.1:PORT/","ca":"cert.pem",
//       "sizes":[0,1,125,126,65535,65536,1048576],"timeoutMs":30000}'
//
// Verifies the server's certificate against `ca` and its host name (node:tls defaults), sends a
// binary and a text message of every size and compares each echo; then sends "close 4002" (the
// server closes with 4002) and prints `RESULT {json}`: the close code and reason it got, the TLS
// version; exit status 0. Any mismatch: `FAIL ...` on stderr, exit status 1.

import { readFileSync } from 'node:fs';
import { VERSION, WS, config, fail, finish, messages, watchdog } from './tls-common.mjs';

const cfg = config();
watchdog(cfg.timeoutMs, 'ws wss client');
const ws = new WS(cfg.url, { ca: readFileSync(cfg.ca), maxPayload: 4 * 1024 * 1024, perMessageDeflate: false });
const plan = [...messages(cfg.sizes)];
let index = 0;
let tls = null;

function next() {
  if (index < plan.length) {
    const [isBinary, data] = plan[index];
    ws.send(data, { binary: isBinary });
  } else {
    ws.send('close 4002');
  }
}

ws.on('open', () => {
  tls = ws._socket.getProtocol();
  next();
});
ws.on('message', (data, isBinary) => {
  const [wantBinary, want] = plan[index] || [];
  const same = isBinary === wantBinary && (isBinary ? Buffer.compare(data, want) === 0 : data.toString() === want);
  if (!same) fail(`message #${index} (${wantBinary ? 'binary' : 'text'}, ${want && want.length}) came back different`);
  index++;
  next();
});
ws.on('error', (e) => fail(`ws wss client: ${e}`));
ws.on('close', (code, reason) => {
  if (index < plan.length) fail(`closed with ${code} after ${index} of ${plan.length} messages`);
  finish({ peer: VERSION, role: 'client', sent: index, closeCode: code, closeReason: reason.toString(), tls });
});
