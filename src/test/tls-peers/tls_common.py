"""What py_tls_client.py and py_tls_server.py share (TlsInteropIT): the configuration argument,
the messages, and how a script ends. Debian's python3-websockets 10.x on /usr/bin/python3."""

import json
import sys

import websockets

VERSION = f"websockets {websockets.__version__}"


def fail(message):
    """Ends the process with status 1 and one clear line on stderr."""
    sys.stderr.write(f"FAIL {message}\n")
    sys.stderr.flush()
    sys.exit(1)


def config():
    if len(sys.argv) != 2:
        fail(f"usage: {sys.argv[0]} '<json config>'")
    return json.loads(sys.argv[1])


def messages(sizes):
    """(is_binary, payload) for each size: binary bytes, then text of that many UTF-8 bytes."""
    for size in sizes:
        yield True, bytes((i * 31 + size) % 251 for i in range(size))
        yield False, "".join(chr(0x61 + (i + size) % 26) for i in range(size))


def finish(result):
    sys.stdout.write("RESULT " + json.dumps(result) + "\n")
    sys.stdout.flush()
    sys.exit(0)
