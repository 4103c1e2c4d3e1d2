"""Posts through the blog function: writing, visibility of drafts, ownership, tags with exact
published counts (after edits, deletes and concurrent tagging), listings and search."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from botocore.client import BaseClient
from shared.blog import posts as blog_posts
from shared.blog import repository
from shared.blog.schemas import CreatePostRequest, UpdatePostRequest
from shared.identity.principal import authenticate

from tests.support.api import Account, Api, assert_problem
from tests.support.blog import POSTS, TAGS, listed, new_post, tag_counts


@pytest.fixture
def alice(api: Api) -> Account:
    return api.register(name="Alice Author")


@pytest.fixture
def bob(api: Api) -> Account:
    return api.register(name="Bob Reader")


def test_create_returns_the_post_with_derived_fields(api: Api, alice: Account) -> None:
    # Given a markdown post with tags written in mixed case
    content = "# Hello\n\nThis is **my** first [post](https://example.com). " + "word " * 450
    # When Alice publishes it
    post = new_post(api, alice, title="Hello, World!", content=content, tagNames=["Python", "python ", "AWS"])
    # Then it has a slug, an excerpt from the plain text, one tag per name and a reading time
    assert post["slug"] == "hello-world"
    assert post["status"] == "draft"
    assert post["excerpt"].startswith("Hello This is my first post.")
    assert [t["slug"] for t in post["tags"]] == ["python", "aws"]
    assert post["author"] == {"id": alice.id, "name": "Alice Author", "avatarUrl": None}
    assert post["readingTimeMinutes"] == 3
    assert post["commentCount"] == 0
    # And a second post with the same title gets another slug
    again = new_post(api, alice, title="Hello, World!")
    assert again["slug"] != "hello-world"
    assert again["slug"].startswith("hello-world-")


def test_bad_input_is_refused(api: Api, alice: Account) -> None:
    cases: list[dict[str, Any]] = [
        {"title": "", "content": "x"},
        {"title": "t" * 201, "content": "x"},
        {"title": "ok", "content": ""},
        {"title": "ok", "content": "x", "tagNames": [f"t{i}" for i in range(11)]},
        {"title": "ok", "content": "x", "tagNames": ["x" * 51]},
        {"title": "ok", "content": "x", "coverImageUrl": "http://example.com/a.png"},
        {"title": "ok", "content": "x", "status": "scheduled"},
        {"title": "ok", "content": "x", "authorId": "someone"},
        {"title": "ok", "content": "x", "tagNames": ["++"]},
        {"title": "ok", "content": "x", "publishAt": "2030-01-01T10:00:00"},
    ]
    for body in cases:
        res = api.call("POST", POSTS, body, token=alice.access_token)
        assert_problem(res, 400, "VALIDATION_ERROR")
    assert_problem(api.call("POST", POSTS, {"title": "t", "content": "c"}), 401, "NO_TOKEN")


def test_drafts_are_hidden_from_others_and_only_the_author_or_admin_edits(
    api: Api, alice: Account, bob: Account, admin: Account
) -> None:
    draft = new_post(api, alice, title="Secret plans")
    public = new_post(api, alice, title="Open letter", status="published")
    # A draft: 404 to anyone but the author and admins, by id and by slug
    for key in (draft["id"], draft["slug"]):
        assert_problem(api.call("GET", f"{POSTS}/{key}"), 404, "POST_NOT_FOUND")
        assert_problem(api.call("GET", f"{POSTS}/{key}", token=bob.access_token), 404, "POST_NOT_FOUND")
        assert api.call("GET", f"{POSTS}/{key}", token=alice.access_token).status == 200
        assert api.call("GET", f"{POSTS}/{key}", token=admin.access_token).status == 200
    assert_problem(
        api.call("PATCH", f"{POSTS}/{draft['id']}", {"title": "x"}, token=bob.access_token), 404, "POST_NOT_FOUND"
    )
    # A published post: readable by all, changed only by its author or an admin (403 to others)
    assert api.call("GET", f"{POSTS}/{public['slug']}").data["id"] == public["id"]
    for method in ("PUT", "PATCH"):
        res = api.call(method, f"{POSTS}/{public['id']}", {"title": "Mine now"}, token=bob.access_token)
        assert_problem(res, 403, "NOT_POST_AUTHOR")
    assert_problem(api.call("DELETE", f"{POSTS}/{public['id']}", token=bob.access_token), 403, "NOT_POST_AUTHOR")
    edited = api.call("PUT", f"{POSTS}/{public['id']}", {"title": "Open letter (v2)"}, token=admin.access_token)
    assert edited.status == 200
    assert edited.data["title"] == "Open letter (v2)"
    # Listings: the feed shows published posts only; Alice lists her drafts, Bob may not
    assert listed(api) == [public["id"]]
    assert listed(api, alice.access_token, authorId=alice.id, status="draft") == [draft["id"]]
    res = api.call("GET", POSTS, token=bob.access_token, query={"authorId": alice.id, "status": "draft"})
    assert_problem(res, 403, "NOT_POST_AUTHOR")
    assert_problem(api.call("GET", POSTS, query={"authorId": alice.id, "status": "draft"}), 401, "NO_TOKEN")


def test_tag_counts_follow_publishing_edits_and_deletes(api: Api, alice: Account, bob: Account) -> None:
    one = new_post(api, alice, title="One", tagNames=["Python", "AWS"], status="published")
    two = new_post(api, bob, title="Two", tagNames=["python", "Go"], status="published")
    draft = new_post(api, bob, title="Three", tagNames=["Go", "Rust"])
    # The first spelling is kept, drafts count for nothing
    assert tag_counts(api) == {"aws": 1, "go": 1, "python": 2, "rust": 0}
    assert two["tags"][0] == {"name": "Python", "slug": "python"}
    # Retagging a published post moves the counts
    res = api.call("PATCH", f"{POSTS}/{one['id']}", {"tagNames": ["AWS", "Rust"]}, token=alice.access_token)
    assert res.status == 200, res.body
    assert tag_counts(api) == {"aws": 1, "go": 1, "python": 1, "rust": 1}
    # Publishing the draft counts it; unpublishing the first uncounts it
    assert api.call("PATCH", f"{POSTS}/{draft['id']}", {"status": "published"}, token=bob.access_token).status == 200
    assert api.call("PATCH", f"{POSTS}/{one['id']}", {"status": "draft"}, token=alice.access_token).status == 200
    assert tag_counts(api) == {"aws": 0, "go": 2, "python": 1, "rust": 1}
    # The tag page lists published posts newest first; popularity order follows the counts
    page = api.call("GET", f"{TAGS}/go/posts").data["items"]
    assert [p["id"] for p in page] == [draft["id"], two["id"]]
    popular = api.call("GET", TAGS, query={"sort": "popular"}).data["items"]
    assert popular[0]["slug"] == "go"
    # Deleting a post takes its links and counts with it
    assert api.call("DELETE", f"{POSTS}/{two['id']}", token=bob.access_token).status == 200
    assert tag_counts(api) == {"aws": 0, "go": 1, "python": 0, "rust": 1}
    assert [p["id"] for p in api.call("GET", f"{TAGS}/go/posts").data["items"]] == [draft["id"]]
    assert_problem(api.call("GET", f"{POSTS}/{two['id']}"), 404, "POST_NOT_FOUND")
    assert_problem(api.call("GET", f"{TAGS}/nope/posts"), 404, "TAG_NOT_FOUND")
    # The author's profile counts published posts
    assert api.call("GET", f"/api/v1/profiles/{bob.id}").data["postCount"] == 1


def test_concurrent_tagging_keeps_counts_exact(api: Api, alice: Account, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given published posts sharing tags, and writers that all read before any of them commits
    posts = [new_post(api, alice, title=f"Post {i}", tagNames=["shared", "t0"], status="published") for i in range(4)]
    serialize_aws_calls(monkeypatch)
    barrier = threading.Barrier(len(posts), timeout=30)
    lost: list[str] = []
    commit = repository.commit_post

    def racing_commit(old: Any, new: Any, **kwargs: Any) -> None:
        if threading.current_thread().name.startswith("racer") and not getattr(local, "raced", False):
            local.raced = True
            barrier.wait()  # everyone has read the same tag versions
        try:
            commit(old, new, **kwargs)
        except repository.WriteConflict:
            lost.append(threading.current_thread().name)
            raise

    local = threading.local()
    monkeypatch.setattr(repository, "commit_post", racing_commit)
    caller = authenticate(alice.access_token)
    errors: list[BaseException] = []

    def retag(post_id: str, n: int) -> None:
        try:
            for names in (["shared", f"t{n % 2 + 1}"], ["shared", "final"]):
                blog_posts.update_post(caller, post_id, UpdatePostRequest(tag_names=names))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=retag, args=(p["id"], n), name=f"racer-{n}") for n, p in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then the races happened, every edit landed, and each count equals the posts carrying the tag
    assert errors == []
    assert lost, "the writers did not race"
    assert tag_counts(api) == {"shared": 4, "final": 4, "t0": 0, "t1": 0, "t2": 0}


def test_concurrent_creates_share_a_new_tag_with_an_exact_count(
    api: Api, alice: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given four writers creating published posts with the same new tag, spelled differently
    serialize_aws_calls(monkeypatch)
    barrier = threading.Barrier(4, timeout=30)
    local = threading.local()
    commit = repository.commit_post

    def racing_commit(old: Any, new: Any, **kwargs: Any) -> None:
        if not getattr(local, "raced", False):
            local.raced = True
            barrier.wait()  # all four read "no such tag" first
        commit(old, new, **kwargs)

    monkeypatch.setattr(repository, "commit_post", racing_commit)
    caller = authenticate(alice.access_token)
    made: list[Any] = []
    spellings = ["Fresh Tag", "fresh tag", "FRESH-TAG", "fresh  tag"]

    def create(n: int) -> None:
        request = CreatePostRequest(title=f"Race {n}", content="x", tag_names=[spellings[n]], status="published")
        made.append(blog_posts.create_post(caller, request))

    threads = [threading.Thread(target=create, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then one tag exists, counting all four; each post keeps the slug of its title
    assert len(made) == 4
    assert tag_counts(api) == {"fresh-tag": 4}
    assert {post.tags[0].name for post in made} == {api.call("GET", TAGS).data["items"][0]["name"]}
    assert sorted(post.slug for post in made) == ["race-0", "race-1", "race-2", "race-3"]


def serialize_aws_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's in-process backend is not thread-safe: one AWS call at a time, as DynamoDB applies
    each request atomically, while the writers' read-then-commit sequences still interleave."""
    lock = threading.Lock()
    original = BaseClient._make_api_call

    def locked(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        with lock:
            return original(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", locked)


def test_listing_pages_newest_first_and_search_combines_with_tags(api: Api, alice: Account, bob: Account) -> None:
    ids = [
        new_post(api, alice, title=f"Serverless tips {i}", content="Lambda and DynamoDB " * 5, status="published")["id"]
        for i in range(5)
    ]
    tagged = new_post(
        api,
        bob,
        title="Cooking with Python",
        content="Serverless pasta. " + "filler " * 400 + "tomato",
        tagNames=["Recipes"],
        status="published",
    )
    # Pages of 2, newest first, no empty last page
    first = api.call("GET", POSTS, query={"limit": "2"}).data
    assert [p["id"] for p in first["items"]] == [tagged["id"], ids[4]]
    second = api.call("GET", POSTS, query={"limit": "2", "cursor": first["nextCursor"]}).data
    assert [p["id"] for p in second["items"]] == [ids[3], ids[2]]
    # Every word must match; tags and authorId narrow it
    assert listed(api, search="serverless") == [tagged["id"], *reversed(ids)]
    assert listed(api, search="serverless tips") == list(reversed(ids))
    assert listed(api, search="serverless", tag="recipes") == [tagged["id"]]
    assert listed(api, search="serverless", authorId=alice.id) == list(reversed(ids))
    assert listed(api, search="recipes") == [tagged["id"]]
    # Only the first 300 words of the content are indexed
    assert listed(api, search="tomato") == []
    assert listed(api, search="nothingmatches") == []
    assert_problem(api.call("GET", POSTS, query={"search": "!"}), 400, "VALIDATION_ERROR")
    # An unpublished post leaves the search
    api.call("PATCH", f"{POSTS}/{tagged['id']}", {"status": "draft"}, token=bob.access_token)
    assert listed(api, search="pasta") == []
