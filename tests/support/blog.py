"""Blog helpers for in-process tests: write posts through the API, read counts as users see them."""

from __future__ import annotations

from typing import Any

from tests.support.api import Account, Api

POSTS = "/api/v1/posts"
TAGS = "/api/v1/tags"


def new_post(api: Api, author: Account, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"title": "A post", "content": "Some words about things.", **fields}
    res = api.call("POST", POSTS, body, token=author.access_token)
    assert res.status == 201, res.body
    return dict(res.data)


def tag_counts(api: Api) -> dict[str, int]:
    res = api.call("GET", TAGS, query={"sort": "name", "limit": "100"})
    assert res.status == 200, res.body
    return {tag["slug"]: tag["postCount"] for tag in res.data["items"]}


def listed(api: Api, token: str | None = None, **query: str) -> list[str]:
    res = api.call("GET", POSTS, token=token, query=query)
    assert res.status == 200, res.body
    return [post["id"] for post in res.data["items"]]
