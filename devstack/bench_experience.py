"""``make bench`` section: what reading and writing a thread costs as it grows.

Runs in-process against moto: a thread of two participants with 100 and then 10,000 messages
(bulk-written as the repository writes them), then measures a page of messages (newest first),
an ``after`` catch-up of the last 20 messages, a list of the caller's threads, a post (with its
search postings), a reaction toggle and a search: DynamoDB calls, items DynamoDB read
(``ScannedCount`` of queries, items of gets) and read units. A page and a catch-up read
``limit + 1`` messages whatever the thread's size.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from devstack.bench_products import _ENV, _ItemsRead
from devstack.metering import bench_environment, metered

SIZES = (100, 10_000)
TABLE = "bench-experience"


def _principal(name: str) -> Any:
    from shared.clock import now_iso
    from shared.identity import repository
    from shared.identity.models import UserItem
    from shared.identity.principal import Principal
    from shared.ids import new_id

    user = UserItem.new(
        new_id(),
        now_iso(),
        email=f"{name}@example.com",
        name=name.title(),
        password_hash="x",
        role="customer",
        status="approved",
        email_verified=True,
    )
    repository.create_user(user)
    return Principal(user=user, session_id="bench", token_expires_at=0)


def _populate(thread_id: str, author: Any, count: int) -> list[str]:
    from shared.data.table import Item
    from shared.experience import message_repository
    from shared.ids import new_id

    ids = sorted(new_id() for _ in range(count))
    with Item.batch_write() as batch:
        for seq, message_id in enumerate(ids, start=1):
            batch.save(
                message_repository.new_message(
                    thread_id,
                    message_id,
                    seq=seq,
                    author_id=author.user_id,
                    author_name="Alice",
                    role="user",
                    content=f"message number {seq}",
                    reaction_counts={},
                    version=1,
                    created_at="2026-01-01T00:00:00Z",
                )
            )
    return ids


def _row(count: int, label: str, run: Callable[[], Any], reads: _ItemsRead) -> list[str]:
    reads.items = 0
    with metered() as meter:
        result = run()
    items = getattr(result, "items", None)
    returned = str(len(items)) if isinstance(items, list) else "-"
    return [
        f"{count:,}",
        label,
        returned,
        str(meter.total_calls),
        str(reads.items),
        f"{meter.read_units:g}",
        meter.operations(),
    ]


def _rows_for(count: int) -> list[list[str]]:
    import boto3
    from moto import mock_aws
    from shared.data.table import configure_table, connection
    from shared.experience import interactions, messages, search, threads
    from shared.experience.schemas import CreateMessageRequest, CreateThreadRequest, ReactionRequest

    from devstack.resources import create_table

    with mock_aws():
        create_table(boto3.client("dynamodb", region_name="us-east-1"), TABLE)
        configure_table(TABLE)
        alice, bob = _principal("alice"), _principal("bob")
        thread = threads.create_thread(alice, CreateThreadRequest(title="Bench", participant_ids=[bob.user_id]))
        ids = _populate(thread.id, alice, count)
        reads = _ItemsRead()
        connection().client.meta.events.register("after-call.dynamodb", reads)
        body = CreateMessageRequest(content="a fresh message about the quarterly budget", client_message_id="bench-1")
        rows = [
            _row(
                count,
                "messages page, limit 20",
                lambda: messages.list_messages(bob, thread.id, after=None, limit=20, cursor=None),
                reads,
            ),
            _row(
                count,
                "after catch-up (20 newer)",
                lambda: messages.list_messages(bob, thread.id, after=ids[-21], limit=20, cursor=None),
                reads,
            ),
            _row(
                count,
                "the caller's threads, limit 20",
                lambda: threads.list_threads(bob, status=None, limit=20, cursor=None),
                reads,
            ),
            _row(count, "post (7 words, 2 participants)", lambda: messages.post_message(alice, thread.id, body), reads),
            _row(
                count,
                "post retried (same clientMessageId)",
                lambda: messages.post_message(alice, thread.id, body),
                reads,
            ),
            _row(
                count,
                "reaction toggle",
                lambda: interactions.toggle_reaction(bob, ids[-1], ReactionRequest(emoji=":tada:")),
                reads,
            ),
            _row(
                count,
                "search 'budget' (1 match)",
                lambda: search.search_messages(bob, "budget", None, limit=20, cursor=None),
                reads,
            ),
        ]
        connection().client.meta.events.unregister("after-call.dynamodb", reads)
    return rows


def section() -> list[tuple[str, list[str], list[list[str]]]]:
    from shared.data.table import configure_table

    with bench_environment({**_ENV, "TABLE_NAME": TABLE}):
        try:
            rows = [row for size in SIZES for row in _rows_for(size)]
        finally:
            configure_table()
    header = ["messages", "request", "returned", "calls", "items read", "RCU", "operations"]
    return [("Thread reads and writes by thread size (moto in-process)", header, rows)]


if __name__ == "__main__":
    from devstack.bench import print_table

    for title, header, table_rows in section():
        print_table(title, header, table_rows)
