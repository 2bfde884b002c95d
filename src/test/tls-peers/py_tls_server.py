"""python-websockets as a wss:// SERVER for a Loomsocket client (TlsInteropIT).

    /usr/bin/python3 py_tls_server.py '{"cert":"cert.pem","key":"key.pem","timeoutMs":30000}'

Listens with TLS (Python's ssl, OpenSSL) on 127.0.0.1, an ephemeral port, and prints `PORT n`.
Serves one connection: echoes every message as received. When the client has closed, prints
`RESULT {json}`: the close code and reason it received, how many messages it echoed, the SNI
server name the client sent, and the TLS version; exits with status 0.
"""

import asyncio
import ssl
import sys

from websockets.exceptions import ConnectionClosed
from websockets.legacy.server import serve

from tls_common import VERSION, config, fail, finish


async def run(cfg):
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    sni = []

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cfg["cert"], cfg["key"])
    context.sni_callback = lambda sslobj, name, ctx: sni.append(name)

    async def echo(ws):
        echoed = 0
        try:
            async for message in ws:
                await ws.send(message)
                echoed += 1
        except ConnectionClosed:
            pass  # a close code other than 1000 or 1001 ends the iteration this way
        await ws.wait_closed()
        done.set_result({
            "peer": VERSION,
            "role": "server",
            "closeCode": ws.close_code,
            "closeReason": ws.close_reason,
            "echoed": echoed,
            "sni": sni[0] if sni else None,
            "tls": ws.transport.get_extra_info("ssl_object").version(),
        })

    async with serve(echo, "127.0.0.1", 0, ssl=context, max_size=4 * 1024 * 1024,
                     ping_interval=None, close_timeout=10, compression=None) as server:
        port = server.sockets[0].getsockname()[1]
        sys.stdout.write(f"PORT {port}\n")
        sys.stdout.flush()
        return await done


def main():
    cfg = config()
    try:
        result = asyncio.run(asyncio.wait_for(run(cfg), cfg["timeoutMs"] / 1000))
    except asyncio.TimeoutError:
        fail(f"websockets wss server: no result within {cfg['timeoutMs']} ms")
    except Exception as e:  # noqa: BLE001 -- any failure is reported, with its type
        fail(f"websockets wss server: {type(e).__name__}: {e}")
    finish(result)


if __name__ == "__main__":
    main()
