"""Demo blog posts for ``make seed`` (through the public API, idempotent: a post whose title its
author already has is left alone)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from devstack.httpclient import Client


@dataclass(frozen=True)
class DemoPost:
    author: str  # a demo user's email
    title: str
    content: str
    tags: tuple[str, ...]
    status: str = "published"  # draft | published


DEMO_POSTS = (
    DemoPost(
        "alice@example.com",
        "Getting started with serverless Python",
        "# Why serverless\n\nLambda runs your code on demand; **DynamoDB** keeps the data. "
        "This post walks through a first function, its tests and its deployment with SAM.",
        ("Python", "Serverless", "AWS"),
    ),
    DemoPost(
        "bob@example.com",
        "Single-table design in DynamoDB",
        "One table, overloaded keys and an index per access pattern: write the queries first, "
        "then the keys. Counts stay exact when they change in the same transaction.",
        ("AWS", "DynamoDB"),
    ),
    DemoPost(
        "carol@example.com",
        "Five tips for a playable blackjack strategy",
        "Stand on hard 17, double on 11, split aces and eights. The rest is in the table below.",
        ("Games",),
    ),
    DemoPost(
        "alice@example.com",
        "Notes for a future post about tagging",
        "Tags are many-to-many: an edge per post and tag, keyed for the reverse query.",
        ("DynamoDB",),
        status="draft",
    ),
)


def seed_posts(api: Client, passwords: dict[str, str]) -> int:
    """Create the demo posts whose authors can sign in with ``passwords``; returns how many."""
    created = 0
    for post in DEMO_POSTS:
        login = api("POST", "/api/v1/auth/login", {"email": post.author, "password": passwords.get(post.author, "")})
        if login.status != 200:
            continue  # an account that existed with another password: not ours to write for
        data = login.json()["data"]
        token, author_id = str(data["accessToken"]), str(data["user"]["id"])
        query = urlencode({"authorId": author_id, "status": post.status, "limit": "100"})
        mine = api("GET", f"/api/v1/posts?{query}", token=token)
        if mine.status != 200 or any(p["title"] == post.title for p in mine.json()["data"]["items"]):
            continue
        body = {"title": post.title, "content": post.content, "tagNames": list(post.tags), "status": post.status}
        if api("POST", "/api/v1/posts", body, token=token).status == 201:
            created += 1
    return created
