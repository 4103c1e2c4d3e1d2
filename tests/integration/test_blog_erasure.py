"""The blog's erasure steps and export section: a deleted author's posts (published, scheduled,
drafts) go with their tags' counts, search postings and word counts, comments and pending
publish jobs; their comments on others' posts go with those posts' counts; their profile goes.
Every count is exact, a second run changes nothing, and a run out of time resumes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from shared.blog import lifecycle, repository, search
from shared.blog.models import PostPostingItem, search_pk
from shared.clock import iso, now
from shared.data.table import Item
from shared.jobs import records
from shared.lifecycle import registry
from shared.search import index

from tests.support.api import Account, Api, assert_problem
from tests.support.blog import POSTS, listed, new_post, tag_counts
from tests.support.erasure_steps import erase, forget_profile
from tests.support.jobs import Jobs


@pytest.fixture
def alice(api: Api) -> Account:
    return api.register(name="Alice Author")


@pytest.fixture
def bob(api: Api) -> Account:
    return api.register(name="Bob Blogger")


def comment(api: Api, who: Account, post_id: str, text: str) -> str:
    res = api.call("POST", f"{POSTS}/{post_id}/comments", {"content": text}, token=who.access_token)
    assert res.status == 201, res.body
    return str(res.data["id"])


def comments_on(api: Api, post_id: str) -> list[str]:
    res = api.call("GET", f"{POSTS}/{post_id}/comments", query={"limit": "100"})
    assert res.status == 200, res.body
    return [c["content"] for c in res.data["items"]]


def comment_count(api: Api, post_id: str) -> int:
    return int(api.call("GET", f"{POSTS}/{post_id}").data["commentCount"])


def word_counts(*words: str) -> dict[str, int]:
    return index.word_counts(search_pk, list(words))


def test_a_deleted_authors_blog_is_gone_and_every_count_stays_exact(api: Api, alice: Account, bob: Account) -> None:
    # Given Alice's published, scheduled and draft posts, Bob's post sharing a tag and a word,
    # comments both ways, and Alice's profile
    carol = api.register(name="Carol Commenter")
    first = new_post(api, alice, title="Alpine common", tagNames=["Shared", "Solo"], status="published")
    second = new_post(api, alice, title="Second common", tagNames=["Shared"], status="published")
    draft = new_post(api, alice, title="Draft thoughts")
    scheduled = new_post(api, alice, title="Later common", publishAt=iso(now() + timedelta(hours=2)))
    kept = new_post(api, bob, title="Bob common", tagNames=["Shared"], status="published")
    assert api.relay_outbox() == {"batchItemFailures": []}  # the publish job is recorded
    publish_job = str(repository.get_post(scheduled["id"]).publish_job_id)  # type: ignore[union-attr]
    comment(api, bob, first["id"], "bob on first")
    comment(api, alice, first["id"], "alice on first")
    comment(api, alice, kept["id"], "alice on kept 1")
    comment(api, carol, kept["id"], "carol on kept")
    comment(api, alice, kept["id"], "alice on kept 2")
    body = {"bio": "Writes", "location": "Lisbon"}
    assert api.call("PUT", "/api/v1/profiles/me", body, token=alice.access_token).status == 200
    assert tag_counts(api) == {"shared": 3, "solo": 1}
    assert word_counts("common", "alpine", "bob") == {"common": 3, "alpine": 1, "bob": 1}
    assert comment_count(api, kept["id"]) == 3

    # The export holds her posts of every status with their content, her comments and profile
    exported = registry.exporters()["blog"](alice.id)
    assert {p["id"]: p["status"] for p in exported["posts"]} == {
        first["id"]: "published",
        second["id"]: "published",
        scheduled["id"]: "scheduled",
        draft["id"]: "draft",
    }
    assert all(p["content"] == "Some words about things." and "author" not in p for p in exported["posts"])
    mine = ["alice on first", "alice on kept 1", "alice on kept 2"]
    assert sorted(c["content"] for c in exported["comments"]) == mine
    assert all(set(c) == {"id", "postId", "content", "createdAt"} for c in exported["comments"])
    assert exported["profile"] == {
        "bio": "Writes",
        "avatarUrl": None,
        "location": "Lisbon",
        "website": None,
        "postCount": 2,
        "updatedAt": exported["profile"]["updatedAt"],
    }

    # When the account is deleted and the blog's steps run
    forget_profile(alice)
    run = erase(alice.id, "blog")

    # Then her posts are nowhere: not by id, feed, tag, search or author; the slugs are free
    assert run.results == {"blog.comments": True, "blog.posts": True, "blog.profile": True}
    for post in (first, second, draft, scheduled):
        assert repository.get_post(post["id"]) is None
        assert_problem(api.call("GET", f"{POSTS}/{post['id']}", token=bob.access_token), 404, "POST_NOT_FOUND")
        assert_problem(api.call("GET", f"{POSTS}/{post['id']}/comments"), 404, "POST_NOT_FOUND")
    assert listed(api) == [kept["id"]]
    assert listed(api, search="common") == [kept["id"]]
    assert listed(api, authorId=alice.id) == []
    assert api.call("GET", "/api/v1/tags/shared/posts").data["items"][0]["id"] == kept["id"]
    assert new_post(api, bob, title="Alpine common")["slug"] == first["slug"]
    # tag and word counts exact (Bob's new draft counts nowhere)
    assert tag_counts(api) == {"shared": 1, "solo": 0}
    assert word_counts("common", "alpine", "second", "bob") == {"common": 1, "alpine": 0, "second": 0, "bob": 1}
    # the scheduled post's publish job is cancelled, not left to fail
    assert records.get(publish_job).status == "cancelled"  # type: ignore[union-attr]
    # her comments on Bob's post are gone with its count; Carol's stays
    assert comments_on(api, kept["id"]) == ["carol on kept"]
    assert comment_count(api, kept["id"]) == 1
    assert repository.author_comments_page(alice.id, limit=10, position=None).items == []
    assert repository.comments_page(first["id"], limit=10, position=None).items == []
    # her profile is gone
    assert repository.get_profile(alice.id) is None
    assert_problem(api.call("GET", f"/api/v1/profiles/{alice.id}"), 404, "USER_NOT_FOUND")
    assert registry.exporters()["blog"](alice.id) == {"profile": None, "posts": [], "comments": []}
    # the purge jobs the deletes owed find nothing left
    outcome = Jobs(api).run()
    assert outcome["failed"] == 0

    # And a second run finds nothing to do and changes no count
    again = erase(alice.id, "blog")
    assert (again.finished, again.touched) == (True, 0)
    assert tag_counts(api) == {"shared": 1, "solo": 0}
    assert word_counts("common", "bob") == {"common": 1, "bob": 1}
    assert comment_count(api, kept["id"]) == 1


def test_steps_stop_at_a_page_when_out_of_time_and_resume_exactly(
    api: Api, alice: Account, bob: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two posts and two comments on Bob's post, read one per page
    posts = [new_post(api, alice, title=f"Post {n} common", tagNames=["Tagged"], status="published") for n in range(2)]
    kept = new_post(api, bob, title="Kept", status="published")
    for n in range(2):
        comment(api, alice, kept["id"], f"alice {n}")
    comment(api, bob, posts[0]["id"], "bob on alice")
    monkeypatch.setattr(lifecycle, "PAGE_SIZE", 1)
    monkeypatch.setattr(lifecycle, "COMMENTS_PAGE_SIZE", 1)
    forget_profile(alice)
    # and a part that was killed after removing one post's postings, before deleting the post
    stopped = repository.get_post(posts[1]["id"])
    assert stopped is not None
    assert search.unindex_exactly(stopped) == len(search.postings(stopped))
    assert word_counts("common") == {"common": 1}

    # When a part runs with its time already up, each step does at most one page
    seen: list[dict[str, Any]] = []
    while not (run := erase(alice.id, "blog", seconds=-1)).finished:
        seen.append(run.results)
        assert len(seen) < 10
    # Then the parts went page by page, and the end state is exact
    assert seen[:2] == [{"blog.comments": False}, {"blog.comments": True, "blog.posts": False}]
    assert tag_counts(api) == {"tagged": 0}
    assert word_counts("common", "post", "kept") == {"common": 0, "post": 0, "kept": 1}
    assert comment_count(api, kept["id"]) == 0
    assert listed(api) == [kept["id"]]
    assert repository.get_profile(alice.id) is None


def test_postings_removed_by_two_runs_at_once_count_each_word_down_once(
    api: Api, alice: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a published post, and another run of the job removing one of its postings between
    # this run's read of the postings and its transaction
    post = repository.get_post(new_post(api, alice, title="Racing words", status="published")["id"])
    assert post is not None
    keys = [(p.pk, p.sk) for p in search.postings(post)]
    words = [pk.removeprefix(search_pk("")) for pk, _sk in keys]
    assert set(word_counts(*words).values()) == {1}
    real_batch_get = Item.batch_get
    raced: list[int] = []

    def racing_batch_get(*args: Any, **kwargs: Any) -> Any:
        found = list(real_batch_get(*args, **kwargs))
        if not raced:
            raced.append(0)  # before the call: the other run reads through here too
            raced[0] = index.remove_exactly(keys[:1], model=PostPostingItem)
        return found

    monkeypatch.setattr(Item, "batch_get", racing_batch_get)

    # When this run removes them, its transaction fails on the missing posting and it reads again
    removed = search.unindex_exactly(post)

    # Then each word was counted down exactly once, and a further run removes nothing
    assert (raced, removed) == ([1], len(keys) - 1)
    assert set(word_counts(*words).values()) == {0}
    assert search.unindex_exactly(post) == 0
    assert set(word_counts(*words).values()) == {0}
