"""python-websockets as a CLIENT against a Loomsocket echo server (DeflateInteropIT).

    /usr/bin/python3 py_client.py '{"url":"ws://127.0.0.1:PORT/","deflate":true,"libraryDefaults":false,
        "offers":[{"serverNoContextTakeover":true,"serverMaxWindowBits":9}, ...],
        "plan":[[16,40],...,[8192,4,256]],"kinds":["json","random","repetitive"],"probe":65536,"seed":1,"timeoutMs":60000}'

Sends every message, waits for its echo and compares type and bytes; then closes with 1000 and
prints `RESULT {json}`: the Sec-WebSocket-Extensions of the 101, what websockets enabled, the
digests of what it sent and received, and the wire statistics of both directions (tx:
websockets compressing, rx: Loomsocket compressing). Any mismatch: `FAIL ...` on stderr, exit
status 1. Each offer becomes one ClientPerMessageDeflateFactory, in order: websockets sends
them all in one header and takes the first one the response matches.
"""

import asyncio

from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory
from websockets.legacy.client import WebSocketClientProtocol, connect

from peer_common import VERSION, Digest, config, fail, finish, install_tap, messages, negotiated, payload


class TapClientProtocol(WebSocketClientProtocol):
    """Installs the wire tap as soon as the handshake is done, before any frame is read."""

    def connection_open(self):
        super().connection_open()
        self.tap = install_tap(self)


def options(cfg):
    kwargs = {"compression": None}
    if cfg["deflate"] and cfg.get("libraryDefaults"):
        kwargs["compression"] = "deflate"
    elif cfg["deflate"]:
        kwargs["extensions"] = [
            ClientPerMessageDeflateFactory(
                server_no_context_takeover=bool(o.get("serverNoContextTakeover")),
                server_max_window_bits=o.get("serverMaxWindowBits") or None,
                client_max_window_bits=True,
            )
            for o in cfg["offers"]
        ]
    return kwargs


async def run(cfg):
    sent, received = Digest(), Digest()
    async with connect(
        cfg["url"],
        create_protocol=TapClientProtocol,
        max_size=64 * 1024 * 1024,
        ping_interval=None,
        close_timeout=10,
        **options(cfg),
    ) as ws:
        header = ws.response_headers.get("Sec-WebSocket-Extensions", "")
        library = negotiated(ws)
        for index, (kind, size, is_binary, data, fragment) in enumerate(messages(cfg)):
            await ws.send(payload(is_binary, data, fragment))
            sent.add(is_binary, data)
            echo = await ws.recv()
            echo_binary = isinstance(echo, bytes)
            echo_bytes = echo if echo_binary else echo.encode("utf-8")
            received.add(echo_binary, echo_bytes)
            if echo_binary != is_binary or echo_bytes != data:
                first = next((i for i, (a, b) in enumerate(zip(echo_bytes, data)) if a != b), min(len(data), len(echo_bytes)))
                fail(
                    f"message #{index} ({kind}, {size} bytes, {'binary' if is_binary else 'text'}, frames of {fragment or 'all'}) came back "
                    f"{'binary' if echo_binary else 'text'} with {len(echo_bytes)} bytes, first difference at byte {first}"
                )
        tap = ws.tap
        if tap.tx.messages != sent.count or tap.rx.messages != received.count:
            fail(f"the wire tap counted {tap.tx.messages} sent and {tap.rx.messages} received messages, "
                 f"websockets {sent.count} and {received.count}")
        await ws.close(1000, "done")
    return {
        "peer": VERSION,
        "role": "client",
        "extensions": header,
        "library": library,
        "closeCode": ws.close_code,
        "sent": {"count": sent.count, "sha256": sent.hex()},
        "received": {"count": received.count, "sha256": received.hex()},
        "tx": tap.tx.stats(sent),
        "rx": tap.rx.stats(received),
    }


def main():
    cfg = config()
    try:
        result = asyncio.run(asyncio.wait_for(run(cfg), cfg["timeoutMs"] / 1000))
    except asyncio.TimeoutError:
        fail(f"websockets client: no result within {cfg['timeoutMs']} ms")
    except Exception as e:  # noqa: BLE001 -- any failure is reported, with its type
        fail(f"websockets client: {type(e).__name__}: {e}")
    finish(result)


if __name__ == "__main__":
    main()
