// Node's ws as a peer server for bench/compare.sh, with the convention of target/peers.jar
// (src/peers/java/io/loomsocket/peers/PeerMain.java):
//
//   node bench/node/server.mjs [--host 127.0.0.1] [--port N] [--deflate]
//
//   /broadcast      each message to every other client of /broadcast
//   /broadcast-all  each message to every client of /broadcast-all, sender included
//   any other path  each message echoed once, text as text, binary as binary
//
// Messages up to 64 MiB. No compression unless --deflate; with it, ws's permessage-deflate
// (RFC 7692) with compression level 6 and a threshold of 64 bytes, and otherwise ws's defaults:
// it accepts the client's no_context_takeover and max_window_bits offers as made, and asks for
// nothing the client did not offer. ws applies the threshold only when server_no_context_takeover
// was negotiated (messages under 64 bytes then go uncompressed); with context takeover it
// compresses every message. ws runs at most 10 zlib operations at a time per process (its
// concurrencyLimit default), on libuv's thread pool. Port 0 (the default) picks a free port. Once listening it prints `node-ws listening on ws://HOST:PORT/`; SIGTERM
// or SIGINT stops it with status 0; bad usage exits with status 2, a failure to listen with 1.

import { WebSocketServer } from 'ws';

const MAX_MESSAGE = 64 * 1024 * 1024;
const USAGE = `usage: node bench/node/server.mjs [--host 127.0.0.1] [--port N] [--deflate]
  --deflate       accept permessage-deflate (RFC 7692), level 6; without context takeover,
                  messages under 64 bytes are sent uncompressed
  /broadcast      each message to every other client of /broadcast
  /broadcast-all  each message to every client of /broadcast-all, sender included
  any other path  each message echoed once, same opcode
`;

function badUsage(message) {
  process.stderr.write(`node-ws: ${message}\n${USAGE}`);
  process.exit(2);
}

function parseArgs(argv) {
  const options = { host: '127.0.0.1', port: 0, deflate: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    switch (arg) {
      case '--host':
        if (value === undefined || value === '') badUsage('--host needs a value');
        options.host = value;
        i++;
        break;
      case '--port':
        if (value === undefined || !/^[0-9]+$/.test(value) || Number(value) > 65535) {
          badUsage(`--port needs a number from 0 to 65535${value === undefined ? '' : `, not '${value}'`}`);
        }
        options.port = Number(value);
        i++;
        break;
      case '--deflate':
        options.deflate = true;
        break;
      case '-h':
      case '--help':
        process.stdout.write(USAGE);
        process.exit(0);
        break;
      default:
        badUsage(`unknown option ${arg}`);
    }
  }
  return options;
}

/** The route of a request target; a query string is ignored (as Route.of in the Java peers). */
function routeOf(target) {
  const path = (target ?? '/').split('?', 1)[0];
  if (path === '/broadcast') return 'broadcast';
  if (path === '/broadcast-all') return 'broadcast-all';
  return 'echo';
}

const options = parseArgs(process.argv.slice(2));
const groups = { broadcast: new Set(), 'broadcast-all': new Set() };

const wss = new WebSocketServer({
  host: options.host,
  port: options.port,
  backlog: 4096, // as the Java peers: 10,000 connections arriving at once
  maxPayload: MAX_MESSAGE,
  clientTracking: true,
  perMessageDeflate: options.deflate ? { threshold: 64, zlibDeflateOptions: { level: 6 } } : false,
});

wss.on('listening', () => {
  const { port } = wss.address();
  process.stdout.write(`node-ws listening on ws://${options.host}:${port}/\n`);
});

wss.on('error', (e) => { // e.g. the port is taken
  process.stderr.write(`node-ws: did not start: ${e.message}\n`, () => process.exit(1));
});

wss.on('connection', (ws, request) => {
  const route = routeOf(request.url);
  ws.on('error', () => {}); // ws closes the connection itself; an unhandled 'error' would end the process
  if (route === 'echo') {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    return;
  }
  const group = groups[route];
  group.add(ws);
  ws.on('close', () => group.delete(ws));
  const includeSender = route === 'broadcast-all';
  ws.on('message', (data, isBinary) => {
    // the same Buffer to every recipient; with permessage-deflate, ws compresses it per socket
    for (const client of group) {
      if ((includeSender || client !== ws) && client.readyState === client.OPEN) {
        client.send(data, { binary: isBinary });
      }
    }
  });
});

function stop() {
  for (const client of wss.clients) client.terminate();
  wss.close();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
