"""The table's stream (moto's records, as Lambda delivers them after the template's
FilterCriteria) through RealtimeFanoutFunction: which connections get which events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.api import Account, Api
from tests.support.checkout import buy, open_shop
from tests.support.experience import BUTTON_BLOCKS, MESSAGES, THREADS, new_thread, post
from tests.support.realtime import FANOUT, Realtime, Socket

EVENT_KEYS = {"type", "id", "threadId", "at", "data"}


@pytest.fixture
def rt(api: Api, monkeypatch: pytest.MonkeyPatch) -> Realtime:
    return Realtime(api, monkeypatch)


@dataclass
class Room:
    alice: Account
    bob: Account
    eve: Account
    thread: dict[str, Any]
    alice_tab: Socket
    bob_tab: Socket
    eve_tab: Socket

    @property
    def id(self) -> str:
        return str(self.thread["id"])


@pytest.fixture
def room(rt: Realtime, api: Api) -> Room:
    """Alice and Bob in a thread, each with a subscribed connection; Eve, an outsider, connected."""
    alice, bob, eve = api.register(name="Alice"), api.register(name="Bob"), api.register(name="Eve")
    thread = new_thread(api, alice, bob)
    sockets = [rt.connect(account) for account in (alice, bob, eve)]
    for socket in sockets[:2]:
        socket.subscribe(thread["id"])
    eve_tab = sockets[2]
    eve_tab.subscribe(thread["id"])  # refused
    rt.pump()
    for socket in sockets:
        socket.frames()
    return Room(alice, bob, eve, thread, sockets[0], sockets[1], eve_tab)


def types(events: list[dict[str, Any]]) -> list[str]:
    return [event["type"] for event in events]


def test_a_message_reaches_every_participant_subscribed_and_no_outsider(rt: Realtime, room: Room) -> None:
    message = post(rt.api, room.alice, room.id, "hello")

    assert rt.pump() == {"batchItemFailures": []}

    for socket in (room.alice_tab, room.bob_tab):
        (event,) = socket.events()
        assert set(event) == EVENT_KEYS
        assert event["type"] == "message.created"
        assert event["threadId"] == room.id
        assert event["data"]["id"] == message["id"]
        assert event["data"]["content"] == "hello"
        assert event["data"]["author"] == {"id": room.alice.id, "name": "Alice"}
    assert room.eve_tab.frames() == []


def test_edits_reactions_actions_and_deletes_are_events(rt: Realtime, room: Room) -> None:
    api = rt.api
    message = post(api, room.alice, room.id, "hello", blocks=BUTTON_BLOCKS)
    mid = message["id"]
    rt.pump()
    room.bob_tab.frames()

    api.call("PATCH", f"{MESSAGES}/{mid}", {"content": "hello again"}, token=room.alice.access_token)
    api.call("POST", f"{MESSAGES}/{mid}/reactions", {"emoji": ":tada:"}, token=room.bob.access_token)
    api.call("POST", f"{MESSAGES}/{mid}/actions", {"actionId": "approve"}, token=room.bob.access_token)
    api.call("DELETE", f"{MESSAGES}/{mid}", token=room.alice.access_token)
    rt.pump()

    events = {event["type"]: event for event in room.bob_tab.events()}
    assert set(events) == {"message.updated", "reaction.updated", "action.created", "message.deleted"}
    assert events["message.updated"]["data"]["content"] == "hello again"
    assert events["reaction.updated"]["data"] == {"messageId": mid, "reactions": [{"emoji": ":tada:", "count": 1}]}
    assert events["action.created"]["data"]["actionId"] == "approve"
    assert events["action.created"]["data"]["user"] == {"id": room.bob.id, "name": "Bob"}
    assert events["message.deleted"]["data"]["messageId"] == mid
    assert all(event["threadId"] == room.id for event in events.values())


def test_thread_and_participant_changes(rt: Realtime, room: Room, api: Api) -> None:
    carol = api.register(name="Carol")
    api.call("PATCH", f"{THREADS}/{room.id}", {"title": "Renamed"}, token=room.alice.access_token)
    res = api.call("POST", f"{THREADS}/{room.id}/participants", {"userId": carol.id}, token=room.alice.access_token)
    assert res.status == 200, res.body
    rt.pump()

    events = room.bob_tab.events()
    assert types(events) == ["thread.updated", "participant.added"]
    assert events[0]["data"]["title"] == "Renamed"
    assert "unreadCount" not in events[0]["data"]
    assert events[1]["data"]["user"] == {"id": carol.id, "name": "Carol"}


def test_a_removed_participant_is_told_and_gets_nothing_more(rt: Realtime, room: Room, api: Api) -> None:
    res = api.call("DELETE", f"{THREADS}/{room.id}/participants/{room.bob.id}", token=room.alice.access_token)
    assert res.status == 200, res.body
    rt.pump()

    (removed,) = room.bob_tab.events()
    assert removed["type"] == "participant.removed"
    assert removed["data"]["user"]["id"] == room.bob.id
    assert types(room.alice_tab.events()) == ["participant.removed"]

    post(api, room.alice, room.id, "after Bob left")
    rt.pump()
    assert room.bob_tab.frames() == []
    assert types(room.alice_tab.events()) == ["message.created"]
    room.bob_tab.send({"action": "subscribe", "threadId": room.id})
    assert room.bob_tab.last()["code"] == "THREAD_NOT_FOUND"


def test_a_subscription_outliving_its_participant_gets_no_thread_events(rt: Realtime, room: Room, api: Api) -> None:
    # Given Bob removed, and a message whose record the fan-out sees before the removal's
    api.call("DELETE", f"{THREADS}/{room.id}/participants/{room.bob.id}", token=room.alice.access_token)
    removal = rt.pending_records()
    post(api, room.alice, room.id, "racing the removal")
    message = rt.pending_records()
    api.invoke(FANOUT, {"Records": message})
    api.invoke(FANOUT, {"Records": removal})

    # Then Bob never got the message, and his subscription is gone
    assert "message.created" not in types(room.bob_tab.events())
    from shared.realtime import repository

    assert [s.user_id for s in repository.subscribers(room.id)] == [room.alice.id]


def test_a_deleted_thread_ends_every_subscription(rt: Realtime, room: Room, api: Api) -> None:
    assert api.call("DELETE", f"{THREADS}/{room.id}", token=room.alice.access_token).status == 200
    rt.pump()

    (event,) = [e for e in room.bob_tab.events() if e["type"] == "thread.updated"]
    assert event["data"]["deleted"] is True
    from shared.realtime import repository

    assert repository.subscribers(room.id) == []


def test_presence_online_on_the_first_connection_offline_after_the_last(rt: Realtime, room: Room) -> None:
    carol = rt.api.register(name="Carol")
    rt.api.call("POST", f"{THREADS}/{room.id}/participants", {"userId": carol.id}, token=room.alice.access_token)
    rt.pump()
    room.alice_tab.frames()

    first, second = rt.connect(carol), rt.connect(carol)
    rt.pump()
    (online,) = room.alice_tab.events()
    assert online["type"] == "presence"
    assert online["threadId"] == room.id
    assert online["data"] == {"user": {"id": carol.id, "name": "Carol"}, "status": "online"}

    first.close()
    rt.pump()
    assert room.alice_tab.events() == []
    second.close()
    rt.pump()
    (offline,) = room.alice_tab.events()
    assert offline["data"]["status"] == "offline"
    assert room.eve_tab.frames() == []


def test_a_gone_connection_is_removed_and_the_others_still_get_the_event(rt: Realtime, room: Room) -> None:
    from shared.realtime import repository

    rt.gone(room.bob_tab)
    post(rt.api, room.alice, room.id, "anyone there?")

    assert rt.pump() == {"batchItemFailures": []}

    # (Bob's only connection went: he is offline)
    message, presence = room.alice_tab.events()
    assert message["type"] == "message.created"
    assert presence["data"] == {"user": {"id": room.bob.id, "name": "Bob"}, "status": "offline"}
    assert repository.get_connection(room.bob_tab.id) is None
    assert [s.user_id for s in repository.subscribers(room.id)] == [room.alice.id]


def test_one_post_per_subscribed_connection(rt: Realtime, room: Room, monkeypatch: pytest.MonkeyPatch) -> None:
    import shared.realtime.gateway as gateway

    extra = [rt.connect(room.bob) for _ in range(3)]
    for socket in extra:
        socket.subscribe(room.id)
    rt.pump()
    calls: list[str] = []
    original = gateway.post
    monkeypatch.setattr(gateway, "post", lambda cid, frame: calls.append(cid) or original(cid, frame))

    post(rt.api, room.alice, room.id, "count the posts")
    rt.pump()

    assert sorted(calls) == sorted([room.alice_tab.id, room.bob_tab.id, *(s.id for s in extra)])


def test_a_redelivered_record_sends_the_same_event_ids(rt: Realtime, room: Room) -> None:
    post(rt.api, room.alice, room.id, "once")
    records = rt.pending_records()

    rt.api.invoke(FANOUT, {"Records": records})
    rt.api.invoke(FANOUT, {"Records": records})

    first, again = room.bob_tab.events()
    assert first == again
    post(rt.api, room.alice, room.id, "twice")
    rt.pump()
    (other,) = room.bob_tab.events()
    assert other["id"] != first["id"]


def test_an_order_status_change_reaches_the_buyers_connections(
    rt: Realtime, api: Api, admin: Account, customer: Account
) -> None:
    shop = open_shop(api, admin)
    order = buy(api, customer, shop.products[0]["id"])
    buyer_tab, seller_tab = rt.connect(customer), rt.connect(shop.seller)
    rt.pump()

    res = api.call("POST", f"/api/v1/orders/{order['id']}/cancel", {}, token=customer.access_token)
    assert res.status == 200, res.body
    rt.pump()

    (event,) = buyer_tab.events()
    assert event["type"] == "order.updated"
    assert event["threadId"] is None
    assert event["data"]["id"] == order["id"]
    assert (event["data"]["previousStatus"], event["data"]["status"]) == ("pending", "cancelled")
    assert seller_tab.events() == []
