// What ws-client.mjs and ws-server.mjs share: the configuration argument, the messages sent,
// the digest of a message sequence, and a tap that reads the frames on the socket itself (RSV1
// and the payload length of every frame, as they cross the wire), independently of ws.
// DeflateInteropIT (src/test/java/io/loomsocket/interop) runs the scripts; docs/deflate-interop.md
// describes the protocol between them.

import { createHash } from 'node:crypto';

/** Ends the process with status 1 and one clear line on stderr. */
export function fail(message) {
  process.stderr.write(`FAIL ${message}\n`, () => process.exit(1));
  setTimeout(() => process.exit(1), 1000).unref();
}

/** The single argument: a JSON object (see docs/deflate-interop.md). */
export function config() {
  const [, script, arg] = process.argv;
  if (!arg) fail(`usage: node ${script} '<json config>'`);
  try {
    return JSON.parse(arg);
  } catch (e) {
    fail(`the argument is not JSON: ${e.message}`);
  }
}

/** Fails the process if it has not finished within `ms`. */
export function watchdog(ms, what) {
  return setTimeout(() => fail(`${what}: no result within ${ms} ms`), ms);
}

/** Prints the result line the Java side reads, then exits with status 0. */
export function finish(result) {
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`, () => process.exit(0));
}

/** SHA-256 over every message as 'T'|'B', its length (4 bytes, big-endian), its bytes. */
export class Digest {
  constructor() {
    this.hash = createHash('sha256');
    this.count = 0;
    this.bytes = 0;
  }

  add(isBinary, data) {
    const head = Buffer.alloc(5);
    head[0] = isBinary ? 0x42 : 0x54;
    head.writeUInt32BE(data.length, 1);
    this.hash.update(head);
    this.hash.update(data);
    this.count += 1;
    this.bytes += data.length;
  }

  hex() {
    return this.hash.digest('hex');
  }
}

/**
 * Parses one direction of the byte stream of a connection into frames and keeps, per data
 * message: whether its first frame had RSV1 (compressed), and its payload bytes on the wire.
 */
export class FrameTap {
  constructor() {
    this.head = [];
    this.frame = null;
    this.skip = 0;
    this.current = null;
    this.messages = 0;
    this.compressed = 0;
    this.wireBytes = 0;
    this.frames = 0;
    this.last = null;
    this.error = null;
  }

  push(chunk) {
    let i = 0;
    while (i < chunk.length) {
      if (this.frame) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        if (this.skip === 0) this.frameDone();
        continue;
      }
      this.head.push(chunk[i]);
      i += 1;
      const need = this.headerLength();
      if (need !== null && this.head.length === need) this.frameStart();
    }
  }

  headerLength() {
    if (this.head.length < 2) return null;
    const len7 = this.head[1] & 0x7f;
    const masked = (this.head[1] & 0x80) !== 0;
    return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (masked ? 4 : 0);
  }

  frameStart() {
    const h = this.head;
    const len7 = h[1] & 0x7f;
    let length = len7;
    if (len7 === 126) length = (h[2] << 8) | h[3];
    if (len7 === 127) length = Number(Buffer.from(h.slice(2, 10)).readBigUInt64BE());
    this.frame = { fin: (h[0] & 0x80) !== 0, rsv1: (h[0] & 0x40) !== 0, opcode: h[0] & 0x0f, length };
    this.head = [];
    this.skip = length;
    if (length === 0) this.frameDone();
  }

  frameDone() {
    const f = this.frame;
    this.frame = null;
    this.frames += 1;
    if (f.opcode >= 0x8) return; // control frames: never compressed, not counted
    if (f.opcode !== 0x0) {
      if (this.current) this.error ??= 'a data frame started inside a fragmented message';
      this.current = { compressed: f.rsv1, wireBytes: 0 };
    } else if (!this.current) {
      this.error ??= 'a continuation frame outside a message';
      return;
    } else if (f.rsv1) {
      this.error ??= 'RSV1 on a continuation frame';
    }
    this.current.wireBytes += f.length;
    if (f.fin) {
      this.messages += 1;
      if (this.current.compressed) this.compressed += 1;
      this.wireBytes += this.current.wireBytes;
      this.last = this.current;
      this.current = null;
    }
  }
}

/** Taps a socket: what it reads into `rx`, what ws writes to it into `tx`. */
export function tapSocket(socket, rx, tx) {
  socket.on('data', (chunk) => rx.push(chunk));
  const write = socket.write;
  socket.write = function tappedWrite(chunk, encoding, ...rest) {
    tx.push(typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8') : chunk);
    return write.call(this, chunk, encoding, ...rest);
  };
}

/** The wire statistics of one direction, with the payload bytes the library delivered or sent. */
export function stats(tap, digest) {
  return {
    messages: tap.messages,
    compressed: tap.compressed,
    payloadBytes: digest.bytes,
    wireBytes: tap.wireBytes,
    lastCompressed: tap.last ? tap.last.compressed : false,
    lastWireBytes: tap.last ? tap.last.wireBytes : 0,
    tapError: tap.error,
  };
}

// ------------------------------------------------------------------ the messages

/** mulberry32: a small deterministic generator, so that a failing run can be repeated. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CITIES = ['Zürich', 'København', 'Łódź', 'São Paulo', 'Αθήνα', '東京', 'Reykjavík', 'Montréal'];
const LINE = 'Loomsocket permessage-deflate interop: the same line, again and again.\n';

/** UTF-8 of exactly `size` bytes: cut at a character boundary, padded with spaces. */
function exactUtf8(text, size) {
  const bytes = Buffer.from(text, 'utf8');
  let end = Math.min(size, bytes.length);
  while (end > 0 && end < bytes.length && (bytes[end] & 0xc0) === 0x80) end -= 1;
  const out = Buffer.alloc(size, 0x20);
  bytes.copy(out, 0, 0, end);
  return out;
}

function json(size, next) {
  const records = [];
  let length = 1;
  while (length < size + 64) {
    const id = Math.floor(next() * 1e6);
    const record = JSON.stringify({
      id,
      user: `user-${id.toString(36)}`,
      city: CITIES[Math.floor(next() * CITIES.length)],
      score: Math.round(next() * 1e4) / 100,
      active: next() < 0.5,
      tags: ['ws', 'deflate', 'rfc7692'].slice(0, 1 + Math.floor(next() * 3)),
    });
    records.push(record);
    length += Buffer.byteLength(record) + 1;
  }
  return exactUtf8(`[${records.join(',')}]`, size);
}

function randomBytes(size, next) {
  const out = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i += 1) out[i] = Math.floor(next() * 256);
  return out;
}

function repetitive(size) {
  return exactUtf8(LINE.repeat(Math.ceil(size / LINE.length) + 1), size);
}

/** One message of a kind: json (text), random (binary) or repetitive (text). */
export function message(kind, size, next) {
  switch (kind) {
    case 'json':
      return { kind, size, binary: false, data: json(size, next) };
    case 'random':
      return { kind, size, binary: true, data: randomBytes(size, next) };
    case 'repetitive':
      return { kind, size, binary: false, data: repetitive(size) };
    default:
      throw new Error(`unknown kind ${kind}`);
  }
}

/**
 * The messages a client sends: for each [size, count, fragment] of the plan, `count` messages
 * of each kind, interleaved, sent in frames of `fragment` bytes (0: one frame); then the probe,
 * a repetitive text of `probe` bytes in one frame, always last.
 */
export function* messages(cfg) {
  const next = random(cfg.seed);
  for (const [size, count, fragment = 0] of cfg.plan) {
    for (let i = 0; i < count; i += 1) {
      for (const kind of cfg.kinds) yield { ...message(kind, size, next), fragment };
    }
  }
  yield { ...message('repetitive', cfg.probe, next), fragment: 0 };
}

/** Sends a message with ws, whole or in frames of m.fragment bytes (text split anywhere, as RFC 6455 allows). */
export function send(ws, m) {
  if (!m.fragment || m.fragment >= m.data.length) {
    ws.send(m.data, { binary: m.binary, compress: true });
    return;
  }
  for (let offset = 0; offset < m.data.length; offset += m.fragment) {
    const end = Math.min(offset + m.fragment, m.data.length);
    ws.send(m.data.subarray(offset, end), { binary: m.binary, compress: true, fin: end === m.data.length });
  }
}
