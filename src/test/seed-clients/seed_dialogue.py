"""A scripted client for the tutorials' text protocols (echo styles, two-step chat, broadcast,
auth echo): seed_dialogue.py BASE_URL STEPS, where STEPS is a JSON list of steps, each a list:

  ["open", name, path]                  connect to BASE_URL + path (own pings off); "name open"
  ["open", name, path, {header: value}] the same with extra request headers
  ["refused", name, path]               the connection must be refused: "name refused <status>"
  ["send", name, text]                  "name > <text>"
  ["send_bytes", name, hex]             "name > bytes:<hex>"
  ["recv", name]                        "name < <message>" (fails if none comes in time)
  ["closed", name]                      the server closes: "name closed <code> <reason>", and no
                                        message may come before the close
  ["drain", name]                       every message until the close, then the close
  ["say", text]                         prints text (a marker the Java side waits for)

Ends with status 0 after the last step; 1, with one line on stderr, when a step fails.
"""

import asyncio
import json
import sys

import websockets

from seed_common import closed_line, drain, fail, recv, say, show


async def main(base, steps):
    connections = {}
    for step in steps:
        kind, args = step[0], step[1:]
        if kind == "open":
            name, path = args[0], args[1]
            headers = args[2] if len(args) > 2 else None
            connections[name] = await websockets.connect(base + path, ping_interval=None, extra_headers=headers)
            say(f"{name} open {path}")
        elif kind == "refused":
            name, path = args
            try:
                ws = await websockets.connect(base + path, ping_interval=None)
            except websockets.InvalidStatusCode as e:
                say(f"{name} refused {e.status_code} {path}")
            else:
                await ws.close()
                fail(f"{name}: {path} was accepted, but must be refused")
        elif kind == "send":
            name, text = args
            await connections[name].send(text)
            say(f"{name} > {show(text)}")
        elif kind == "send_bytes":
            name, hexdata = args
            data = bytes.fromhex(hexdata)
            await connections[name].send(data)
            say(f"{name} > {show(data)}")
        elif kind == "recv":
            name = args[0]
            say(f"{name} < {show(await recv(name, connections[name]))}")
        elif kind == "closed":
            name = args[0]
            ws = connections[name]
            try:
                message = await asyncio.wait_for(ws.recv(), 10)
            except websockets.ConnectionClosed:
                say(closed_line(name, ws))
            except asyncio.TimeoutError:
                fail(f"{name}: still open after 10 s; the server must close it")
            else:
                fail(f"{name}: got {show(message)}, but the server must close the connection")
        elif kind == "drain":
            await drain(args[0], connections[args[0]])
        elif kind == "say":
            say(args[0])
        else:
            fail(f"unknown step {step!r}")
    for ws in connections.values():
        await ws.close()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        fail(f"usage: {sys.argv[0]} BASE_URL STEPS_JSON")
    asyncio.run(main(sys.argv[1], json.loads(sys.argv[2])))
