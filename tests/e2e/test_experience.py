"""Threads and messages over HTTP on the local stack: two people in a thread, one outside it."""

from __future__ import annotations

from typing import Any

import pytest

from devstack.httpclient import Client
from tests.e2e.conftest import eventually
from tests.e2e.test_catalog_basics import admin_token
from tests.e2e.test_local_stack import register, unique_email

pytestmark = pytest.mark.e2e

BLOCKS = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "Ship *tonight*?"}},
    {
        "type": "actions",
        "elements": [{"type": "button", "action_id": "yes", "text": {"type": "plain_text", "text": "Yes"}}],
    },
]


def test_a_conversation_between_two_people_and_an_outsider(api: Client) -> None:
    alice, bob, eve = (register(api, unique_email(name)) for name in ("alice", "bob", "eve"))
    a, b, e = alice["accessToken"], bob["accessToken"], eve["accessToken"]

    created = api("POST", "/api/v1/threads", {"title": "Launch", "participantIds": [bob["user"]["id"]]}, token=a)
    assert created.status == 201, created.body
    tid = created.data["id"]
    path = f"/api/v1/threads/{tid}/messages"

    body: dict[str, Any] = {"content": "launch checklist", "blocks": BLOCKS, "clientMessageId": "e2e-1"}
    first = api("POST", path, body, token=a)
    retry = api("POST", path, body, token=a)
    assert (first.status, retry.status) == (201, 200)
    assert retry.data["id"] == first.data["id"]
    mid = first.data["id"]
    reply = api("POST", path, {"content": "on it"}, token=b)

    assert api("GET", f"/api/v1/threads/{tid}", token=b).data["unreadCount"] == 0
    assert api("GET", "/api/v1/threads", token=a).data["items"][0]["unreadCount"] == 1
    caught_up = api("GET", f"{path}?after={mid}", token=a).data["items"]
    assert [m["id"] for m in caught_up] == [reply.data["id"]]

    reacted = api("POST", f"/api/v1/messages/{mid}/reactions", {"emoji": "🚀"}, token=b)
    assert reacted.data == {"added": True, "reactions": [{"emoji": "🚀", "count": 1, "me": True}]}
    assert api("POST", f"/api/v1/messages/{mid}/actions", {"actionId": "yes"}, token=b).status == 201
    assert api("POST", f"/api/v1/messages/{mid}/actions", {"actionId": "no"}, token=b).error["code"] == "UNKNOWN_ACTION"
    found = api("GET", "/api/v1/messages/search?q=checklist", token=b).data["items"]
    assert [m["id"] for m in found] == [mid]

    edited = api("PATCH", f"/api/v1/messages/{mid}", {"content": "launch checklist v2"}, token=a)
    assert edited.data["version"] == 2
    assert len(api("GET", f"/api/v1/messages/{mid}/history", token=b).data) == 1

    for method, url in [("GET", f"/api/v1/threads/{tid}"), ("GET", path), ("GET", f"/api/v1/messages/{mid}")]:
        assert api(method, url, token=e).status == 404
    assert api("GET", "/api/v1/messages/search?q=checklist", token=e).data["items"] == []

    assert api("DELETE", f"/api/v1/messages/{mid}", token=a).data["deleted"] is True
    assert api("DELETE", f"/api/v1/threads/{tid}", token=a).status == 200
    assert api("GET", f"/api/v1/threads/{tid}", token=b).status == 404

    # The rest of the thread goes in the background: its purge job completes
    admin = admin_token(api)
    purge = eventually(lambda: purge_job(api, admin, tid, "completed"), timeout=15)
    assert purge["result"] == {"messagesRemoved": 2}


def purge_job(api: Client, token: str, thread_id: str, status: str) -> dict[str, Any] | None:
    listed = api("GET", "/api/v1/admin/jobs?type=experience.purge-thread&limit=100", token=token)
    assert listed.status == 200, listed.body
    found = [job for job in listed.data["items"] if job["payload"]["threadId"] == thread_id]
    return found[0] if found and found[0]["status"] == status else None
