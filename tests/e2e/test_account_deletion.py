"""Issue #18 over HTTP on the local stack: a user active in every system deletes their account;
once the ``account.erase`` job (followed through the admin jobs API) has completed, every route
that could show their data is checked.

The module builds the account and erases it once (``erased``); each system's checks are a test of
their own, so a system whose erasure step is missing fails alone.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from devstack.httpclient import Client
from devstack.stack import DEFAULT_ADMIN_EMAIL, DEFAULT_ADMIN_PASSWORD
from tests.e2e.conftest import LocalStack, eventually
from tests.e2e.test_products import PASSWORD, account, approved_seller
from tests.support.checkout import ADDRESS
from tests.support.localstripe import pay_intent

pytestmark = pytest.mark.e2e

JOBS = "/api/v1/admin/jobs"
DELETED_NAME = "Deleted user"
ERASURE_DEADLINE_SECONDS = 120


@dataclass
class Erased:
    """What the deleted account had, and what the others around it see."""

    word: str
    victim: dict[str, Any]
    admin: str
    other_seller: dict[str, Any]
    other: dict[str, Any]
    bought_product: dict[str, Any]
    own_products: list[dict[str, Any]]
    order: dict[str, Any]
    own_thread: str
    others_thread: str
    victim_message: str
    own_posts: list[str]
    others_post: str
    victim_comment: str
    avatar_url: str
    deletion: dict[str, Any] = field(default_factory=dict)
    jobs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def victim_id(self) -> str:
        return str(self.victim["user"]["id"])


def ok(res: Any, *statuses: int) -> Any:
    assert res.status in (statuses or (200, 201)), res.body
    return res.data


def login_admin(api: Client) -> str:
    res = api("POST", "/api/v1/auth/login", {"email": DEFAULT_ADMIN_EMAIL, "password": DEFAULT_ADMIN_PASSWORD})
    return str(ok(res)["accessToken"])


def paid_order(stack: LocalStack, api: Client, buyer: dict[str, Any], product_id: str) -> dict[str, Any]:
    token = buyer["accessToken"]
    ok(api("POST", "/api/v1/cart/items", {"productId": product_id, "quantity": 1}, token=token))
    order = ok(api("POST", "/api/v1/orders", {"shippingAddress": ADDRESS}, token=token))
    intent = ok(api("POST", "/api/v1/payments/intent", {"orderId": order["id"]}, token=token))
    pay_intent(stack.info["stripeUrl"], intent["paymentIntentId"])

    def confirmed() -> dict[str, Any] | None:
        found = ok(api("GET", f"/api/v1/orders/{order['id']}", token=token))
        return found if found["status"] == "confirmed" else None

    return eventually(confirmed, timeout=30)


def play_games(api: Client, token: str, count: int) -> None:
    for _ in range(count):
        game = ok(api("POST", "/api/v1/game/new", {"clientSeed": uuid.uuid4().hex}, token=token))
        if not game["isGameOver"]:
            ok(api("POST", f"/api/v1/game/{game['gameId']}/stand", token=token))


def follow_erasure(api: Client, admin: str, job_id: str) -> list[dict[str, Any]]:
    """Poll the erasure job (and the parts it continues into) until a part completes the
    erasure; fails after :data:`ERASURE_DEADLINE_SECONDS`."""
    deadline = time.monotonic() + ERASURE_DEADLINE_SECONDS
    parts: list[dict[str, Any]] = []
    while True:
        job = ok(api("GET", f"{JOBS}/{job_id}", token=admin))
        assert 0 <= job["progress"] <= 100
        assert job["status"] != "failed", job
        if job["status"] == "completed":
            parts.append(job)
            following = (job["result"] or {}).get("continuedBy")
            if following is None:
                return parts
            job_id = following
            continue
        assert time.monotonic() < deadline, f"the erasure job did not complete: {job}"
        time.sleep(0.3)


def upload_avatar(api: Client, token: str) -> str:
    """An avatar uploaded through its presigned form; its public URL (readable now)."""
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    ticket = ok(
        api(
            "POST",
            "/api/v1/uploads",
            {"purpose": "avatar", "contentType": "image/png", "contentLength": len(png)},
            token=token,
        )
    )
    posted = requests.post(
        ticket["uploadUrl"], data=ticket["fields"], files={"file": ("me.png", png, "image/png")}, timeout=10
    )
    assert posted.status_code in (200, 201, 204), posted.text
    assert requests.get(ticket["publicUrl"], timeout=10).status_code == 200
    return str(ticket["publicUrl"])


@pytest.fixture(scope="module")
def erased(stack: LocalStack) -> Erased:
    api = stack.api
    admin = login_admin(api)
    word = f"z{uuid.uuid4().hex[:10]}"
    # Another seller's product the victim buys and reviews; another user rates it too
    other_seller = approved_seller(api)
    bought = ok(
        api(
            "POST",
            "/api/v1/products",
            {"name": f"Shared kettle {word}", "price": 2500, "stockQuantity": 10, "status": "active"},
            token=other_seller["accessToken"],
        )
    )
    other = account(api)
    ok(api("POST", f"/api/v1/products/{bought['id']}/reviews", {"rating": 2}, token=other["accessToken"]))
    # The victim: an approved seller with a store and products, who also buys, reviews, plays,
    # talks and blogs
    victim = approved_seller(api)
    token = victim["accessToken"]
    ok(api("PATCH", "/api/v1/sellers/me", {"storeName": f"Store {word}", "description": "Mugs."}, token=token))
    avatar_url = upload_avatar(api, token)
    ok(api("PATCH", "/api/v1/users/me", {"avatarUrl": avatar_url}, token=token))
    own_products = [
        ok(
            api(
                "POST",
                "/api/v1/products",
                {"name": f"Victim mug {word} {n}", "price": 1500, "stockQuantity": 5, "status": "active"},
                token=token,
            )
        )
        for n in range(2)
    ]
    order = paid_order(stack, api, victim, bought["id"])
    ok(api("POST", f"/api/v1/products/{bought['id']}/reviews", {"rating": 5, "comment": f"Great {word}"}, token=token))
    play_games(api, token, 5)
    own_thread = ok(api("POST", "/api/v1/threads", {"title": f"Mine {word}"}, token=token))["id"]
    ok(api("POST", f"/api/v1/threads/{own_thread}/messages", {"content": f"private {word}"}, token=token))
    others_thread = ok(
        api(
            "POST",
            "/api/v1/threads",
            {"title": "Team", "participantIds": [victim["user"]["id"]]},
            token=other["accessToken"],
        )
    )["id"]
    ok(api("POST", f"/api/v1/threads/{others_thread}/messages", {"content": "hello team"}, token=other["accessToken"]))
    victim_message = ok(
        api("POST", f"/api/v1/threads/{others_thread}/messages", {"content": f"my secret {word}"}, token=token)
    )["id"]
    ok(api("PUT", "/api/v1/profiles/me", {"bio": f"I write about {word}"}, token=token))
    own_posts = [
        ok(
            api(
                "POST",
                "/api/v1/posts",
                {"title": f"Post {word} {n}", "content": "Mine.", "tagNames": [word], "status": "published"},
                token=token,
            )
        )["id"]
        for n in range(2)
    ]
    others_post = ok(
        api(
            "POST",
            "/api/v1/posts",
            {"title": f"Other {word}", "content": "Theirs.", "status": "published"},
            token=other["accessToken"],
        )
    )["id"]
    ok(api("POST", f"/api/v1/posts/{others_post}/comments", {"content": "first"}, token=other["accessToken"]))
    victim_comment = ok(api("POST", f"/api/v1/posts/{others_post}/comments", {"content": f"me {word}"}, token=token))[
        "id"
    ]
    # Before: the aggregates count the victim
    assert ok(api("GET", f"/api/v1/products/{bought['id']}"))["reviewCount"] == 2
    assert ok(api("GET", f"/api/v1/posts/{others_post}"))["commentCount"] == 2

    deletion = ok(api("DELETE", "/api/v1/users/me", {"password": PASSWORD}, token=token), 202)
    jobs = follow_erasure(api, admin, deletion["jobId"])
    return Erased(
        word=word,
        victim=victim,
        admin=admin,
        other_seller=other_seller,
        other=other,
        bought_product=bought,
        own_products=own_products,
        order=order,
        own_thread=own_thread,
        others_thread=others_thread,
        victim_message=victim_message,
        own_posts=own_posts,
        others_post=others_post,
        victim_comment=victim_comment,
        avatar_url=avatar_url,
        deletion=deletion,
        jobs=jobs,
    )


def test_identity_the_account_is_gone_and_its_address_free(api: Client, erased: Erased) -> None:
    victim, token = erased.victim, erased.victim["accessToken"]
    assert erased.deletion == {"userId": erased.victim_id, "jobId": erased.deletion["jobId"], "status": "erasing"}
    assert api("GET", "/api/v1/auth/me", token=token).status == 401
    assert api("POST", "/api/v1/auth/refresh", {"refreshToken": victim["refreshToken"]}).status == 401
    login = api("POST", "/api/v1/auth/login", {"email": victim["user"]["email"], "password": PASSWORD})
    assert login.status == 401
    assert api("GET", f"/api/v1/users/{erased.victim_id}", token=erased.admin).status == 404
    assert api("DELETE", f"/api/v1/users/{erased.victim_id}", token=erased.admin).status == 404
    listed = ok(api("GET", f"/api/v1/users?search={victim['user']['email']}", token=erased.admin))["items"]
    assert listed == []
    # The job is listed by type, completed, with the result of its last part
    by_type = ok(api("GET", f"{JOBS}?type=account.erase&limit=100", token=erased.admin))["items"]
    assert erased.deletion["jobId"] in [job["id"] for job in by_type]
    last = erased.jobs[-1]
    assert last["progress"] == 100
    assert last["result"]["steps"] == last["result"]["total"]
    mails = eventually(
        lambda: [
            m
            for m in ok(api("GET", f"/_local/emails?to={victim['user']['email']}"))["items"]
            if m["subject"].endswith("account was deleted")
        ]
    )
    assert len(mails) == 1
    again = api(
        "POST", "/api/v1/auth/register", {"email": victim["user"]["email"], "password": PASSWORD, "name": "New"}
    )
    assert again.status == 201, again.body
    assert again.data["user"]["id"] != erased.victim_id


def test_commerce_store_products_reviews_and_orders(api: Client, erased: Erased) -> None:
    assert api("GET", f"/api/v1/sellers/{erased.victim_id}").status == 404
    assert requests.get(erased.avatar_url, timeout=10).status_code in (403, 404)  # the photo left S3
    for product in erased.own_products:
        assert api("GET", f"/api/v1/products/{product['id']}").status == 404
        assert api("GET", f"/api/v1/products/{product['slug']}").status == 404
    found = ok(api("GET", f"/api/v1/products?search={erased.word}&limit=100"))["items"]
    assert [p["id"] for p in found] == [erased.bought_product["id"]]
    # The rating of the product they reviewed is the other reviewer's alone
    product = ok(api("GET", f"/api/v1/products/{erased.bought_product['id']}"))
    assert (product["reviewCount"], product["averageRating"]) == (1, 2.0)
    reviews = ok(api("GET", f"/api/v1/products/{erased.bought_product['id']}/reviews"))["items"]
    assert [r["rating"] for r in reviews] == [2]
    assert erased.victim_id not in {r["userId"] for r in reviews}
    # The order stays for the admin (and the seller), amounts intact, personal details replaced;
    # paid and not shipped yet, it keeps its shipping address for the seller until it is over
    order = ok(api("GET", f"/api/v1/orders/{erased.order['id']}", token=erased.admin))
    assert (order["status"], order["totalAmount"], order["paidAmount"]) == (
        erased.order["status"],
        erased.order["totalAmount"],
        erased.order["paidAmount"],
    )
    assert order["billingAddress"] is None
    assert order["notes"] is None
    seller = erased.other_seller["accessToken"]
    assert seller_view(api, seller, erased.order["id"])["shippingAddress"] == order["shippingAddress"]
    assert order["shippingAddress"]["address1"] == ADDRESS["address1"]
    # Shipped (in transit, kept), then delivered: the delivery replaces the address for everyone
    path = f"/api/v1/orders/{erased.order['id']}"
    shipped = ok(api("POST", f"{path}/ship", {"trackingNumber": "1Z-ERASED"}, token=seller))
    assert shipped["shippingAddress"]["address1"] == ADDRESS["address1"]
    delivered = ok(api("POST", f"{path}/deliver", token=seller))
    for shown in (delivered, seller_view(api, seller, erased.order["id"]), ok(api("GET", path, token=erased.admin))):
        for line in ("firstName", "lastName", "address1"):
            assert ADDRESS[line] not in str(shown["shippingAddress"])
        assert shown["shippingAddress"]["address1"] == "[deleted]"


def seller_view(api: Client, token: str, order_id: str) -> dict[str, Any]:
    """The order as it is in the seller's list."""
    listed = ok(api("GET", "/api/v1/sellers/me/orders?limit=100", token=token))["items"]
    (seen,) = [o for o in listed if o["id"] == order_id]
    return dict(seen)


