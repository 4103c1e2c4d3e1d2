"""Erasure step ``commerce.uploads``: a deleted account's avatars, store logos and product images
leave the public uploads bucket with it; another account's uploads stay (even one whose id begins
with the deleted one's); a re-run does nothing; a step out of time stops at a page and the next
part finishes."""

from __future__ import annotations

import time

import pytest
from shared.commerce.uploads import erasure
from shared.lifecycle import repository as erasures
from shared.lifecycle.registry import ErasureContext

from tests.support.api import PASSWORD, Account, Api
from tests.support.jobs import Jobs
from tests.support.products import approved_seller, create_product

UPLOADS = "uploadsbucket"


def put(api: Api, *keys: str) -> None:
    for key in keys:
        api.aws.s3.put_object(Bucket=UPLOADS, Key=key, Body=b"x")


def stored(api: Api) -> list[str]:
    found: list[str] = []
    kwargs = {"Bucket": UPLOADS}
    while True:
        page = api.aws.s3.list_objects_v2(**kwargs)
        found += [o["Key"] for o in page.get("Contents", [])]
        if not page.get("IsTruncated"):
            return sorted(found)
        kwargs["ContinuationToken"] = page["NextContinuationToken"]


def url(key: str) -> str:
    return f"https://{UPLOADS}.s3.us-east-1.amazonaws.com/{key}"


def uploads_of(user_id: str, count: int = 2) -> list[str]:
    return [f"{purpose}/{user_id}/{n}.png" for purpose in erasure.PURPOSES for n in range(count)]


def run_step(user_id: str, *, seconds: float = 60) -> tuple[bool, int]:
    ctx = ErasureContext(user_id, "seller", deadline=time.monotonic() + seconds)
    return erasure.erase_uploads(ctx), ctx.touched


def test_every_upload_of_the_account_is_deleted_and_nobody_elses(api: Api) -> None:
    # Given two uploads of each purpose, and uploads of another account and of an id that
    # begins with this one's
    mine, theirs, longer = uploads_of("u1"), uploads_of("u2"), uploads_of("u1x")
    put(api, *mine, *theirs, *longer)

    # When the step runs
    done, touched = run_step("u1")

    # Then only the account's objects are gone
    assert (done, touched) == (True, len(mine))
    assert stored(api) == sorted(theirs + longer)
    # And a second run finds nothing
    assert run_step("u1") == (True, 0)
    assert stored(api) == sorted(theirs + longer)


def test_a_step_out_of_time_stops_at_a_page_and_the_next_part_finishes(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(erasure, "PAGE_SIZE", 2)
    mine, theirs = uploads_of("u1", count=3), uploads_of("u2")
    put(api, *mine, *theirs)

    # A deadline already passed: a part stops after its first page that leaves more (avatars 2;
    # avatars 1 + logos 2; logos 1 + product images 2; product images 1)
    parts: list[tuple[bool, int]] = []
    while not parts or not parts[-1][0]:
        parts.append(run_step("u1", seconds=0))
        assert len(parts) < 10
    assert parts == [(False, 2), (False, 3), (False, 3), (True, 1)]
    assert stored(api) == sorted(theirs)


def test_deleting_a_seller_erases_their_avatar_logo_and_product_images(api: Api, admin: Account) -> None:
    # Given a seller who shows an avatar, a store logo and a product image, and kept an old avatar
    seller = approved_seller(api, admin)
    mine = [f"avatar/{seller.id}/old.png", f"avatar/{seller.id}/a.png", f"logo/{seller.id}/l.png"]
    image = f"product-image/{seller.id}/p.png"
    put(api, *mine, image)
    token = seller.access_token
    assert api.call("PATCH", "/api/v1/users/me", {"avatarUrl": url(mine[1])}, token=token).status == 200
    assert api.call("PATCH", "/api/v1/sellers/me", {"logoUrl": url(mine[2])}, token=token).status == 200
    create_product(api, token, images=[url(image)])
    # And a customer's avatar
    other = api.register(name="Olga Other")
    put(api, f"avatar/{other.id}/a.png")

    # When the seller deletes their account and the erasure job runs
    res = api.call("DELETE", "/api/v1/users/me", {"password": PASSWORD}, token=token)
    assert res.status == 202, res.body
    jobs = Jobs(api)
    for _ in range(10):
        record = erasures.get(seller.id)
        assert record is not None
        if record.status == "completed":
            break
        jobs.run()
        jobs.release_held()

    # Then none of the seller's uploads is left, and the customer's avatar is
    record = erasures.get(seller.id)
    assert record is not None
    assert record.status == "completed"
    assert "commerce.uploads" in (record.steps_done or ())
    assert stored(api) == [f"avatar/{other.id}/a.png"]
