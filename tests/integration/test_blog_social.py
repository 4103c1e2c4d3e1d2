"""Comments and their counts, profiles, scheduled publishing through the job system (with the
author's "Your post is live" email), and a deleted post's comments purged by its job."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from shared.blog import repository
from shared.clock import iso, now
from shared.jobs import records

from devstack.apigw import sqs_event
from tests.support.api import Account, Api, assert_problem
from tests.support.blog import POSTS, TAGS, listed, new_post, tag_counts
from tests.support.jobs import WORKER, Jobs


@pytest.fixture
def alice(api: Api) -> Account:
    return api.register(name="Alice Author")


@pytest.fixture
def bob(api: Api) -> Account:
    return api.register(name="Bob Reader")


@pytest.fixture
def jobs(api: Api) -> Jobs:
    return Jobs(api)


def comment(api: Api, who: Account, post_id: str, text: str = "Nice post") -> Any:
    return api.call("POST", f"{POSTS}/{post_id}/comments", {"content": text}, token=who.access_token)


def comment_count(api: Api, post_id: str) -> int:
    return int(api.call("GET", f"{POSTS}/{post_id}").data["commentCount"])


def test_comments_are_counted_listed_oldest_first_and_deleted_by_the_right_people(
    api: Api, alice: Account, bob: Account, admin: Account
) -> None:
    post = new_post(api, alice, status="published")
    draft = new_post(api, alice)
    carol = api.register(name="Carol Other")
    # Only signed-in users, only on published posts
    assert_problem(api.call("POST", f"{POSTS}/{post['id']}/comments", {"content": "hi"}), 401, "NO_TOKEN")
    assert_problem(comment(api, alice, draft["id"]), 409, "POST_NOT_PUBLISHED")
    assert_problem(comment(api, bob, draft["id"]), 404, "POST_NOT_FOUND")
    assert_problem(comment(api, bob, post["id"], ""), 400, "VALIDATION_ERROR")
    assert_problem(comment(api, bob, post["id"], "x" * 5001), 400, "VALIDATION_ERROR")
    ids = [comment(api, who, post["id"], f"comment {n}").data["id"] for n, who in enumerate((bob, carol, bob))]
    assert comment_count(api, post["id"]) == 3
    page = api.call("GET", f"{POSTS}/{post['id']}/comments", query={"limit": "2"}).data
    assert [c["id"] for c in page["items"]] == ids[:2]
    assert page["items"][0]["author"]["name"] == "Bob Reader"
    rest = api.call("GET", f"{POSTS}/{post['id']}/comments", query={"cursor": page["nextCursor"]}).data
    assert [c["id"] for c in rest["items"]] == ids[2:]
    # Deleting: not by another commenter; by the comment's author, the post's author, an admin
    assert_problem(
        api.call("DELETE", f"/api/v1/comments/{ids[0]}", token=carol.access_token), 403, "NOT_COMMENT_AUTHOR"
    )
    for who, comment_id in ((bob, ids[0]), (alice, ids[1]), (admin, ids[2])):
        assert api.call("DELETE", f"/api/v1/comments/{comment_id}", token=who.access_token).status == 200
    assert_problem(api.call("DELETE", f"/api/v1/comments/{ids[0]}", token=bob.access_token), 404, "COMMENT_NOT_FOUND")
    assert comment_count(api, post["id"]) == 0
    # An edit after comments keeps the count (the comment raised the post's version)
    comment(api, bob, post["id"])
    assert api.call("PATCH", f"{POSTS}/{post['id']}", {"title": "Edited"}, token=alice.access_token).status == 200
    assert comment_count(api, post["id"]) == 1


def test_deleting_a_post_purges_its_comments_through_the_job(
    api: Api, alice: Account, bob: Account, jobs: Jobs
) -> None:
    post = new_post(api, alice, status="published", tagNames=["Gone"])
    ids = [comment(api, bob, post["id"], f"c{n}").data["id"] for n in range(3)]
    assert api.call("DELETE", f"{POSTS}/{post['id']}", token=alice.access_token).status == 200
    assert_problem(api.call("GET", f"{POSTS}/{post['id']}/comments"), 404, "POST_NOT_FOUND")
    assert tag_counts(api)["gone"] == 0
    assert jobs.run()["delivered"] == 1
    assert [repository.get_comment(cid) for cid in ids] == [None, None, None]
    # the slug is free again
    assert new_post(api, alice, title=post["title"])["slug"] == post["slug"]


def test_profiles_are_public_one_per_user_and_written_by_their_owner(api: Api, alice: Account) -> None:
    profile = api.call("GET", f"/api/v1/profiles/{alice.id}").data
    assert profile == {
        "userId": alice.id,
        "name": "Alice Author",
        "bio": None,
        "avatarUrl": None,
        "location": None,
        "website": None,
        "postCount": 0,
        "joinedAt": alice.user["createdAt"],
    }
    assert_problem(api.call("GET", "/api/v1/profiles/nobody"), 404, "USER_NOT_FOUND")
    body = {
        "bio": "Writes things",
        "location": "Lisbon",
        "website": "https://alice.example",
        "avatarUrl": "https://a.example/me.png",
    }
    res = api.call("PUT", "/api/v1/profiles/me", body, token=alice.access_token)
    assert res.status == 200, res.body
    assert res.data["bio"] == "Writes things"
    patched = api.call("PATCH", "/api/v1/profiles/me", {"location": None}, token=alice.access_token).data
    assert (patched["location"], patched["website"]) == (None, "https://alice.example")
    for bad in ({"website": "http://alice.example"}, {"bio": "x" * 2001}, {"location": "x" * 101}, {"userId": "x"}, {}):
        assert_problem(api.call("PATCH", "/api/v1/profiles/me", bad, token=alice.access_token), 400, "VALIDATION_ERROR")
    assert_problem(api.call("PUT", "/api/v1/profiles/me", body), 401, "NO_TOKEN")
    # The post's author shows the profile's avatar
    post = new_post(api, alice, status="published")
    assert post["author"]["avatarUrl"] == "https://a.example/me.png"
    assert api.call("GET", f"/api/v1/profiles/{alice.id}").data["postCount"] == 1


def run_job_at(api: Api, monkeypatch: pytest.MonkeyPatch, job_id: str, moment: datetime) -> dict[str, Any]:
    """Deliver the job's message to the worker as if the clock said ``moment``."""
    monkeypatch.setattr("shared.jobs.worker.now", lambda: moment)
    monkeypatch.setattr("shared.blog.posts.now", lambda: moment)
    event = sqs_event([json.dumps({"jobId": job_id, "run": 0})], api.aws.queue_arn("JobsQueue"))
    return api.invoke(WORKER, event)


