"""python-websockets as a SERVER for a Loomsocket client (DeflateInteropIT).

    /usr/bin/python3 py_server.py '{"deflate":true,"libraryDefaults":false,
        "accept":{"clientNoContextTakeover":true,"clientMaxWindowBits":9},"timeoutMs":60000}'

Listens on 127.0.0.1, an ephemeral port, and prints `PORT n`. Serves one connection: echoes
every message as received. When the client has closed, prints `RESULT {json}`: the
Sec-WebSocket-Extensions it answered, what websockets enabled, the digest of what it received,
and the wire statistics (rx: Loomsocket compressing, tx: websockets compressing); exits with
status 0. As Autobahn's fuzzing server accepts: the offer as made (server_no_context_takeover
and server_max_window_bits as the client asked), plus client_no_context_takeover and
client_max_window_bits=N when the combination asks for them.
"""

import asyncio
import sys

from websockets.exceptions import ConnectionClosed
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory
from websockets.legacy.server import WebSocketServerProtocol, serve

from peer_common import VERSION, Digest, config, fail, finish, install_tap, negotiated


class TapServerProtocol(WebSocketServerProtocol):
    """Installs the wire tap as soon as the handshake is done, before any frame is read."""

    def connection_open(self):
        super().connection_open()
        self.tap = install_tap(self)


def options(cfg):
    kwargs = {"compression": None}
    if cfg["deflate"] and cfg.get("libraryDefaults"):
        kwargs["compression"] = "deflate"
    elif cfg["deflate"]:
        accept = cfg["accept"]
        kwargs["extensions"] = [
            ServerPerMessageDeflateFactory(
                client_no_context_takeover=bool(accept.get("clientNoContextTakeover")),
                client_max_window_bits=accept.get("clientMaxWindowBits") or None,
            )
        ]
    return kwargs


async def run(cfg):
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    connections = 0

    async def echo(ws):
        nonlocal connections
        connections += 1
        if connections > 1:
            await ws.close(1008, "one connection only")
            return
        received, echoed = Digest(), Digest()
        try:
            async for message in ws:
                is_binary = isinstance(message, bytes)
                data = message if is_binary else message.encode("utf-8")
                received.add(is_binary, data)
                await ws.send(message)
                echoed.add(is_binary, data)
        except ConnectionClosed as e:
            done.set_exception(RuntimeError(f"the connection ended with {e}"))
            return
        except Exception as e:  # noqa: BLE001 -- e.g. zlib refusing a window size
            done.set_exception(RuntimeError(f"echoing failed: {type(e).__name__}: {e}"))
            raise
        tap = ws.tap
        if tap.rx.messages != received.count or tap.tx.messages != echoed.count:
            done.set_exception(RuntimeError(
                f"the wire tap counted {tap.rx.messages} received and {tap.tx.messages} sent messages, "
                f"websockets {received.count} and {echoed.count}"))
            return
        if ws.close_code != 1000:
            done.set_exception(RuntimeError(f"the client closed with {ws.close_code} {ws.close_reason}, not 1000"))
            return
        done.set_result({
            "peer": VERSION,
            "role": "server",
            "offered": ", ".join(ws.request_headers.get_all("Sec-WebSocket-Extensions")),
            "extensions": ws.response_headers.get("Sec-WebSocket-Extensions", ""),
            "library": negotiated(ws),
            "closeCode": ws.close_code,
            "received": {"count": received.count, "sha256": received.hex()},
            "sent": {"count": echoed.count, "sha256": echoed.hex()},
            "rx": tap.rx.stats(received),
            "tx": tap.tx.stats(echoed),
        })

    async with serve(
        echo,
        "127.0.0.1",
        0,
        create_protocol=TapServerProtocol,
        max_size=64 * 1024 * 1024,
        ping_interval=None,
        close_timeout=10,
        **options(cfg),
    ) as server:
        port = server.sockets[0].getsockname()[1]
        sys.stdout.write(f"PORT {port}\n")
        sys.stdout.flush()
        return await done


def main():
    cfg = config()
    try:
        result = asyncio.run(asyncio.wait_for(run(cfg), cfg["timeoutMs"] / 1000))
    except asyncio.TimeoutError:
        fail(f"websockets server: no result within {cfg['timeoutMs']} ms")
    except Exception as e:  # noqa: BLE001 -- any failure is reported, with its type
        fail(f"websockets server: {type(e).__name__}: {e}")
    finish(result)


if __name__ == "__main__":
    main()
