"""Three clients of the heartbeat server (the asyncio tutorial's echo_with_heartbeat), with their
own keepalive pings off so that only the server pings: seed_heartbeat.py URL PINGS

  live      answers every ping with a pong (what python-websockets does by itself)
  textpong  never sends a pong: answers every ping with the text message "pong" instead
  dead      answers nothing

live and textpong each send "hello" (the server answers nothing). The script waits until live
and textpong have each answered PINGS pings and dead has been closed by the server, printing one
line for each of these (always in this order), then "DRAIN", and then what live and textpong
receive until the server closes them (the Java side stops the server once it sees "DRAIN").
"""

import asyncio
import sys

import websockets
from websockets.legacy.client import WebSocketClientProtocol

from seed_common import closed_line, drain, fail, say, show

TIMEOUT = 30.0


class Counting(WebSocketClientProtocol):
    """Counts the pings received; how it answers them is the subclass's business."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pings_received = 0
        self.ping_seen = asyncio.Event()

    async def pong(self, data=b""):
        self.pings_received += 1
        self.ping_seen.set()
        await self.answer(data)

    async def answer(self, data):
        await super().pong(data)


class TextPong(Counting):
    async def answer(self, data):
        await self.send("pong")


class Dead(Counting):
    async def answer(self, data):
        pass


async def pings(ws, count):
    while ws.pings_received < count:
        ws.ping_seen.clear()
        await ws.ping_seen.wait()


async def connect(url, protocol):
    return await websockets.connect(url, ping_interval=None, create_protocol=protocol)


async def main(url, count):
    live = await connect(url, Counting)
    textpong = await connect(url, TextPong)
    dead = await connect(url, Dead)
    say("live, textpong, dead open")
    for name, ws in (("live", live), ("textpong", textpong)):
        await ws.send("hello")
        say(f"{name} > {show('hello')}")
    try:
        await asyncio.wait_for(pings(live, count), TIMEOUT)
        say(f"live < {count} pings, answered with pongs")
        await asyncio.wait_for(pings(textpong, count), TIMEOUT)
        say(f"textpong < {count} pings, answered with the text \"pong\" each")
        await asyncio.wait_for(dead.wait_closed(), TIMEOUT)
    except asyncio.TimeoutError:
        fail(f"not within {TIMEOUT} s: live {live.pings_received} pings, textpong {textpong.pings_received}, dead closed: {dead.closed}")
    say(f"dead < {dead.pings_received} ping(s), answered nothing; " + closed_line("dead", dead))
    if not live.open or not textpong.open:
        fail(f"live open: {live.open}, textpong open: {textpong.open}; both must still be open")
    say("DRAIN")
    await drain("live", live)
    await drain("textpong", textpong)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        fail(f"usage: {sys.argv[0]} URL PINGS")
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
