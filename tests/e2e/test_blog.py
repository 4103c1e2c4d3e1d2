"""The blog over HTTP on the local stack: a post scheduled a few seconds ahead appears only once
its time has come (published by the job system) and its author gets "Your post is live"; tags,
comments and the admin's user statistics as a client sees them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from devstack.httpclient import Client
from tests.e2e.conftest import eventually
from tests.e2e.test_catalog_basics import admin_token
from tests.e2e.test_local_stack import emails_to, register, unique_email

pytestmark = pytest.mark.e2e

POSTS = "/api/v1/posts"


def feed_ids(api: Client, **query: str) -> list[str]:
    params = "&".join(f"{k}={v}" for k, v in {"limit": "100", **query}.items())
    res = api("GET", f"{POSTS}?{params}")
    assert res.status == 200, res.body
    return [post["id"] for post in res.data["items"]]


def test_a_post_scheduled_seconds_ahead_appears_only_after_its_time_and_the_author_is_emailed(api: Client) -> None:
    email = unique_email("writer")
    token = register(api, email)["accessToken"]
    word = f"w{uuid.uuid4().hex[:12]}"
    publish_at = datetime.now(UTC) + timedelta(seconds=3)
    body: dict[str, Any] = {
        "title": f"Scheduled {word}",
        "content": "Soon.",
        "tagNames": [word],
        "publishAt": publish_at.isoformat(),
    }
    res = api("POST", POSTS, body, token=token)
    assert res.status == 201, res.body
    post = res.data
    assert post["status"] == "scheduled"
    assert post["id"] not in feed_ids(api)
    assert api("GET", f"{POSTS}/{post['id']}").status == 404

    def published() -> bool:
        listed = post["id"] in feed_ids(api, search=word)
        if listed:
            assert datetime.now(UTC) >= publish_at, "listed before its time"
        return listed

    eventually(published, timeout=30)
    assert api("GET", f"{POSTS}/{post['slug']}").data["status"] == "published"
    assert post["id"] in feed_ids(api, tag=word)
    tags = api("GET", f"/api/v1/tags/{word}/posts").data["items"]
    assert [t["id"] for t in tags] == [post["id"]]
    mails = eventually(lambda: [m for m in emails_to(api, email) if m["subject"].startswith("Your post is live")])
    assert len(mails) == 1


def test_tags_comments_and_user_stats_over_http(api: Client) -> None:
    alice = register(api, unique_email("alice"))
    bob = register(api, unique_email("bob"))
    tag = f"t{uuid.uuid4().hex[:10]}"
    made = [
        api(
            "POST",
            POSTS,
            {"title": "One", "content": "x", "tagNames": [tag.upper()], "status": "published"},
            token=alice["accessToken"],
        ).data,
        api(
            "POST",
            POSTS,
            {"title": "Two", "content": "y", "tagNames": [tag], "status": "published"},
            token=bob["accessToken"],
        ).data,
    ]
    assert made[1]["tags"] == [{"name": tag.upper(), "slug": tag}]
    assert api("PATCH", f"{POSTS}/{made[0]['id']}", {"title": "Mine"}, token=bob["accessToken"]).status == 403
    comment = api("POST", f"{POSTS}/{made[0]['id']}/comments", {"content": "Hi"}, token=bob["accessToken"])
    assert comment.status == 201, comment.body
    assert api("GET", f"{POSTS}/{made[0]['id']}").data["commentCount"] == 1
    assert api("DELETE", f"{POSTS}/{made[1]['id']}", token=bob["accessToken"]).status == 200
    tags = api("GET", "/api/v1/tags?sort=name&limit=100").data["items"]
    assert next(t for t in tags if t["slug"] == tag)["postCount"] == 1
    stats = api("GET", "/api/v1/admin/users/stats", token=admin_token(api))
    assert stats.status == 200, stats.body
    assert stats.data["total"] >= 3
    assert stats.data["newLast7Days"] >= 2
