"""Helpers for the experience tests: threads and messages through the handlers."""

from __future__ import annotations

from typing import Any

from tests.support.api import Account, Api

THREADS = "/api/v1/threads"
MESSAGES = "/api/v1/messages"


def new_thread(api: Api, owner: Account, *members: Account, **extra: Any) -> dict[str, Any]:
    body = {"title": "Planning", "participantIds": [m.id for m in members], **extra}
    res = api.call("POST", THREADS, body, token=owner.access_token)
    assert res.status == 201, res.body
    return dict(res.data)


def post(api: Api, account: Account, thread_id: str, content: str = "hello", **extra: Any) -> dict[str, Any]:
    res = api.call("POST", f"{THREADS}/{thread_id}/messages", {"content": content, **extra}, token=account.access_token)
    assert res.status == 201, res.body
    return dict(res.data)


def thread_of(api: Api, account: Account, thread_id: str) -> dict[str, Any]:
    res = api.call("GET", f"{THREADS}/{thread_id}", token=account.access_token)
    assert res.status == 200, res.body
    return dict(res.data)


def messages_of(api: Api, account: Account, thread_id: str, **query: Any) -> list[dict[str, Any]]:
    res = api.call("GET", f"{THREADS}/{thread_id}/messages", token=account.access_token, query=query or None)
    assert res.status == 200, res.body
    return list(res.data["items"])


BUTTON_BLOCKS: list[dict[str, Any]] = [
    {"type": "header", "text": {"type": "plain_text", "text": "Deploy?"}},
    {"type": "section", "text": {"type": "mrkdwn", "text": "*Ready* to ship"}},
    {
        "type": "actions",
        "block_id": "choices",
        "elements": [
            {
                "type": "button",
                "action_id": "approve",
                "text": {"type": "plain_text", "text": "Approve"},
                "style": "primary",
            },
            {
                "type": "static_select",
                "action_id": "env",
                "placeholder": {"type": "plain_text", "text": "Environment"},
                "options": [
                    {"text": {"type": "plain_text", "text": "Staging"}, "value": "staging"},
                    {"text": {"type": "plain_text", "text": "Production"}, "value": "prod"},
                ],
            },
        ],
    },
    {"type": "table", "columns": ["name", "score"], "rows": [["a", 1], ["b", None]]},
]
