"""``make bench`` section: what deleting an account costs, by the size of the account.

Runs in-process against moto. For each size ``n`` (``BENCH_ERASURE_SIZES``, default 3 and 30, a
tenfold account) an approved seller is seeded through the domain services, as the routes would
do it: ``n`` sessions, ``n`` products of their store, ``n`` reviews and up to 20 cart lines on
another seller's products, ``n`` blackjack games, a thread of theirs with ``n`` messages and ``n``
messages in another user's thread, ``n`` blog posts and ``n`` comments on another user's post.
Then the deletion (the one transaction of ``DELETE /users/me``) and the ``account.erase`` job
(every part it takes) are measured: DynamoDB calls by operation, items the steps touched, read
and write units, time. The job's cost grows with what the account owns, never with the table.
"""

from __future__ import annotations

import os
import time
from typing import Any

from devstack.bench_products import _ENV
from devstack.metering import bench_environment, metered

SIZES = tuple(int(n) for n in os.environ.get("BENCH_ERASURE_SIZES", "3,30").split(","))
TABLE = "bench-erasure"
# The erasure also lists and deletes S3 objects (export files, uploaded files).
BUCKETS = {"EXPORTS_BUCKET": "bench-erasure-exports", "FILES_BUCKET": "bench-erasure-files"}


def _account(name: str, role: str = "customer") -> Any:
    from shared.clock import now_iso
    from shared.identity import repository
    from shared.identity.models import UserItem
    from shared.identity.principal import Principal
    from shared.ids import new_id

    user = UserItem.new(
        new_id(),
        now_iso(),
        email=f"{name}-{new_id()}@example.com",
        name=name.title(),
        password_hash="x",
        role=role,
        status="approved",
        email_verified=True,
    )
    repository.create_user(user)
    return Principal(user=user, session_id="bench", token_expires_at=0)


def _sessions(user_id: str, count: int) -> None:
    from shared.clock import now_iso
    from shared.identity import session_repository
    from shared.ids import new_id

    at = now_iso()
    for _ in range(count):
        session_id = new_id()
        fields = {"refresh_hash": "x", "created_at": at, "last_used_at": at, "expires_at": "9999"}
        session_repository.put_session(session_repository.new_session_item(user_id, session_id, **fields))


def _games(player: Any, count: int) -> None:
    from shared.blackjack import service

    for _ in range(count):
        game = service.new_game(player, None)
        if not game.is_game_over:
            service.move(player, game.game_id, "stand")


def _seed(size: int) -> Any:
    """The account to delete, active in every system (see the module docstring)."""
    from shared.blog import comments, posts
    from shared.blog.schemas import CreateCommentRequest, CreatePostRequest
    from shared.commerce.cart import service as cart
    from shared.commerce.cart.schemas import AddCartItemRequest
    from shared.commerce.products import reviews
    from shared.commerce.products import service as products
    from shared.commerce.products.schemas import CreateProductRequest, CreateReviewRequest
    from shared.experience import messages, threads
    from shared.experience.schemas import CreateMessageRequest, CreateThreadRequest

    victim, other, shop = _account("victim", "seller"), _account("other"), _account("shop", "seller")
    _sessions(victim.user_id, size)
    for n in range(size):
        products.create_product(
            victim, CreateProductRequest(name=f"Mug {n}", price=1500, stock_quantity=5, status="active")
        )
        bought = products.create_product(
            shop, CreateProductRequest(name=f"Kettle {n}", price=2500, stock_quantity=5, status="active")
        )
        reviews.create_review(victim, bought.id, CreateReviewRequest(rating=4))
        if n < 20:
            cart.add_item(victim, AddCartItemRequest(product_id=bought.id, quantity=1))
    _games(victim, size)
    own = threads.create_thread(victim, CreateThreadRequest(title="Mine"))
    others = threads.create_thread(other, CreateThreadRequest(title="Team", participant_ids=[victim.user_id]))
    for n in range(size):
        messages.post_message(victim, own.id, CreateMessageRequest(content=f"note {n}"))
        messages.post_message(victim, others.id, CreateMessageRequest(content=f"reply {n}"))
    post = posts.create_post(other, CreatePostRequest(title="Theirs", content="Words.", status="published"))
    for n in range(size):
        posts.create_post(victim, CreatePostRequest(title=f"Post {n}", content="Mine.", status="published"))
        comments.add_comment(victim, post.id, CreateCommentRequest(content=f"comment {n}"))
    return victim


def _erase(user_id: str, job_id: str) -> tuple[int, dict[str, Any]]:
    """Run the job's parts in turn, as the worker would; returns (parts, last result)."""
    from shared.jobs.registry import JobContext
    from shared.lifecycle.jobs import erase_account

    part, job, parts = 1, job_id, 0
    while True:
        parts += 1
        payload = {"userId": user_id, "part": part}
        context = JobContext(job, "account.erase", payload, attempt=1, attempts_total=1, max_attempts=5)
        result = erase_account(context) or {}
        if "continuedBy" not in result:
            return parts, result
        part, job = part + 1, str(result["continuedBy"])


def _rows_for(size: int) -> list[list[str]]:
    import boto3
    from moto import mock_aws
    from shared.data.table import configure_table
    from shared.lifecycle import repository as erasures
    from shared.lifecycle.deletion import delete_account

    from devstack.moto_streams import keep_streams_through_cancellations
    from devstack.resources import create_table

    keep_streams_through_cancellations()  # moto would copy the whole table on every transaction
    with mock_aws():
        create_table(boto3.client("dynamodb", region_name="us-east-1"), TABLE)
        s3 = boto3.client("s3", region_name="us-east-1")
        for bucket in BUCKETS.values():
            s3.create_bucket(Bucket=bucket)
        configure_table(TABLE)
        victim = _seed(size)
        rows: list[list[str]] = []
        with metered() as meter:
            started = time.perf_counter()
            deleted = delete_account(victim.user)
            elapsed = (time.perf_counter() - started) * 1000
        rows.append([str(size), "deletion (one transaction)", "-", "-", *_cost(meter, elapsed)])
        with metered() as meter:
            started = time.perf_counter()
            parts, result = _erase(victim.user_id, deleted.job_id)
            elapsed = (time.perf_counter() - started) * 1000
        record = erasures.get(victim.user_id)
        touched = int(record.touched) if record is not None else 0
        rows.append(
            [
                str(size),
                f"account.erase job ({result['steps']} steps)",
                str(parts),
                str(touched),
                *_cost(meter, elapsed),
            ]
        )
    return rows


def _cost(meter: Any, elapsed_ms: float) -> list[str]:
    return [
        str(meter.total_calls),
        f"{meter.read_units:g}",
        f"{meter.write_units:g}",
        f"{elapsed_ms:.0f}",
        meter.operations(),
    ]


def section() -> list[tuple[str, list[str], list[list[str]]]]:
    from shared.data.table import configure_table

    with bench_environment({**_ENV, "TABLE_NAME": TABLE, **BUCKETS}):
        try:
            rows = [row for size in SIZES for row in _rows_for(size)]
        finally:
            configure_table()
    header = ["n", "what", "parts", "items touched", "calls", "RCU", "WCU", "ms", "operations"]
    return [("Deleting an account of n items per system (moto in-process)", header, rows)]


if __name__ == "__main__":
    from devstack.bench import print_table

    for title, header, table_rows in section():
        print_table(title, header, table_rows)
