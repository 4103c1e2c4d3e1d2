"""Real-time on the local stack with a real WebSocket client: tickets at the handshake, frames,
events from REST writes, typing, presence, a removed participant.

Skipped when the stack serves no WebSocket API (``/_local/info`` without ``websocketUrl``).
Waiting is on frames with a deadline, never a sleep; "nothing arrived" is checked with a
``ping`` barrier after the same change reached someone else.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests

from devstack.httpclient import Client
from tests.e2e.conftest import LocalStack
from tests.e2e.test_local_stack import register, unique_email
from tests.support.files import png_bytes

pytestmark = pytest.mark.e2e

DEADLINE = 10.0
Frame = dict[str, Any]


@pytest.fixture(autouse=True)
def _websocket_api(stack: LocalStack) -> None:
    if not stack.info.get("websocketUrl"):
        pytest.skip("the local stack serves no WebSocket API (/_local/info has no websocketUrl)")


def ticket(api: Client, token: str) -> tuple[str, str]:
    res = api("POST", "/api/v1/realtime/ticket", token=token)
    assert res.status == 201, res.body
    return str(res.data["url"]), str(res.data["ticket"])


class Socket:
    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.seen: list[Frame] = []

    def send(self, frame: Frame | str) -> None:
        self.connection.send(frame if isinstance(frame, str) else json.dumps(frame))

    def until(self, wanted: Callable[[Frame], bool], timeout: float = DEADLINE) -> Frame:
        """The first frame (from now) that ``wanted`` accepts; the others are kept in ``seen``."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                pytest.fail(f"no wanted frame within {timeout}s; got {self.seen[-5:]}")
            try:
                frame = json.loads(self.connection.recv(timeout=left))
            except TimeoutError:
                continue
            if wanted(frame):
                return dict(frame)
            self.seen.append(frame)

    def event(self, kind: str, **data: Any) -> Frame:
        return self.until(lambda f: f.get("type") == kind and all(f["data"].get(k) == v for k, v in data.items()))

    def drain(self) -> list[Frame]:
        """Everything that arrived before a ping's pong."""
        self.seen = []
        self.send({"action": "ping"})
        self.until(lambda f: f.get("type") == "pong")
        return self.seen


@contextmanager
def connected(api: Client, token: str) -> Iterator[Socket]:
    from websockets.sync.client import connect

    url, secret = ticket(api, token)
    with connect(f"{url}?ticket={secret}", open_timeout=DEADLINE) as connection:
        yield Socket(connection)


def handshake_status(url: str) -> int:
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    try:
        with connect(url, open_timeout=DEADLINE):
            return 101
    except InvalidStatus as exc:
        return int(exc.response.status_code)


def test_tickets_are_single_use_and_bound_to_the_session(api: Client) -> None:
    user = register(api, unique_email("ws-ticket"))
    url, secret = ticket(api, user["accessToken"])
    with connected(api, user["accessToken"]) as socket:
        socket.send({"action": "ping"})
        assert socket.until(lambda f: True) == {"type": "pong"}

    assert handshake_status(url) == 401  # no ticket
    assert handshake_status(f"{url}?ticket=forged") == 401
    assert handshake_status(f"{url}?ticket={secret}") == 101
    assert handshake_status(f"{url}?ticket={secret}") == 401  # reused
    _, revoked = ticket(api, user["accessToken"])
    assert api("POST", "/api/v1/auth/logout", token=user["accessToken"]).status == 200
    assert handshake_status(f"{url}?ticket={revoked}") == 401


