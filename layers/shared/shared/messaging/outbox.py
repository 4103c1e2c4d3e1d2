"""The transactional outbox: the one way the system owes a message to a queue.

A write that causes a message (an email, a Stripe event to apply, a job) adds an
:class:`Owed` to its own transaction (:func:`add`), or writes it alone when the message *is* the
state change (:func:`put`, e.g. a verified webhook event). Either the change and its message are
both stored or neither is; no request ever calls a queue, so a queue outage cannot fail a
request or lose what it owes.

``OutboxRelayFunction`` receives the INSERT of every outbox item from the table's stream and
calls :func:`relay`: read the item (consistently), send its body to the destination's queue,
mark it relayed. Delivery is at least once: a replayed stream record finds the item relayed and
sends nothing; a crash between the send and the mark sends again, which the consumers absorb
(each is idempotent on the business key: the email worker per message id, the Stripe events
worker per event). While a queue is down the relay fails, the stream retries, and the item
stays owed in the table (no ``relayedAt``, no ``ttl``).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Literal

from pynamodb.exceptions import PutError, UpdateError
from pynamodb.transactions import TransactWrite

from shared.clock import iso, now
from shared.data.table import Item
from shared.data.transactions import is_condition_failure
from shared.messaging.clients import client
from shared.messaging.models import OWED_SHARDS, OutboxItem, outbox_key, owed_index_keys, owed_partition
from shared.messaging.owed import Owed
from shared.observability import logger
from shared.settings import ConfigurationError, get_settings

__all__ = ["Owed", "add", "owed_before", "put", "relay", "sweep"]

# Which setting names each destination's queue (the relay's environment).
# Jobs go to the queue of their priority, or to a one-time schedule (:func:`shared.jobs.queues.deliver`).
QUEUE_SETTINGS: dict[str, str] = {"email": "email_queue_url", "stripe-events": "stripe_events_queue_url"}
Relayed = Literal["relayed", "already relayed", "not found"]
RELAYED_TTL = timedelta(days=7)
SWEEP_AGE = timedelta(minutes=5)
SWEEP_LIMIT = 200


def item_of(message: Owed, created_at: str | None = None) -> OutboxItem:
    """The outbox item that owes ``message`` (written by :func:`add` or :func:`put`)."""
    pk, sk = outbox_key(message.destination, message.key)
    created = created_at or iso(now())
    item = OutboxItem(
        pk,
        sk,
        destination=message.destination,
        message_key=message.key,
        body=json.dumps(message.body, separators=(",", ":")),
        created_at=created,
    )
    item.gsi1pk, item.gsi1sk = owed_index_keys(message.destination, message.key, created)
    return item


def add(tx: TransactWrite, *messages: Owed) -> None:
    """Owe ``messages`` in ``tx``: they are stored iff the transaction commits. A message whose key
    is already owed fails the transaction's condition (the change that owes it already happened).

    A job (destination ``jobs``, see :mod:`shared.jobs.spec`) brings its record and counters
    into ``tx`` too: the job exists iff the change that owes it happened."""
    for message in messages:
        if message.destination == "jobs":
            from shared.jobs.records import add_new_job

            add_new_job(tx, message)
        tx.save(item_of(message), condition=Item.pk.does_not_exist())


def put(message: Owed) -> bool:
    """Owe ``message`` on its own; ``False`` when its key was already owed (a duplicate collapses).
    Jobs are owed with their record, in a transaction (:func:`add`, :func:`shared.jobs.enqueue`)."""
    if message.destination == "jobs":
        raise ValueError("a job is owed with its record: use add() in a transaction, or shared.jobs.enqueue")
    try:
        item_of(message).save(condition=Item.pk.does_not_exist())
    except PutError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


def get(pk: str, sk: str) -> OutboxItem | None:
    try:
        found = Item.get(pk, sk, consistent_read=True)
    except Item.DoesNotExist:
        return None
    return found if isinstance(found, OutboxItem) else None


def queue_url(destination: str) -> str:
    """Raises :class:`ConfigurationError` for a destination without a configured queue."""
    setting = QUEUE_SETTINGS.get(destination)
    url = str(getattr(get_settings(), setting, "") or "") if setting else ""
    if not url:
        raise ConfigurationError(f"no queue configured for outbox destination {destination!r}")
    return url


def relay(pk: str, sk: str) -> Relayed:
    """Send the owed item at ``pk``/``sk`` to its queue and mark it relayed. Returns what happened:
    ``"already relayed"`` and ``"not found"`` (a stream record of a write that no longer exists)
    send nothing. Raises when the send fails: the item stays owed and the caller retries."""
    item = get(pk, sk)
    if item is None:
        return "not found"
    if item.relayed_at is not None or item.body is None:
        return "already relayed"
    if item.destination == "jobs":
        from shared.jobs.queues import deliver

        deliver(json.loads(item.body))
    else:
        client("sqs").send_message(QueueUrl=queue_url(item.destination), MessageBody=item.body)
    mark_relayed(item)
    return "relayed"


def mark_relayed(item: OutboxItem) -> None:
    """Record the relay and let the item expire after :data:`RELAYED_TTL`; the body goes (an email
    body may carry a one-time link), and so does its place in the owed index. The key stays so
    a duplicate write still collapses."""
    moment = now()
    try:
        item.update(
            actions=[
                OutboxItem.relayed_at.set(iso(moment)),
                Item.ttl.set(moment + RELAYED_TTL),
                OutboxItem.body.remove(),
                Item.gsi1pk.remove(),
                Item.gsi1sk.remove(),
            ],
            condition=Item.pk.exists() & OutboxItem.relayed_at.does_not_exist(),
        )
    except UpdateError as exc:
        if not is_condition_failure(exc):
            raise


def owed_before(cutoff: str, *, limit: int = SWEEP_LIMIT) -> list[OutboxItem]:
    """Items still owed that were written before ``cutoff`` (ISO time), oldest first per shard,
    at most ``limit`` per shard. The index is eventually consistent: :func:`relay` re-reads."""
    found: list[OutboxItem] = []
    for shard in range(OWED_SHARDS):
        query = Item.gsi1.query(owed_partition(shard), Item.gsi1sk < cutoff, limit=limit)
        found.extend(item for item in query if isinstance(item, OutboxItem))
    return found


def sweep(older_than: timedelta = SWEEP_AGE, *, limit: int = SWEEP_LIMIT) -> dict[str, int]:
    """Relay what the stream has not: items still owed ``older_than`` after they were written (the
    stream gave up on them after its retries, or the relay was down longer than the stream keeps
    records). Each is relayed like a stream record, so a message the stream relays meanwhile is
    not sent twice. Returns counts; a failed send is counted and left owed for the next sweep."""
    counts = {"relayed": 0, "skipped": 0, "failed": 0}
    for item in owed_before(iso(now() - older_than), limit=limit):
        try:
            counts["relayed" if relay(item.pk, item.sk) == "relayed" else "skipped"] += 1
        except Exception:
            logger.exception("outbox sweep could not relay a message", extra={"outboxKey": item.pk})
            counts["failed"] += 1
    return counts
