"""A client of the channels server (the data-push tutorial's ticker service), in the tutorial's
protocol: seed_channels.py URL TOKEN TICKS. It authenticates with {"type": "auth", "data":
{"token": TOKEN}}, subscribes to ticker_btc, prints TICKS ticks, then sends {"type": "ping",
"seq": 123} and prints the pong (ticks that come meanwhile are skipped). Each request is sent as
Python's json.dumps writes it; answers are printed as received (the subscribed answer and the
ticks as a summary: their prices and times vary).
"""

import asyncio
import json
import sys

import websockets

from seed_common import fail, recv, say, show


async def request(ws, message):
    text = json.dumps(message)
    await ws.send(text)
    say(f"c > {show(text)}")


async def next_of_type(ws, wanted):
    """The next message of type `wanted`, skipping ticks; anything else fails."""
    while True:
        text = await recv("c", ws)
        message = json.loads(text)
        if message.get("type") == wanted:
            return text, message
        if message.get("type") != "ticker":
            fail(f"expected {wanted}, got {text}")


async def main(url, token, ticks):
    async with websockets.connect(url, ping_interval=None) as ws:
        await request(ws, {"type": "auth", "data": {"token": token}})
        say(f"c < {show(await recv('c', ws))}")
        await request(ws, {"type": "subscribe", "data": {"channel": "ticker_btc"}})
        _, subscribed = await next_of_type(ws, "subscribed")
        say(f"c < subscribed channel={subscribed['channel']} history={len(subscribed['history'])} points")
        for _ in range(ticks):
            _, tick = await next_of_type(ws, "ticker")
            book = tick["book"]
            say(f"c < ticker channel={tick['channel']} price={tick['price']}"
                f" book={len(book['bids'])} bids/{len(book['asks'])} asks")
        await request(ws, {"type": "ping", "seq": 123})
        text, _ = await next_of_type(ws, "pong")
        say(f"c < {show(text)}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        fail(f"usage: {sys.argv[0]} URL TOKEN TICKS")
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
