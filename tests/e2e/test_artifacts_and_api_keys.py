"""Artifacts and API keys over HTTP on the local stack: versions under concurrent updates,
restore and exports; an integration's key that posts assistant messages and nothing else, and
stops working once revoked."""

from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor

import pytest

from devstack.httpclient import Client
from tests.e2e.test_catalog_basics import admin_token
from tests.e2e.test_local_stack import register, unique_email

pytestmark = pytest.mark.e2e

TABLE = {"columns": ["item", "note"], "rows": [["mug", "=cmd|' /C calc'!A0"], ["plate", "fine"]]}


def test_artifact_versions_conflicts_restore_and_exports(api: Client) -> None:
    alice, outsider = (register(api, unique_email(name)) for name in ("alice", "outsider"))
    a = alice["accessToken"]
    tid = api("POST", "/api/v1/threads", {"title": "Inventory"}, token=a).data["id"]

    made = api(
        "POST", f"/api/v1/threads/{tid}/artifacts", {"type": "report", "title": "Stock", "content": TABLE}, token=a
    )
    assert made.status == 201, made.body
    path = f"/api/v1/artifacts/{made.data['id']}"

    # Five writers that all read version 1: exactly one wins, the others learn of the conflict
    def write(n: int) -> int:
        return api("PATCH", path, {"content": {"writer": n}, "expectedVersion": 1}, token=a).status

    with ThreadPoolExecutor(max_workers=5) as pool:
        statuses = list(pool.map(write, range(5)))
    assert sorted(statuses) == [200, 409, 409, 409, 409]
    assert api("GET", path, token=a).data["version"] == 2

    restored = api("POST", f"{path}/restore", {"version": 1}, token=a)
    assert (restored.data["version"], restored.data["content"]) == (3, TABLE)
    assert [v["version"] for v in api("GET", f"{path}/versions", token=a).data["items"]] == [1, 2, 3]

    exported = api("GET", f"{path}/export?format=csv", token=a)
    assert exported.status == 200
    assert exported.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.body.decode())))
    assert rows[1] == ["mug", "'=cmd|' /C calc'!A0"]
    assert api("GET", f"{path}/export?format=md", token=a).body.decode().startswith("# Stock\n")
    assert api("GET", path, token=outsider["accessToken"]).status == 404


def test_an_api_key_posts_assistant_messages_and_nothing_else_until_revoked(api: Client) -> None:
    admin = admin_token(api)
    alice = register(api, unique_email("alice"))
    tid = api("POST", "/api/v1/threads", {"title": "Help"}, token=alice["accessToken"]).data["id"]
    created = api("POST", "/api/v1/api-keys", {"name": "Assistant", "scopes": ["experience:assistant"]}, token=admin)
    assert created.status == 201, created.body
    key = {"X-Api-Key": created.data["key"]}

    answer = api("POST", f"/api/v1/threads/{tid}/messages", {"content": "How can I help?"}, headers=key)
    assert answer.status == 201, answer.body
    assert answer.data["role"] == "assistant"
    seen = api("GET", f"/api/v1/threads/{tid}/messages", token=alice["accessToken"]).data["items"]
    assert [(m["role"], m["content"]) for m in seen] == [("assistant", "How can I help?")]
    for method, path in [("GET", "/api/v1/orders"), ("GET", "/api/v1/auth/me"), ("GET", "/api/v1/admin/jobs")]:
        refused = api(method, path, headers=key)
        assert (refused.status, refused.error["code"]) == (403, "API_KEY_NOT_ALLOWED"), path

    assert api("DELETE", f"/api/v1/api-keys/{created.data['id']}", token=admin).status == 200
    after = api("POST", f"/api/v1/threads/{tid}/messages", {"content": "still here?"}, headers=key)
    assert (after.status, after.error["code"]) == (401, "INVALID_API_KEY")
