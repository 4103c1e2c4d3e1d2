"""The daily ``lifecycle.cleanup`` job: old exports, product images no product shows, file objects
whose record or thread is gone and uploads never completed are removed; what is referenced or
younger than its grace period stays; a second run removes nothing; a run out of time continues
in a new part from S3's continuation token."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.utils import utcnow
from moto.s3.models import s3_backends
from shared.experience.files.models import FILE_SK, FileItem, file_pk
from shared.jobs import records
from shared.lifecycle import cleanup
from shared.lifecycle.cleanup import CleanupPayload

from tests.support.api import Account, Api
from tests.support.experience import THREADS, new_thread
from tests.support.files import FILES, PDF_BYTES, announce, configure_notifications, notifications, upload
from tests.support.jobs import Jobs
from tests.support.products import approved_seller, create_product

EXPORTS, UPLOADS, FILES_BUCKET = "exportsbucket", "uploadsbucket", "filesbucket"
OLD = timedelta(hours=25)
ZERO = dict.fromkeys(cleanup.COUNTS, 0)


@pytest.fixture(autouse=True)
def _notified(api: Api) -> None:
    configure_notifications(api)
    notifications(api)


@pytest.fixture
def jobs(api: Api) -> Jobs:
    return Jobs(api)


def put(api: Api, bucket: str, key: str, age: timedelta = OLD) -> None:
    api.aws.s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    backdate(bucket, key, age)


def backdate(bucket: str, key: str, age: timedelta = OLD) -> None:
    """Make the object ``age`` old (moto stamps it now; S3 cannot be told otherwise)."""
    s3_backends[DEFAULT_ACCOUNT_ID]["aws"].buckets[bucket].keys[key].last_modified = utcnow() - age


def keys(api: Api, bucket: str) -> list[str]:
    return sorted(o["Key"] for o in api.aws.s3.list_objects_v2(Bucket=bucket).get("Contents", []))


def image_url(key: str) -> str:
    return f"https://{UPLOADS}.s3.us-east-1.amazonaws.com/{key}"


def run(jobs: Jobs, api: Api) -> dict[str, Any]:
    """The schedule's tick through JobsCronFunction, then the worker; the job's result."""
    job_id = api.invoke("JobsCronFunction", {"type": cleanup.CLEANUP_JOB})["jobId"]
    assert jobs.run()["failed"] == 0  # (with any job queued before: a deleted thread's purge)
    job = records.get(job_id)
    assert job is not None
    assert job.status == "completed", job
    return dict(json.loads(job.result))


def test_exports_older_than_7_days_are_removed(api: Api, jobs: Jobs) -> None:
    put(api, EXPORTS, "exports/u1/old.json", timedelta(days=7, minutes=1))
    put(api, EXPORTS, "exports/u1/recent.json", timedelta(days=6))
    assert run(jobs, api)["counts"] == {**ZERO, "exportFiles": 1}
    assert keys(api, EXPORTS) == ["exports/u1/recent.json"]


def test_product_images_no_product_shows_are_removed_after_24_hours(api: Api, jobs: Jobs, admin: Account) -> None:
    # Given a seller's images: one a product shows, one a draft shows, one of a deleted product,
    # one never used, one never used but uploaded an hour ago
    seller = approved_seller(api, admin)
    shown, draft, dropped, unused, young = (f"product-image/{seller.id}/{n}.png" for n in "abcde")
    create_product(api, seller.access_token, images=[image_url(shown)])
    create_product(api, seller.access_token, images=[image_url(draft)], status="draft")
    gone = create_product(api, seller.access_token, images=[image_url(dropped)])
    assert api.call("DELETE", f"/api/v1/products/{gone['id']}", token=seller.access_token).status == 200
    for key in (shown, draft, dropped, unused):
        put(api, UPLOADS, key)
    put(api, UPLOADS, young, timedelta(hours=1))
    # And another seller's unused image, and avatars (not product images)
    other = approved_seller(api, admin, name="Olga Other")
    put(api, UPLOADS, f"product-image/{other.id}/z.png")
    put(api, UPLOADS, f"avatar/{seller.id}/me.png")

    # When the cleanup runs
    counts = run(jobs, api)["counts"]

    # Then only the images nothing shows, uploaded over a day ago, are gone (the avatar too: the
    # account does not show it)
    assert counts == {**ZERO, "productImages": 3, "avatars": 1}
    assert keys(api, UPLOADS) == sorted([shown, draft, young])
    # And a second run finds nothing
    assert run(jobs, api)["counts"] == ZERO


def test_replaced_avatars_and_logos_are_removed_and_every_shown_upload_is_kept(
    api: Api, jobs: Jobs, admin: Account
) -> None:
    # Given a seller who replaced their avatar and their store logo (the old ones stay in S3), shows
    # an avatar upload on their blog profile and another as a draft post's cover, and a product
    # image as the store's logo
    seller = approved_seller(api, admin)
    old_avatar, avatar, blog_avatar, cover, young = (f"avatar/{seller.id}/{n}.png" for n in "abcde")
    old_logo, logo = (f"logo/{seller.id}/{n}.png" for n in "ab")
    product_logo = f"product-image/{seller.id}/p.png"
    for key in (old_avatar, avatar, blog_avatar, cover, old_logo, logo, product_logo):
        put(api, UPLOADS, key)
    put(api, UPLOADS, young, timedelta(hours=1))
    token = seller.access_token
    for path, body in (
        ("/api/v1/users/me", {"avatarUrl": image_url(old_avatar)}),
        ("/api/v1/users/me", {"avatarUrl": image_url(avatar)}),
        ("/api/v1/sellers/me", {"logoUrl": image_url(old_logo)}),
        ("/api/v1/sellers/me", {"logoUrl": image_url(logo)}),
        ("/api/v1/profiles/me", {"avatarUrl": image_url(blog_avatar)}),
    ):
        assert api.call("PATCH", path, body, token=token).status == 200
    post = {"title": "Draft", "content": "Text", "status": "draft", "coverImageUrl": image_url(cover)}
    assert api.call("POST", "/api/v1/posts", post, token=token).status == 201
    # And another account whose current avatar and logo are shown, and whose unused upload is young
    other = approved_seller(api, admin, name="Olga Other")
    other_avatar, other_logo = f"avatar/{other.id}/a.png", f"logo/{other.id}/a.png"
    put(api, UPLOADS, other_avatar)
    put(api, UPLOADS, other_logo)
    put(api, UPLOADS, f"avatar/{other.id}/young.png", timedelta(hours=2))
    for path, body in (
        ("/api/v1/users/me", {"avatarUrl": image_url(other_avatar)}),
        ("/api/v1/sellers/me", {"logoUrl": image_url(other_logo)}),
    ):
        assert api.call("PATCH", path, body, token=other.access_token).status == 200
    before = keys(api, UPLOADS)
    # And the store then shows the product image as its logo
    assert api.call("PATCH", "/api/v1/sellers/me", {"logoUrl": image_url(product_logo)}, token=token).status == 200

    # When the cleanup runs
    counts = run(jobs, api)["counts"]

    # Then only the replaced avatar and both replaced logos are gone
    assert counts == {**ZERO, "avatars": 1, "logos": 2}
    assert keys(api, UPLOADS) == sorted(set(before) - {old_avatar, old_logo, logo})
    shown = api.call("GET", "/api/v1/auth/me", token=token).data
    assert shown["avatarUrl"] == image_url(avatar)
    # And a second run finds nothing
    assert run(jobs, api)["counts"] == ZERO


def test_files_whose_record_or_thread_is_gone_and_stalled_uploads_are_removed(
    api: Api, jobs: Jobs, admin: Account
) -> None:
    alice, bob = api.register(name="Alice Uploader"), api.register(name="Bob Participant")
    kept_thread, doomed_thread = new_thread(api, alice, bob), new_thread(api, alice, bob)
    # Given a ready file in a live thread and one in a thread deleted since
    kept = upload(api, alice, "kept.pdf", "application/pdf", PDF_BYTES, threadId=kept_thread["id"])["id"]
    lost = upload(api, alice, "lost.pdf", "application/pdf", PDF_BYTES, threadId=doomed_thread["id"])["id"]
    assert api.call("DELETE", f"{THREADS}/{doomed_thread['id']}", token=alice.access_token).status == 200
    # And an upload whose bytes came but were never judged, announced over a day ago
    stalled = announce(api, alice, "stalled.pdf", "application/pdf", len(PDF_BYTES))["file"]["id"]
    put(api, FILES_BUCKET, f"files/{stalled}/original")
    FileItem(file_pk(stalled), FILE_SK).update(actions=[FileItem.created_at.set("2020-01-01T00:00:00.000Z")])
    # And objects of a file whose record is gone (an original and its preview), and a young one
    put(api, FILES_BUCKET, "files/orphan/original")
    put(api, FILES_BUCKET, "files/orphan/preview")
    put(api, FILES_BUCKET, "files/young-orphan/original", timedelta(hours=2))
    for file_id in (kept, lost):
        backdate(FILES_BUCKET, f"files/{file_id}/original")

    # When the cleanup runs
    counts = run(jobs, api)["counts"]

    # Then
    # (the deleted thread's purge job, run first, removed its file itself: nothing left for the sweep)
    assert counts == {**ZERO, "orphanFiles": 1, "stalledUploads": 1, "threadGoneFiles": 0}
    assert keys(api, FILES_BUCKET) == sorted([f"files/{kept}/original", "files/young-orphan/original"])
    listed = api.call("GET", FILES, token=alice.access_token).data["items"]
    assert [f["id"] for f in listed] == [kept]
    assert api.call("GET", f"{FILES}/{lost}", token=alice.access_token).status == 404
    # And a second run finds nothing
    assert run(jobs, api)["counts"] == ZERO


def test_a_sweep_out_of_time_stops_after_one_page_and_resumes_from_its_token(api: Api) -> None:
    for n in range(3):
        put(api, EXPORTS, f"exports/u/{n}.json", timedelta(days=8))
    put(api, FILES_BUCKET, "files/orphan/original")
    state = CleanupPayload()
    # A deadline already passed: one page per call, the position kept in the state
    steps = 0
    while not cleanup.sweep(state, deadline=0, page_size=2):
        steps += 1
        assert steps < 10
    assert steps == 5  # exports: 2 pages; product images, avatars, logos: 1 each; files: the last call
    assert state.counts == {**ZERO, "exportFiles": 3, "orphanFiles": 1}
    assert keys(api, EXPORTS) == []
    assert keys(api, FILES_BUCKET) == []


def test_a_part_out_of_time_owes_the_next_part_with_its_position_and_counts(
    api: Api, jobs: Jobs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cleanup, "TIME_BUDGET_SECONDS", 0.0)
    monkeypatch.setattr(cleanup, "PAGE_SIZE", 1)
    for n in range(2):
        put(api, EXPORTS, f"exports/u/{n}.json", timedelta(days=8))
    put(api, UPLOADS, "product-image/nobody/x.png")

    first = api.invoke("JobsCronFunction", {"type": cleanup.CLEANUP_JOB})["jobId"]
    results = []
    job_id: str | None = first
    deadline = time.monotonic() + 60
    while job_id is not None:
        assert jobs.run() == {"delivered": 1, "failed": 0}
        job = records.get(job_id)
        assert job is not None
        assert job.status == "completed", job
        result = json.loads(job.result)
        results.append(result)
        job_id = result.get("continuedBy")
        assert time.monotonic() < deadline
    # One part per page: 2 export pages, 1 image page, the empty avatar and logo listings, then
    # the empty files listing
    assert [r["part"] for r in results] == [1, 2, 3, 4, 5, 6]
    assert results[-1]["counts"] == {**ZERO, "exportFiles": 2, "productImages": 1}
    assert keys(api, EXPORTS) == []
    assert keys(api, UPLOADS) == []
    # Each part names the run (the first part's id) in its dedup key
    follower = records.get(results[0]["continuedBy"])
    assert follower is not None
    assert follower.dedup_key == f"lifecycle-cleanup:{first}:2"


def test_an_admin_may_run_it_by_hand(api: Api, jobs: Jobs, admin: Account) -> None:
    put(api, EXPORTS, "exports/u/old.json", timedelta(days=8))
    res = api.call("POST", "/api/v1/admin/jobs", {"type": cleanup.CLEANUP_JOB, "payload": {}}, token=admin.access_token)
    assert res.status == 201, res.body
    assert jobs.run() == {"delivered": 1, "failed": 0}
    assert keys(api, EXPORTS) == []
    bad = {"type": cleanup.CLEANUP_JOB, "payload": {"kind": "everything"}}
    assert api.call("POST", "/api/v1/admin/jobs", bad, token=admin.access_token).status == 400
