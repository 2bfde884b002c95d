"""Shared by the json_chat_*.py clients of SeedJsonChatIT (the JSON chat of seed 001).

Each script is one scenario: several python-websockets (10.4) clients on one chat server, each
step an action and the messages it must cause, client by client, in order. A client's messages
are compared with what Python's own json.dumps writes for the seed's dicts (the seed's server
writes them that way), so the comparison is the seed's wire format, not ours.

Output, one line per event, in the order of the steps (the Java test compares it exactly):
    SENT <client> <text>     a text message a client sent
    RECV <client> <text>     a text message a client received (every server message is ASCII:
                             json.dumps escapes the rest)
    OPEN <client>            a client connected (the handshake succeeded)
    CLOSE <client> / ABORT <client>
    DONE                     the end of the scenario, every check passed
A mismatch or a timeout prints `FAIL ...` on stderr and exits with status 1.

    /usr/bin/python3 json_chat_client.py '{"url": "ws://127.0.0.1:PORT/chat"}'
"""

import asyncio
import json
import sys

import websockets

RECV_TIMEOUT = 10  # seconds, for each expected message
SCENARIO_TIMEOUT = 60


def config():
    if len(sys.argv) != 2:
        fail("usage: " + sys.argv[0] + " '{\"url\": \"ws://127.0.0.1:PORT/chat\"}'")
    return json.loads(sys.argv[1])


def fail(message):
    print("FAIL " + message, file=sys.stderr, flush=True)
    sys.exit(1)


class Mismatch(Exception):
    """Raised inside the scenario; run() reports it once the event loop is done."""


def emit(*parts):
    print(" ".join(parts), flush=True)


OPEN_CLIENTS = []  # aborted if the scenario fails, so that it ends quietly


class Client:
    """One connection, named in the output."""

    def __init__(self, name, ws):
        self.name = name
        self.ws = ws
        OPEN_CLIENTS.append(self)

    @classmethod
    async def connect(cls, name, url):
        ws = await websockets.connect(url, open_timeout=RECV_TIMEOUT, close_timeout=RECV_TIMEOUT)
        emit("OPEN", name)
        return cls(name, ws)

    async def send(self, message):
        """Sends a dict as json.dumps writes it (as a seed client does), or a str as it is."""
        text = message if isinstance(message, str) else json.dumps(message)
        await self.ws.send(text)
        emit("SENT", self.name, text)
        return text

    async def receive(self):
        try:
            message = await asyncio.wait_for(self.ws.recv(), RECV_TIMEOUT)
        except asyncio.TimeoutError:
            raise Mismatch(self.name + ": nothing received within " + str(RECV_TIMEOUT) + " s")
        except websockets.ConnectionClosed as e:
            raise Mismatch(self.name + ": the connection closed (" + str(e) + ") while a message was expected")
        if not isinstance(message, str):
            raise Mismatch(self.name + ": a binary message " + repr(message) + " where text was expected")
        emit("RECV", self.name, message)
        return message

    async def expect(self, expected):
        """The next message must be `expected`: a dict (compared as json.dumps writes it) or a str."""
        text = expected if isinstance(expected, str) else json.dumps(expected)
        got = await self.receive()
        if got != text:
            raise Mismatch(self.name + ": expected\n  " + text + "\nreceived\n  " + got)

    async def expect_error(self, mentioning):
        """The next message must be {"type": "error", "content": ...}, the content mentioning `mentioning`."""
        got = json.loads(await self.receive())
        if got.get("type") != "error" or mentioning not in got.get("content", ""):
            raise Mismatch(self.name + ": expected an error mentioning " + repr(mentioning) + ", received " + repr(got))

    async def close(self):
        await self.ws.close()
        emit("CLOSE", self.name)

    async def abort(self):
        """Drops the TCP connection without a closing handshake (a crashed client, a lost network)."""
        self.ws.transport.abort()
        await self.ws.wait_closed()
        emit("ABORT", self.name)


def run(scenario):
    """Runs `scenario(cfg)` with a deadline; prints DONE, or FAIL and exits 1."""
    cfg = config()

    async def bounded():
        try:
            await asyncio.wait_for(scenario(cfg), SCENARIO_TIMEOUT)
        except BaseException:
            for c in OPEN_CLIENTS:
                c.ws.transport.abort()
            await asyncio.gather(*(c.ws.wait_closed() for c in OPEN_CLIENTS), return_exceptions=True)
            raise

    try:
        asyncio.run(bounded())
    except Mismatch as e:
        fail(str(e))
    except asyncio.TimeoutError:
        fail("the scenario did not end within " + str(SCENARIO_TIMEOUT) + " s")
    except Exception as e:  # a refused connection, a protocol error: say what, and fail
        fail(type(e).__name__ + ": " + str(e))
    emit("DONE")
