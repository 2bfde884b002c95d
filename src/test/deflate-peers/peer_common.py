"""What py_client.py and py_server.py share: the configuration argument, the messages sent, the
digest of a message sequence, and a tap on the frames as they cross the wire (RSV1 and payload
length of every frame), for python-websockets 10.x (Debian's python3-websockets) on Debian's
/usr/bin/python3. DeflateInteropIT (src/test/java/io/loomsocket/interop) runs the scripts;
docs/deflate-interop.md describes the protocol between them."""

import hashlib
import json
import random
import struct
import sys

import websockets
from websockets.frames import CTRL_OPCODES, Opcode

VERSION = f"websockets {websockets.__version__}"


def fail(message):
    """Ends the process with status 1 and one clear line on stderr."""
    sys.stderr.write(f"FAIL {message}\n")
    sys.stderr.flush()
    sys.exit(1)


def config():
    """The single argument: a JSON object (see docs/deflate-interop.md)."""
    if len(sys.argv) != 2:
        fail(f"usage: {sys.argv[0]} '<json config>'")
    try:
        return json.loads(sys.argv[1])
    except ValueError as e:
        fail(f"the argument is not JSON: {e}")


def finish(result):
    """Prints the result line the Java side reads."""
    sys.stdout.write("RESULT " + json.dumps(result) + "\n")
    sys.stdout.flush()


class Digest:
    """SHA-256 over every message as 'T'|'B', its length (4 bytes, big-endian), its bytes."""

    def __init__(self):
        self.hash = hashlib.sha256()
        self.count = 0
        self.bytes = 0

    def add(self, is_binary, data):
        self.hash.update((b"B" if is_binary else b"T") + struct.pack(">I", len(data)))
        self.hash.update(data)
        self.count += 1
        self.bytes += len(data)

    def hex(self):
        return self.hash.hexdigest()


class Direction:
    """Per data message of one direction: RSV1 on its first frame, its payload bytes on the wire."""

    def __init__(self):
        self.current = None
        self.messages = 0
        self.compressed = 0
        self.wire_bytes = 0
        self.last = None
        self.error = None

    def frame(self, frame):
        if frame.opcode in CTRL_OPCODES:
            return
        if frame.opcode is not Opcode.CONT:
            if self.current is not None and self.error is None:
                self.error = "a data frame started inside a fragmented message"
            self.current = {"compressed": bool(frame.rsv1), "wireBytes": 0}
        elif self.current is None:
            self.error = self.error or "a continuation frame outside a message"
            return
        elif frame.rsv1:
            self.error = self.error or "RSV1 on a continuation frame"
        self.current["wireBytes"] += len(frame.data)
        if frame.fin:
            self.messages += 1
            self.compressed += 1 if self.current["compressed"] else 0
            self.wire_bytes += self.current["wireBytes"]
            self.last = self.current
            self.current = None

    def stats(self, digest):
        return {
            "messages": self.messages,
            "compressed": self.compressed,
            "payloadBytes": digest.bytes,
            "wireBytes": self.wire_bytes,
            "lastCompressed": self.last["compressed"] if self.last else False,
            "lastWireBytes": self.last["wireBytes"] if self.last else 0,
            "tapError": self.error,
        }


class Tap:
    """An identity "extension", appended last to the connection's negotiated extensions once
    the handshake is done (never offered, never in a header): websockets applies extensions
    in order when writing and in reverse order when reading, so this one sees every frame
    exactly as it is on the wire, before permessage-deflate decodes it or after it encoded it."""

    name = "x-loomsocket-tap"

    def __init__(self):
        self.rx = Direction()
        self.tx = Direction()

    def decode(self, frame, *, max_size=None):
        self.rx.frame(frame)
        return frame

    def encode(self, frame):
        self.tx.frame(frame)
        return frame


def install_tap(protocol):
    """Appends a Tap to the protocol's extensions and returns it."""
    tap = Tap()
    protocol.extensions.append(tap)
    return tap


def negotiated(protocol):
    """What the library enabled: the repr of each negotiated extension but the tap."""
    return ", ".join(repr(e) for e in protocol.extensions if not isinstance(e, Tap))


# ------------------------------------------------------------------ the messages

CITIES = ["Zürich", "København", "Łódź", "São Paulo", "Αθήνα", "東京", "Reykjavík", "Montréal"]
LINE = "Loomsocket permessage-deflate interop: the same line, again and again.\n"


def exact_utf8(text, size):
    """UTF-8 of exactly `size` bytes: cut at a character boundary, padded with spaces."""
    data = text.encode("utf-8")
    end = min(size, len(data))
    while 0 < end < len(data) and (data[end] & 0xC0) == 0x80:
        end -= 1
    return data[:end] + b" " * (size - end)


def json_text(size, rng):
    records = []
    length = 1
    while length < size + 64:
        ident = rng.randrange(1_000_000)
        record = json.dumps(
            {
                "id": ident,
                "user": f"user-{ident:x}",
                "city": rng.choice(CITIES),
                "score": round(rng.random() * 100, 2),
                "active": rng.random() < 0.5,
                "tags": ["ws", "deflate", "rfc7692"][: 1 + rng.randrange(3)],
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        records.append(record)
        length += len(record.encode("utf-8")) + 1
    return exact_utf8("[" + ",".join(records) + "]", size)


def message(kind, size, rng):
    """(kind, size, is_binary, data): json (text), random (binary) or repetitive (text)."""
    if kind == "json":
        return kind, size, False, json_text(size, rng)
    if kind == "random":
        return kind, size, True, rng.randbytes(size)
    if kind == "repetitive":
        return kind, size, False, exact_utf8(LINE * (size // len(LINE) + 2), size)
    raise ValueError(f"unknown kind {kind}")


def messages(cfg):
    """(kind, size, is_binary, data, fragment): for each [size, count, fragment] of the plan,
    `count` messages of each kind, interleaved, to be sent in frames of `fragment` bytes (0: one
    frame); then the probe, a repetitive text of `probe` bytes in one frame, always last."""
    rng = random.Random(cfg["seed"])
    for step in cfg["plan"]:
        size, count = step[0], step[1]
        fragment = step[2] if len(step) > 2 else 0
        for _ in range(count):
            for kind in cfg["kinds"]:
                yield message(kind, size, rng) + (fragment,)
    yield message("repetitive", cfg["probe"], rng) + (0,)


def payload(is_binary, data, fragment):
    """What websockets' send() takes: the message, or a list of its fragments (websockets sends
    a list as one fragmented message; text fragments are cut at character boundaries, as a str
    cannot hold half a character)."""
    value = data if is_binary else data.decode("utf-8")
    if not fragment or fragment >= len(data):
        return value
    if is_binary:
        return [data[i:i + fragment] for i in range(0, len(data), fragment)]
    pieces, start, size = [], 0, 0
    for i, ch in enumerate(value):
        size += len(ch.encode("utf-8"))
        if size >= fragment:
            pieces.append(value[start:i + 1])
            start, size = i + 1, 0
    if start < len(value):
        pieces.append(value[start:])
    return pieces
