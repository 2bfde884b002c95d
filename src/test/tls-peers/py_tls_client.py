"""python-websockets as a wss:// CLIENT against a Loomsocket echo server (TlsInteropIT).

    /usr/bin/python3 py_tls_client.py '{"url":"wss://127.0.0.1:PORT/","ca":"cert.pem",
        "sizes":[0,1,125,126,65535,65536,1048576],"timeoutMs":30000}'

Verifies the server's certificate against `ca` and its host name (ssl.create_default_context),
sends a binary and a text message of every size and compares each echo; then sends "close 4002"
(the server closes with 4002) and prints `RESULT {json}`: the close code and reason it got, the
TLS version; exit status 0. Any mismatch: `FAIL ...` on stderr, exit status 1.
"""

import asyncio
import ssl

from websockets.exceptions import ConnectionClosed
from websockets.legacy.client import connect

from tls_common import VERSION, config, fail, finish, messages


async def run(cfg):
    context = ssl.create_default_context(cafile=cfg["ca"])  # CERT_REQUIRED and check_hostname
    async with connect(cfg["url"], ssl=context, max_size=4 * 1024 * 1024, ping_interval=None,
                       close_timeout=10, compression=None) as ws:
        tls = ws.transport.get_extra_info("ssl_object").version()
        count = 0
        for is_binary, data in messages(cfg["sizes"]):
            await ws.send(data)
            echo = await ws.recv()
            if echo != data:
                fail(f"message #{count} ({'binary' if is_binary else 'text'}, {len(data)}) came back different")
            count += 1
        await ws.send("close 4002")
        try:
            await ws.recv()
            fail("the server did not close after 'close 4002'")
        except ConnectionClosed:
            pass
        await ws.wait_closed()
    return {"peer": VERSION, "role": "client", "sent": count, "closeCode": ws.close_code,
            "closeReason": ws.close_reason, "tls": tls}


def main():
    cfg = config()
    try:
        result = asyncio.run(asyncio.wait_for(run(cfg), cfg["timeoutMs"] / 1000))
    except asyncio.TimeoutError:
        fail(f"websockets wss client: no result within {cfg['timeoutMs']} ms")
    except Exception as e:  # noqa: BLE001 -- any failure is reported, with its type
        fail(f"websockets wss client: {type(e).__name__}: {e}")
    finish(result)


if __name__ == "__main__":
    main()
