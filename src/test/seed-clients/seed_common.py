"""What the seed clients share (SeedAppsIT runs them): one transcript line per event on stdout,
in UTF-8, and the way messages are shown in it. For python-websockets 10.x (Debian's
python3-websockets) on Debian's /usr/bin/python3. These clients are written for the test; they
speak the tutorials' protocols but are not the tutorials' code.

A transcript line is "<connection> <arrow> <message>": ">" sent, "<" received; a text message
as a JSON string literal (so that spaces and non-ASCII are exact), a binary one as bytes:<hex>.
"""

import asyncio
import json
import sys

import websockets

RECV_TIMEOUT = 10.0  # seconds: a message that does not come fails the step, never hangs it

sys.stdout.reconfigure(encoding="utf-8")
sys.stderr.reconfigure(encoding="utf-8")


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def fail(message):
    """Ends the process with status 1 and one clear line on stderr."""
    sys.stderr.write(f"FAIL {message}\n")
    sys.stderr.flush()
    sys.exit(1)


def show(message):
    if isinstance(message, bytes):
        return "bytes:" + message.hex()
    return json.dumps(message, ensure_ascii=False)


def closed_line(name, ws):
    return f"{name} closed {ws.close_code} {json.dumps(ws.close_reason, ensure_ascii=False)}"


async def recv(name, ws):
    """The next message, or a failure naming the connection if none comes in time."""
    try:
        return await asyncio.wait_for(ws.recv(), RECV_TIMEOUT)
    except asyncio.TimeoutError:
        fail(f"{name}: no message within {RECV_TIMEOUT} s")
    except websockets.ConnectionClosed:
        fail(f"{name}: closed ({ws.close_code} {ws.close_reason!r}) while a message was expected")


async def drain(name, ws):
    """Every message until the connection closes (each printed), then the close."""
    while True:
        try:
            message = await asyncio.wait_for(ws.recv(), RECV_TIMEOUT)
        except websockets.ConnectionClosed:
            say(closed_line(name, ws))
            return
        except asyncio.TimeoutError:
            fail(f"{name}: neither a message nor the close within {RECV_TIMEOUT} s")
        say(f"{name} < {show(message)}")