def test_a_live_thread_two_participants_and_an_outsider(api: Client) -> None:
    alice, bob, eve, carol = (register(api, unique_email(n)) for n in ("ws-alice", "ws-bob", "ws-eve", "ws-carol"))
    a, b = alice["accessToken"], bob["accessToken"]
    created = api("POST", "/api/v1/threads", {"title": "Live", "participantIds": [bob["user"]["id"]]}, token=a)
    assert created.status == 201, created.body
    tid = created.data["id"]
    messages = f"/api/v1/threads/{tid}/messages"

    with connected(api, a) as alice_ws, connected(api, b) as bob_ws, connected(api, eve["accessToken"]) as eve_ws:
        for socket in (alice_ws, bob_ws):
            socket.send({"action": "subscribe", "threadId": tid})
            assert socket.until(lambda f: f.get("type") in ("subscribed", "error")) == {
                "type": "subscribed",
                "threadId": tid,
            }
        eve_ws.send({"action": "subscribe", "threadId": tid})
        assert eve_ws.until(lambda f: True)["code"] == "THREAD_NOT_FOUND"
        eve_ws.send("{not json")
        assert eve_ws.until(lambda f: True)["type"] == "error"
        assert eve_ws.drain() == []  # still open

        # a message, an edit, a reaction, an action, a delete: each reaches both participants
        posted = api("POST", messages, {"content": "hello live"}, token=a)
        mid = posted.data["id"]
        for socket in (alice_ws, bob_ws):
            event = socket.event("message.created", id=mid)
            assert set(event) == {"type", "id", "threadId", "at", "data"}
            assert event["threadId"] == tid
        api("PATCH", f"/api/v1/messages/{mid}", {"content": "hello again"}, token=a)
        bob_ws.event("message.updated", content="hello again")
        api("POST", f"/api/v1/messages/{mid}/reactions", {"emoji": "🎉"}, token=b)
        assert alice_ws.event("reaction.updated", messageId=mid)["data"]["reactions"] == [{"emoji": "🎉", "count": 1}]
        api("DELETE", f"/api/v1/messages/{mid}", token=a)
        bob_ws.event("message.deleted", messageId=mid)
        assert not [f for f in eve_ws.drain() if f.get("type", "").startswith("message")]

        # an artifact and its new version, and an uploaded file once checked
        art = api(
            "POST", f"/api/v1/threads/{tid}/artifacts", {"type": "insight", "title": "Live", "content": {}}, token=a
        )
        assert art.status == 201, art.body
        bob_ws.event("artifact.created", id=art.data["id"])
        api("PATCH", f"/api/v1/artifacts/{art.data['id']}", {"title": "Live 2"}, token=b)
        assert alice_ws.event("artifact.updated", id=art.data["id"])["data"]["version"] == 2
        image = png_bytes(64, 64)
        body = {"filename": "live.png", "contentType": "image/png", "size": len(image), "threadId": tid}
        form = api("POST", "/api/v1/files", body, token=a).data
        sent = requests.post(form["upload"]["url"], data=form["upload"]["fields"], files={"file": image}, timeout=30)
        assert sent.status_code == 204, sent.text
        bob_ws.event("file.ready", id=form["file"]["id"])
        assert not [f for f in eve_ws.drain() if f.get("threadId") == tid]

        # typing: to the others only
        alice_ws.send({"action": "typing", "threadId": tid})
        typing = bob_ws.until(lambda f: f.get("type") == "typing")
        assert typing == {"type": "typing", "threadId": tid, "user": {"id": alice["user"]["id"], "name": "E2E User"}}
        assert not [f for f in alice_ws.drain() if f.get("type") == "typing"]

        # presence: Carol joins, connects (online), leaves the socket (offline)
        added = api("POST", f"/api/v1/threads/{tid}/participants", {"userId": carol["user"]["id"]}, token=a)
        assert added.status == 200, added.body
        alice_ws.event("participant.added")
        with connected(api, carol["accessToken"]):
            assert alice_ws.event("presence", status="online")["data"]["user"]["id"] == carol["user"]["id"]
            online = api("GET", f"/api/v1/threads/{tid}/presence", token=b).data["online"]
            assert carol["user"]["id"] in {user["id"] for user in online}
        assert alice_ws.event("presence", status="offline")["data"]["user"]["id"] == carol["user"]["id"]

        # Bob is removed: he is told, then gets nothing more of the thread
        api("DELETE", f"/api/v1/threads/{tid}/participants/{bob['user']['id']}", token=a)
        bob_ws.event("participant.removed")
        after = api("POST", messages, {"content": "after bob"}, token=a)
        alice_ws.event("message.created", id=after.data["id"])
        assert not [f for f in bob_ws.drain() if f.get("threadId") == tid]