def test_a_scheduled_post_is_published_by_its_job_and_the_author_emailed(
    api: Api, alice: Account, bob: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a post scheduled an hour ahead (beyond SQS delays: a one-time schedule)
    at = now() + timedelta(hours=1)
    post = new_post(api, alice, title="Future news", tagNames=["Later"], publishAt=iso(at))
    assert (post["status"], post["publishAt"], post["publishedAt"]) == ("scheduled", iso(at), None)
    assert api.relay_outbox() == {"batchItemFailures": []}
    # Then before its time nobody else sees it anywhere
    assert listed(api) == []
    assert listed(api, search="future") == []
    assert api.call("GET", f"{TAGS}/later/posts").data["items"] == []
    assert tag_counts(api)["later"] == 0
    assert_problem(api.call("GET", f"{POSTS}/{post['id']}", token=bob.access_token), 404, "POST_NOT_FOUND")
    assert listed(api, alice.access_token, authorId=alice.id, status="scheduled") == [post["id"]]
    # When the schedule moves, the first job is cancelled
    first_job = repository.get_post(post["id"]).publish_job_id  # type: ignore[union-attr]
    later = at + timedelta(minutes=5)
    res = api.call("PATCH", f"{POSTS}/{post['id']}", {"publishAt": iso(later)}, token=alice.access_token)
    assert res.data["publishAt"] == iso(later)
    assert records.get(str(first_job)).status == "cancelled"  # type: ignore[union-attr]
    job_id = str(repository.get_post(post["id"]).publish_job_id)  # type: ignore[union-attr]
    # A stale message of the first job publishes nothing
    assert run_job_at(api, monkeypatch, str(first_job), later + timedelta(seconds=1)) == {"batchItemFailures": []}
    assert repository.get_post(post["id"]).status == "scheduled"  # type: ignore[union-attr]
    # When its time comes, the job publishes it and the author is emailed once
    assert run_job_at(api, monkeypatch, job_id, later + timedelta(seconds=1)) == {"batchItemFailures": []}
    assert records.get(job_id).status == "completed"  # type: ignore[union-attr]
    published = api.call("GET", f"{POSTS}/{post['id']}").data
    assert (published["status"], published["publishedAt"], published["publishAt"]) == ("published", iso(later), None)
    assert listed(api) == [post["id"]]
    assert listed(api, search="future news", tag="later") == [post["id"]]
    assert tag_counts(api)["later"] == 1
    assert api.deliver_emails() == {"batchItemFailures": []}
    mails = api.mails_to(alice.email, "Your post is live: Future news")
    assert len(mails) == 1
    assert f"/posts/{post['slug']}" in mails[0].text
    # A repeated delivery changes nothing
    assert run_job_at(api, monkeypatch, job_id, later + timedelta(seconds=2)) == {"batchItemFailures": []}
    assert api.deliver_emails() == {"batchItemFailures": []}
    assert len(api.mails_to(alice.email, "Your post is live: Future news")) == 1


def test_unpublishing_or_deleting_a_scheduled_post_cancels_its_job(api: Api, alice: Account) -> None:
    at = iso(now() + timedelta(minutes=10))
    kept = new_post(api, alice, publishAt=at)
    doomed = new_post(api, alice, publishAt=at)
    jobs_of = {p["id"]: str(repository.get_post(p["id"]).publish_job_id) for p in (kept, doomed)}  # type: ignore[union-attr]
    res = api.call("PATCH", f"{POSTS}/{kept['id']}", {"status": "draft"}, token=alice.access_token)
    assert (res.data["status"], res.data["publishAt"]) == ("draft", None)
    assert api.call("DELETE", f"{POSTS}/{doomed['id']}", token=alice.access_token).status == 200
    assert {records.get(j).status for j in jobs_of.values()} == {"cancelled"}  # type: ignore[union-attr]
    # A publishAt already past publishes at once
    now_post = new_post(api, alice, publishAt=iso(now() - timedelta(minutes=1)))
    assert now_post["status"] == "published"