def test_blackjack_games_stats_and_leaderboard(api: Client, erased: Erased) -> None:
    other = erased.other["accessToken"]
    board = ok(api("GET", "/api/v1/stats/leaderboard?limit=100", token=other))["items"]
    assert erased.victim_id not in {entry["userId"] for entry in board}
    assert [entry["rank"] for entry in board] == list(range(1, len(board) + 1))
    assert api("GET", f"/api/v1/stats/user/{erased.victim_id}", token=other).status == 404


def test_experience_threads_and_messages(api: Client, erased: Erased) -> None:
    other = erased.other["accessToken"]
    assert api("GET", f"/api/v1/threads/{erased.own_thread}", token=other).status == 404
    messages = ok(api("GET", f"/api/v1/threads/{erased.others_thread}/messages?limit=100", token=other))["items"]
    (theirs,) = [m for m in messages if m["id"] == erased.victim_message]
    assert theirs["author"] == {"id": theirs["author"]["id"], "name": DELETED_NAME}
    assert not theirs["content"]
    assert erased.word not in str(theirs)
    assert [m["content"] for m in messages if m["id"] != erased.victim_message] == ["hello team"]
    found = ok(api("GET", f"/api/v1/messages/search?q={erased.word}", token=other))["items"]
    assert found == []
    thread = ok(api("GET", f"/api/v1/threads/{erased.others_thread}", token=other))
    assert erased.word not in str(thread)


def test_blog_posts_comments_and_profile(api: Client, erased: Erased) -> None:
    for post_id in erased.own_posts:
        assert api("GET", f"/api/v1/posts/{post_id}").status == 404
    listed = ok(api("GET", f"/api/v1/posts?search={erased.word}&limit=100"))["items"]
    assert [post["id"] for post in listed] == [erased.others_post]
    assert ok(api("GET", f"/api/v1/tags/{erased.word}/posts"))["items"] == []
    post = ok(api("GET", f"/api/v1/posts/{erased.others_post}"))
    assert post["commentCount"] == 1
    comments = ok(api("GET", f"/api/v1/posts/{erased.others_post}/comments"))["items"]
    assert [c["content"] for c in comments] == ["first"]
    assert api("GET", f"/api/v1/profiles/{erased.victim_id}").status == 404
