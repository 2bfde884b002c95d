"""Seed 001's second chat server (its WS_Server) as seen by python-websockets clients
(SeedJsonChatIT, `json-chat --variant ws-server`).

Every text message is first answered "Get message: <text>"; then register and send are answered
to the sender alone, unregister not at all. Two clients check that neither hears of the other.
See seed_json_chat_common.py for the output.
"""

from seed_json_chat_common import Client, run

HANDSHAKE = {"type": "handshake"}
UA = "3f2a9c1e-77aa-4e1b-9d0c-0123456789ab"
UB = "8d1b5e20-1c4f-4a0e-b7a1-fedcba987654"


async def scenario(cfg):
    url = cfg["url"]
    a = await Client.connect("A", url)
    await a.expect(HANDSHAKE)
    b = await Client.connect("B", url)
    await b.expect(HANDSHAKE)

    sent = await a.send({"type": "register", "uuid": UA, "content": "A 上线了"})
    await a.expect("Get message: " + sent)
    await a.expect({"type": "register", "content": "A 上线了", "user_list": [UA]})

    sent = await b.send({"type": "send", "content": "hi"})
    await b.expect("Get message: " + sent)
    await b.expect({"type": "send", "content": "hi", "from": "404"})

    sent = await a.send({"type": "send", "content": "你好 😀"})
    await a.expect("Get message: " + sent)
    await a.expect({"type": "send", "content": "你好 😀", "from": UA})

    sent = await b.send({"type": "register", "uuid": UB, "content": "B joined"})
    await b.expect("Get message: " + sent)
    await b.expect({"type": "register", "content": "B joined", "user_list": [UA, UB]})

    sent = await a.send({"type": "unregister", "uuid": UA})  # the seed's unregister reads no content
    await a.expect("Get message: " + sent)
    # Not answered; A's next message shows it done: A is "404" again.
    sent = await a.send({"type": "send", "content": "still here"})
    await a.expect("Get message: " + sent)
    await a.expect({"type": "send", "content": "still here", "from": "404"})

    # The seed closes the connection on these; here the sender gets an error after the echo.
    sent = await b.send("not json")
    await b.expect("Get message: " + sent)
    await b.expect_error("invalid JSON")
    sent = await b.send({"type": "unregister", "uuid": UA})
    await b.expect("Get message: " + sent)
    await b.expect_error("not registered")

    # Nothing of B's reached A: its next messages answer this.
    sent = await a.send({"type": "send", "content": "last"})
    await a.expect("Get message: " + sent)
    await a.expect({"type": "send", "content": "last", "from": "404"})
    sent = await b.send({"type": "send", "content": "bye"})
    await b.expect("Get message: " + sent)
    await b.expect({"type": "send", "content": "bye", "from": UB})
    await a.close()
    await b.close()


run(scenario)
