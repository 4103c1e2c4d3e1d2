"""API keys for integrations: created by an admin and shown once, stored hashed, a service
principal that reads threads and posts assistant/system messages, actions and artifacts in any
thread and is refused everywhere else, rate limited per key, and refused at once when revoked."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from shared.data.table import Item

from devstack.routes import http_routes, route_marks
from tests.support.api import Account, Api, assert_problem
from tests.support.aws import FakeAws
from tests.support.clock import Clock
from tests.support.experience import BUTTON_BLOCKS, THREADS, new_thread, post

KEYS = "/api/v1/api-keys"
ASSISTANT = "experience:assistant"
MARKS = route_marks()
# Protected routes an API key may not call: every marked route that did not opt in.
REFUSED = sorted(key for key, mark in MARKS.items() if mark is not None and not mark.service_scopes)
ADMITTED = sorted(key for key, mark in MARKS.items() if mark is not None and mark.service_scopes)


def create_key(api: Api, admin: Account, name: str = "Helpful assistant") -> dict[str, Any]:
    res = api.call("POST", KEYS, {"name": name, "scopes": [ASSISTANT]}, token=admin.access_token)
    assert res.status == 201, res.body
    return dict(res.data)


@pytest.fixture
def key(api: Api, admin: Account) -> dict[str, Any]:
    return create_key(api, admin)


@pytest.fixture
def alice(api: Api) -> Account:
    return api.register(name="Alice Owner")


@pytest.fixture
def thread(api: Api, alice: Account) -> dict[str, Any]:
    return new_thread(api, alice)


def as_key(api: Api, key: dict[str, Any]) -> Callable[..., Any]:
    def call(method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        return api.call(method, path, body, headers={"X-Api-Key": key["key"]}, **kwargs)

    return call


def test_a_key_is_shown_once_and_stored_hashed(api: Api, aws: FakeAws, admin: Account, key: dict[str, Any]) -> None:
    assert set(key) == {"id", "name", "scopes", "prefix", "key", "createdAt"}
    assert key["scopes"] == [ASSISTANT]
    assert key["key"].startswith(key["prefix"])
    assert len(key["key"]) > 60
    listed = api.call("GET", KEYS, token=admin.access_token).data["items"]
    assert listed == [{k: v for k, v in key.items() if k != "key"}]
    stored = [item.attribute_values for item in Item.query(f"APIKEY#{key['id']}")]
    assert key["key"] not in str(stored)
    assert stored[0]["key_hash"] == hashlib.sha256(key["key"].encode()).hexdigest()


def test_only_admins_manage_keys(api: Api, alice: Account, key: dict[str, Any]) -> None:
    assert_problem(
        api.call("POST", KEYS, {"name": "x", "scopes": [ASSISTANT]}, token=alice.access_token),
        403,
        "INSUFFICIENT_PERMISSIONS",
    )
    assert_problem(api.call("GET", KEYS, token=alice.access_token), 403, "INSUFFICIENT_PERMISSIONS")
    assert_problem(api.call("DELETE", f"{KEYS}/{key['id']}", token=alice.access_token), 403, "INSUFFICIENT_PERMISSIONS")
    assert_problem(as_key(api, key)("GET", KEYS), 403, "API_KEY_NOT_ALLOWED")


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "scopes": []},
        {"name": "x", "scopes": ["admin"]},
        {"name": "", "scopes": [ASSISTANT]},
        {"scopes": [ASSISTANT]},
    ],
)
def test_bad_key_requests_are_400(api: Api, admin: Account, body: dict[str, Any]) -> None:
    assert_problem(api.call("POST", KEYS, body, token=admin.access_token), 400, "VALIDATION_ERROR")


def test_a_key_posts_assistant_and_system_messages_in_any_thread(
    api: Api, alice: Account, key: dict[str, Any], thread: dict[str, Any]
) -> None:
    call = as_key(api, key)
    # The key is no participant of alice's thread, yet reads it and its messages
    post(api, alice, thread["id"], "What were the numbers?")
    assert call("GET", f"{THREADS}/{thread['id']}").data["id"] == thread["id"]
    assert [m["content"] for m in call("GET", f"{THREADS}/{thread['id']}/messages").data["items"]] == [
        "What were the numbers?"
    ]

    answer = call("POST", f"{THREADS}/{thread['id']}/messages", {"content": "Up 12 %", "blocks": BUTTON_BLOCKS})
    notice = call("POST", f"{THREADS}/{thread['id']}/messages", {"content": "Indexed", "role": "system"})

    assert answer.status == 201, answer.body
    assert answer.data["role"] == "assistant"
    assert answer.data["author"] == {"id": key["id"], "name": "Helpful assistant"}
    assert notice.data["role"] == "system"
    assert_problem(
        call("POST", f"{THREADS}/{thread['id']}/messages", {"content": "hi", "role": "user"}), 403, "ROLE_NOT_ALLOWED"
    )
    seen = api.call("GET", f"{THREADS}/{thread['id']}/messages", token=alice.access_token).data["items"]
    assert [(m["role"], m["content"]) for m in seen][:2] == [("system", "Indexed"), ("assistant", "Up 12 %")]
    # ... records an action on its own message, and learns of actions taken
    action = call("POST", f"/api/v1/messages/{answer.data['id']}/actions", {"actionId": "approve"})
    assert action.status == 201, action.body
    assert len(call("GET", f"/api/v1/messages/{answer.data['id']}/actions").data["items"]) == 1


def test_a_key_creates_and_updates_artifacts(
    api: Api, alice: Account, key: dict[str, Any], thread: dict[str, Any]
) -> None:
    call = as_key(api, key)
    made = call(
        "POST", f"{THREADS}/{thread['id']}/artifacts", {"type": "insight", "title": "Trend", "content": {"up": 12}}
    )
    assert made.status == 201, made.body
    assert made.data["createdBy"] == {"id": key["id"], "name": "Helpful assistant"}
    assert call("PATCH", f"/api/v1/artifacts/{made.data['id']}", {"content": {"up": 13}}).data["version"] == 2
    assert api.call("GET", f"/api/v1/artifacts/{made.data['id']}", token=alice.access_token).data["content"] == {
        "up": 13
    }
    assert_problem(call("DELETE", f"/api/v1/artifacts/{made.data['id']}"), 403, "API_KEY_NOT_ALLOWED")


def test_the_routes_a_key_may_call_are_few() -> None:
    assert set(ADMITTED) == {
        "GET /api/v1/threads/{threadId}",
        "GET /api/v1/threads/{threadId}/messages",
        "POST /api/v1/threads/{threadId}/messages",
        "GET /api/v1/messages/{messageId}",
        "POST /api/v1/messages/{messageId}/actions",
        "GET /api/v1/messages/{messageId}/actions",
        "POST /api/v1/threads/{threadId}/artifacts",
        "GET /api/v1/threads/{threadId}/artifacts",
        "GET /api/v1/artifacts/{artifactId}",
        "PUT /api/v1/artifacts/{artifactId}",
        "PATCH /api/v1/artifacts/{artifactId}",
        "GET /api/v1/artifacts/{artifactId}/versions",
        "GET /api/v1/artifacts/{artifactId}/versions/{version}",
    }
    assert {r.route_key for r in http_routes()} >= set(ADMITTED)


@pytest.mark.parametrize("route_key", REFUSED)
def test_a_key_is_refused_on_every_other_protected_route(api: Api, key: dict[str, Any], route_key: str) -> None:
    method, path = route_key.split(" ", 1)
    path = path.replace("{", "").replace("}", "")
    for body in (None, {"unexpected": ["field"], "role": "admin"}):
        assert_problem(as_key(api, key)(method, path, body), 403, "API_KEY_NOT_ALLOWED")


def test_a_revoked_key_is_refused_at_once(
    api: Api, admin: Account, key: dict[str, Any], thread: dict[str, Any]
) -> None:
    call = as_key(api, key)
    assert call("GET", f"{THREADS}/{thread['id']}").status == 200

    assert api.call("DELETE", f"{KEYS}/{key['id']}", token=admin.access_token).status == 200

    assert_problem(call("GET", f"{THREADS}/{thread['id']}"), 401, "INVALID_API_KEY")
    assert_problem(api.call("DELETE", f"{KEYS}/{key['id']}", token=admin.access_token), 404, "API_KEY_NOT_FOUND")
    assert api.call("GET", KEYS, token=admin.access_token).data["items"] == []


@pytest.mark.parametrize(
    "forged",
    [
        lambda key: key[:-1] + ("A" if key[-1] != "A" else "B"),  # the right id, a wrong secret
        lambda key: key.split(".")[0],  # no secret
        lambda key: "pak_" + "0" * 26 + ".secret",  # no such key
        lambda key: "x" * 500,  # far too long to be one
        lambda key: "Bearer " + key,
    ],
)
def test_a_wrong_key_is_401(
    api: Api, key: dict[str, Any], thread: dict[str, Any], forged: Callable[[str], str]
) -> None:
    res = api.call("GET", f"{THREADS}/{thread['id']}", headers={"X-Api-Key": forged(key["key"])})
    assert_problem(res, 401, "INVALID_API_KEY")


def test_keys_are_rate_limited_each_on_its_own(
    api: Api, admin: Account, key: dict[str, Any], thread: dict[str, Any], configure: Callable[..., None], clock: Clock
) -> None:
    configure(RATE_API_KEY="3/60")
    other = create_key(api, admin, "Another")
    for _ in range(3):
        assert as_key(api, key)("GET", f"{THREADS}/{thread['id']}").status == 200

    limited = as_key(api, key)("GET", f"{THREADS}/{thread['id']}")

    assert_problem(limited, 429, "RATE_LIMITED")
    assert int(limited.headers["retry-after"]) >= 1
    assert as_key(api, other)("GET", f"{THREADS}/{thread['id']}").status == 200
