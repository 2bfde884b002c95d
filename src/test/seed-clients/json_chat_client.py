"""Seed 001's JSON chat (its ServerWs) as seen by python-websockets clients (SeedJsonChatIT).

Four clients on one room: A, B and C register, send, unregister, disconnect; D registers and
drops its TCP connection. Every message each must receive is checked against json.dumps of the
dict the seed's server builds; the messages of the safe differences (errors) only by type.
See seed_json_chat_common.py for the output.
"""

from seed_json_chat_common import Client, run

HANDSHAKE = {"type": "handshake"}
UA = "3f2a9c1e-77aa-4e1b-9d0c-0123456789ab"
UB = "8d1b5e20-1c4f-4a0e-b7a1-fedcba987654"
UC = "c0ffee00-0000-4000-8000-000000000003"
UD = "d00d0000-0000-4000-8000-000000000004"


def login(content, users):
    return {"type": "login", "content": content, "user_list": users}


def logout(content, users):
    return {"type": "logout", "content": content, "user_list": users}


def user(content, sender):
    return {"type": "user", "content": content, "from": sender}


async def scenario(cfg):
    url = cfg["url"]
    a = await Client.connect("A", url)
    await a.expect(HANDSHAKE)
    b = await Client.connect("B", url)
    await b.expect(HANDSHAKE)
    c = await Client.connect("C", url)
    await c.expect(HANDSHAKE)

    await a.send({"type": "register", "uuid": UA, "content": "A 上线了"})
    await a.expect(login("A 上线了", [UA]))

    await b.send({"type": "register", "uuid": UB, "content": "B joined"})
    for x in (a, b):
        await x.expect(login("B joined", [UA, UB]))

    # Not registered: C may still send; its messages are from "404", and it does not get them.
    await c.send({"type": "send", "content": "hello from nobody"})
    for x in (a, b):
        await x.expect(user("hello from nobody", "404"))

    await b.send({"type": "send", "content": "hi \"all\" \\ 😀 é\nsecond line"})
    for x in (a, b):
        await x.expect(user("hi \"all\" \\ 😀 é\nsecond line", UB))

    await c.send({"type": "register", "uuid": UC, "content": "C joined"})
    for x in (a, b, c):
        await x.expect(login("C joined", [UA, UB, UC]))

    await a.send({"type": "unregister", "uuid": UA, "content": "A 下线了"})
    for x in (b, c):
        await x.expect(logout("A 下线了", [UB, UC]))

    # A closing handshake without unregistering: a logout "<uuid> left" for those remaining.
    await c.close()
    await b.expect(logout(UC + " left", [UB]))

    d = await Client.connect("D", url)
    await d.expect(HANDSHAKE)
    await d.send({"type": "register", "uuid": UD, "content": "D joined"})
    for x in (b, d):
        await x.expect(login("D joined", [UB, UD]))
    await d.abort()  # no close frame at all
    await b.expect(logout(UD + " left", [UB]))

    # The seed crashes on these; here the sender gets an error and stays connected.
    await b.send("{not json")
    await b.expect_error("invalid JSON")
    await b.send({"type": "register", "content": "no uuid"})
    await b.expect_error("uuid")
    await b.send({"type": "unregister", "uuid": UA, "content": "again"})
    await b.expect_error("not registered")

    # A was left out of everything since it unregistered: its next message is the answer to this.
    await a.send({"type": "send", "content": "anyone?"})
    await b.expect(user("anyone?", "404"))
    await b.send({"type": "unregister", "uuid": UB, "content": "B leaves"})  # nobody remains: nothing sent
    await a.send({"type": "whatever"})
    await a.expect_error("unknown type")
    await b.send({"type": "send", "content": "into the void"})  # nobody registered: nothing sent
    await b.send({"type": "dance"})
    await b.expect_error("unknown type")
    await a.close()
    await b.close()


run(scenario)
