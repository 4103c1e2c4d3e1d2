"""Every experience change is on the table stream with what a real-time subscriber (part 3)
needs: the item type, the thread id, the message as stored, the participants."""

from __future__ import annotations

from typing import Any

from tests.support.api import Api
from tests.support.experience import BUTTON_BLOCKS, MESSAGES, THREADS, new_thread, post


def stream_changes() -> list[tuple[str, str, dict[str, Any]]]:
    """``(eventName, type, image)`` of every record on the table's stream, in order (read from
    moto's stream shard: in-process moto does not serve DescribeStream)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends
    from shared.data.table import Item

    table = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].tables[Item.Meta.table_name]
    found: list[tuple[str, str, dict[str, Any]]] = []
    for record in table.stream_shard.items:
        data = record.to_json()
        change = data["dynamodb"]
        image = change.get("NewImage") or change.get("OldImage") or {}
        found.append((data["eventName"], image.get("type", {}).get("S", ""), image))
    return found


def test_each_change_is_a_stream_record_a_subscriber_can_route(api: Api) -> None:
    alice, bob = api.register(name="Alice Owner"), api.register(name="Bob Member")
    thread = new_thread(api, alice, bob)
    message = post(api, alice, thread["id"], "hello", blocks=BUTTON_BLOCKS)
    mid = message["id"]
    api.call("PATCH", f"{MESSAGES}/{mid}", {"content": "hello again"}, token=alice.access_token)
    api.call("POST", f"{MESSAGES}/{mid}/reactions", {"emoji": ":tada:"}, token=bob.access_token)
    api.call("POST", f"{MESSAGES}/{mid}/actions", {"actionId": "approve"}, token=bob.access_token)
    api.call("DELETE", f"{MESSAGES}/{mid}", token=alice.access_token)
    api.call("DELETE", f"{THREADS}/{thread['id']}/participants/{bob.id}", token=bob.access_token)

    changes = [(event, kind, image) for event, kind, image in stream_changes() if image.get("threadId")]
    seen = {(event, kind) for event, kind, _image in changes}
    assert {
        ("INSERT", "THREAD"),
        ("INSERT", "THREAD_MEMBER"),
        ("INSERT", "MESSAGE"),
        ("MODIFY", "MESSAGE"),
        ("INSERT", "REACTION"),
        ("INSERT", "MESSAGE_ACTION"),
        ("REMOVE", "THREAD_MEMBER"),
        ("MODIFY", "THREAD"),
    } <= seen
    assert all(image["threadId"]["S"] == thread["id"] for _event, _kind, image in changes)
    created = next(image for event, kind, image in changes if (event, kind) == ("INSERT", "MESSAGE"))
    assert created["content"]["S"] == "hello"
    assert created["authorName"]["S"] == "Alice Owner"
    thread_image = next(image for _event, kind, image in changes if kind == "THREAD")
    assert {p["M"]["userId"]["S"] for p in thread_image["participants"]["L"]} == {alice.id, bob.id}
    tombstones = [image for event, kind, image in changes if kind == "MESSAGE" and image.get("deleted", {}).get("BOOL")]
    assert tombstones
