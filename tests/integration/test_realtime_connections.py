"""Tickets, handshakes and client frames through WebSocketFunction, with API Gateway WebSocket
events and moto's management API (what each connection was sent)."""

from __future__ import annotations

import os

import pytest

from tests.support.api import Account, Api, assert_problem
from tests.support.experience import THREADS, new_thread
from tests.support.realtime import TICKET, WEBSOCKET_URL, Realtime


@pytest.fixture
def rt(api: Api, monkeypatch: pytest.MonkeyPatch) -> Realtime:
    return Realtime(api, monkeypatch)


# ------------------------------------------------------------------------------------ tickets


def test_a_signed_in_user_gets_a_ticket_for_the_websocket_url(rt: Realtime, customer: Account) -> None:
    res = rt.api.call("POST", TICKET, token=customer.access_token)

    assert res.status == 201, res.body
    assert set(res.data) == {"ticket", "url", "expiresAt"}
    assert res.data["url"] == WEBSOCKET_URL
    assert len(res.data["ticket"]) >= 40
    assert customer.access_token not in res.data["url"]


def test_a_ticket_needs_a_signed_in_caller(rt: Realtime) -> None:
    assert_problem(rt.api.call("POST", TICKET), 401, "NO_TOKEN")


def test_the_handshake_admits_a_ticket_once(rt: Realtime, customer: Account) -> None:
    ticket = rt.ticket(customer)

    assert rt.handshake({"ticket": ticket}) == 200
    # a reused ticket
    assert rt.handshake({"ticket": ticket}) == 401


@pytest.mark.parametrize("query", [None, {"ticket": ""}, {"ticket": "forged-ticket-value"}, {"ticket": "x" * 500}])
def test_the_handshake_refuses_a_missing_or_forged_ticket(rt: Realtime, query: dict[str, str] | None) -> None:
    assert rt.handshake(query) == 401


def test_an_expired_ticket_is_refused(rt: Realtime, customer: Account, monkeypatch: pytest.MonkeyPatch) -> None:
    ticket = rt.ticket(customer)
    import shared.realtime.tickets as tickets

    later = tickets.epoch() + 61
    monkeypatch.setattr(tickets, "epoch", lambda: later)

    assert rt.handshake({"ticket": ticket}) == 401


def test_a_ticket_of_a_revoked_session_is_refused(rt: Realtime, customer: Account) -> None:
    ticket = rt.ticket(customer)
    assert rt.api.call("POST", "/api/v1/auth/logout", token=customer.access_token).status == 200

    assert rt.handshake({"ticket": ticket}) == 401


def test_a_ticket_of_a_suspended_user_is_refused(rt: Realtime, customer: Account, admin: Account) -> None:
    ticket = rt.ticket(customer)
    res = rt.api.call("PATCH", f"/api/v1/users/{customer.id}", {"status": "suspended"}, token=admin.access_token)
    assert res.status == 200, res.body

    assert rt.handshake({"ticket": ticket}) == 403


def test_only_the_tickets_hash_is_stored(rt: Realtime, customer: Account) -> None:
    ticket = rt.ticket(customer)
    items = rt.api.aws.dynamodb.scan(TableName=os.environ["TABLE_NAME"])["Items"]
    assert ticket not in str(items)
    assert any(item.get("type", {}).get("S") == "WS_TICKET" for item in items)


# ------------------------------------------------------------------------------------- frames


def test_ping_answers_pong(rt: Realtime, customer: Account) -> None:
    socket = rt.connect(customer)
    assert socket.send({"action": "ping"}) == {"statusCode": 200}
    assert socket.last() == {"type": "pong"}


def test_a_participant_subscribes_and_an_outsider_learns_nothing(rt: Realtime, api: Api) -> None:
    alice, bob, eve = api.register(name="Alice"), api.register(name="Bob"), api.register(name="Eve")
    thread = new_thread(api, alice, bob)

    assert rt.connect(bob).subscribe(thread["id"]) == {"type": "subscribed", "threadId": thread["id"]}

    outsider = rt.connect(eve)
    refused = outsider.subscribe(thread["id"])
    missing = outsider.subscribe("no-such-thread")
    assert refused["type"] == missing["type"] == "error"
    assert refused["code"] == missing["code"] == "THREAD_NOT_FOUND"
    assert refused["message"] == missing["message"]


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json", "INVALID_JSON"),
        ("[1, 2]", "INVALID_FRAME"),
        ('{"action": "dance"}', "UNKNOWN_ACTION"),
        ("{}", "UNKNOWN_ACTION"),
        ('{"action": "subscribe"}', "INVALID_FRAME"),
        ('{"action": "subscribe", "threadId": 42}', "INVALID_FRAME"),
        ('{"action": "typing", "threadId": "t", "extra": true}', "INVALID_FRAME"),
    ],
)
def test_a_malformed_frame_gets_an_error_and_the_connection_stays(
    rt: Realtime, customer: Account, frame: str, code: str
) -> None:
    socket = rt.connect(customer)

    assert socket.send(frame) == {"statusCode": 200}
    answer = socket.last()
    assert answer["type"] == "error"
    assert answer["code"] == code
    assert answer["message"]
    socket.send({"action": "ping"})
    assert socket.last() == {"type": "pong"}


