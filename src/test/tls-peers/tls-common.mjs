// What ws-tls-client.mjs and ws-tls-server.mjs share (TlsInteropIT): Node's `ws`, the one pinned
// in src/test/deflate-peers/package-lock.json (`npm ci --prefix src/test/deflate-peers`), the
// configuration argument, the messages, and how a script ends.

import { createRequire } from 'node:module';

const require = createRequire(new URL('../deflate-peers/package.json', import.meta.url));
export const WS = require('ws');
export const VERSION = `ws ${require('ws/package.json').version}`;

export function fail(message) {
  process.stderr.write(`FAIL ${message}\n`);
  process.exit(1);
}

export function config() {
  if (process.argv.length !== 3) fail(`usage: node ${process.argv[1]} '<json config>'`);
  return JSON.parse(process.argv[2]);
}

/** [isBinary, payload] for each size: binary bytes, then text of that many UTF-8 bytes. */
export function* messages(sizes) {
  for (const size of sizes) {
    const bytes = Buffer.alloc(size);
    for (let i = 0; i < size; i++) bytes[i] = (i * 31 + size) % 251;
    yield [true, bytes];
    let text = '';
    for (let i = 0; i < size; i++) text += String.fromCharCode(0x61 + ((i + size) % 26));
    yield [false, text];
  }
}

export function finish(result) {
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`, () => process.exit(0));
}

export function watchdog(ms, what) {
  setTimeout(() => fail(`${what}: no result within ${ms} ms`), ms).unref();
}