def test_typing_reaches_the_other_subscribers_only_and_is_not_stored(rt: Realtime, api: Api) -> None:
    alice, bob = api.register(name="Alice"), api.register(name="Bob")
    thread = new_thread(api, alice, bob)
    alice_tab, alice_other_tab, bob_tab = rt.connect(alice), rt.connect(alice), rt.connect(bob)
    for socket in (alice_tab, alice_other_tab, bob_tab):
        socket.subscribe(thread["id"])
    rt.pending_records()  # what happened so far

    alice_tab.send({"action": "typing", "threadId": thread["id"]})

    assert bob_tab.frames() == [{"type": "typing", "threadId": thread["id"], "user": {"id": alice.id, "name": "Alice"}}]
    assert alice_tab.frames() == []
    assert alice_other_tab.frames() == []
    assert rt.pending_records() == []  # nothing written


def test_typing_in_a_thread_not_subscribed_is_an_error(rt: Realtime, api: Api) -> None:
    alice = api.register(name="Alice")
    thread = new_thread(api, alice)
    socket = rt.connect(alice)

    socket.send({"action": "typing", "threadId": thread["id"]})

    assert socket.last()["code"] == "THREAD_NOT_FOUND"


def test_unsubscribe_stops_the_threads_events(rt: Realtime, api: Api) -> None:
    alice, bob = api.register(name="Alice"), api.register(name="Bob")
    thread = new_thread(api, alice, bob)
    bob_tab = rt.connect(bob)
    bob_tab.subscribe(thread["id"])

    bob_tab.send({"action": "unsubscribe", "threadId": thread["id"]})

    assert bob_tab.last() == {"type": "unsubscribed", "threadId": thread["id"]}
    alice_tab = rt.connect(alice)
    alice_tab.subscribe(thread["id"])
    alice_tab.send({"action": "typing", "threadId": thread["id"]})
    assert bob_tab.frames() == []


def test_a_revoked_session_cannot_subscribe_and_is_closed(rt: Realtime, api: Api) -> None:
    alice = api.register(name="Alice")
    thread = new_thread(api, alice)
    socket = rt.connect(alice)
    assert api.call("POST", "/api/v1/auth/logout", token=alice.access_token).status == 200

    socket.send({"action": "subscribe", "threadId": thread["id"]})

    assert [frame["code"] for frame in socket.frames()] == ["SESSION_REVOKED"]
    assert socket.closed_by_server
    from shared.realtime import repository

    assert repository.get_connection(socket.id) is None


def test_disconnect_removes_the_connection_and_its_subscriptions(rt: Realtime, api: Api) -> None:
    from shared.realtime import repository

    alice = api.register(name="Alice")
    thread = new_thread(api, alice)
    socket = rt.connect(alice)
    socket.subscribe(thread["id"])
    assert [s.connection_id for s in repository.subscribers(thread["id"])] == [socket.id]

    assert socket.close() == {"statusCode": 200}
    assert socket.close() == {"statusCode": 200}  # again: nothing left, no error

    assert repository.get_connection(socket.id) is None
    assert repository.subscribers(thread["id"]) == []


def test_presence_lists_who_is_online(rt: Realtime, api: Api) -> None:
    alice, bob, eve = api.register(name="Alice"), api.register(name="Bob"), api.register(name="Eve")
    thread = new_thread(api, alice, bob)
    path = f"{THREADS}/{thread['id']}/presence"
    socket = rt.connect(bob)
    rt.pump()

    res = api.call("GET", path, token=alice.access_token)

    assert res.status == 200, res.body
    assert res.data["online"] == [{"id": bob.id, "name": "Bob"}]
    assert {(p["user"]["id"], p["status"]) for p in res.data["participants"]} == {
        (alice.id, "offline"),
        (bob.id, "online"),
    }
    assert_problem(api.call("GET", path, token=eve.access_token), 404, "THREAD_NOT_FOUND")
    socket.close()
    rt.pump()
    assert api.call("GET", path, token=alice.access_token).data["online"] == []


def test_an_admin_outside_the_thread_cannot_subscribe(rt: Realtime, api: Api, admin: Account) -> None:
    # events go to participants only: a subscription that would receive nothing is refused
    alice = api.register(name="Alice")
    thread = new_thread(api, alice)

    answer = rt.connect(admin).subscribe(thread["id"])

    assert (answer["type"], answer["code"]) == ("error", "THREAD_NOT_FOUND")
